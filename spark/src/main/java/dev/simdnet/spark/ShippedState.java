package dev.simdnet.spark;

import dev.simdnet.tensor.Tensor;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named tensors in a form Spark can ship (a tensor is not serializable), and the sum of several of them for
 * averaging. The sum is kept in doubles and starts as the first state itself, not as zero plus it, so the
 * average of one state is that state bit for bit ({@code -0.0f} included).
 */
final class ShippedState implements Serializable {
    private static final long serialVersionUID = 1L;

    final List<String> names = new ArrayList<>();
    final List<int[]> shapes = new ArrayList<>();
    final List<float[]> values = new ArrayList<>();

    static ShippedState of(Map<String, Tensor> state) {
        ShippedState s = new ShippedState();
        for (var e : state.entrySet()) {
            Tensor t = e.getValue();
            float[] v = new float[t.size()];
            System.arraycopy(t.data(), t.offset(), v, 0, v.length);
            s.names.add(e.getKey());
            s.shapes.add(t.shape().clone());
            s.values.add(v);
        }
        return s;
    }

    Map<String, Tensor> toTensors() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            Tensor t = Tensor.zeros(shapes.get(i));
            System.arraycopy(values.get(i), 0, t.data(), t.offset(), t.size());
            m.put(names.get(i), t);
        }
        return m;
    }

    /** A running sum of shard states and their training figures (treeAggregate's accumulator). */
    static final class Sum implements Serializable {
        private static final long serialVersionUID = 1L;
        ShippedState first;                                   // names and shapes
        List<double[]> sums;
        int count;
        double lossSum;
        long correct, seen;

        Sum add(ShippedState s, double loss, long right, long images) {
            if (count == 0) {
                first = s;
                sums = new ArrayList<>();
                for (float[] v : s.values) {
                    double[] d = new double[v.length];
                    for (int k = 0; k < v.length; k++) d[k] = v[k];
                    sums.add(d);
                }
            } else {
                check(s.names);
                for (int i = 0; i < sums.size(); i++) {
                    double[] d = sums.get(i);
                    float[] v = s.values.get(i);
                    for (int k = 0; k < d.length; k++) d[k] += v[k];
                }
            }
            count++;
            lossSum += loss;
            correct += right;
            seen += images;
            return this;
        }

        Sum merge(Sum o) {
            if (o.count == 0) return this;
            if (count == 0) return o;
            check(o.first.names);
            for (int i = 0; i < sums.size(); i++) {
                double[] d = sums.get(i), e = o.sums.get(i);
                for (int k = 0; k < d.length; k++) d[k] += e[k];
            }
            count += o.count;
            lossSum += o.lossSum;
            correct += o.correct;
            seen += o.seen;
            return this;
        }

        private void check(List<String> names) {
            if (!names.equals(first.names))
                throw new IllegalStateException("the shards returned different tensors: " + first.names + " and " + names);
        }

        /** The average state. */
        Map<String, Tensor> average() {
            Map<String, Tensor> m = new LinkedHashMap<>();
            for (int i = 0; i < sums.size(); i++) {
                Tensor t = Tensor.zeros(first.shapes.get(i));
                double[] d = sums.get(i);
                for (int k = 0; k < d.length; k++) t.data()[t.offset() + k] = (float) (d[k] / count);
                m.put(first.names.get(i), t);
            }
            return m;
        }
    }
}
