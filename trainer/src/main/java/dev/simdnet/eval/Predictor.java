package dev.simdnet.eval;

import dev.simdnet.data.Dataset;
import dev.simdnet.data.Normalization;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.nn.Context;
import dev.simdnet.nn.Sequential;
import dev.simdnet.tensor.Tensor;

import java.util.List;

/** Runs networks in inference mode over many images, in batches, and averages ensembles. */
public final class Predictor {
    private Predictor() {}

    /** Class probabilities {@code (idx.length, classes)} of {@code net} for the images {@code idx}. */
    public static float[] probabilities(Sequential net, Kernels k, Dataset data, Normalization norm, int[] idx, int classes, int batch) {
        int n = idx.length, size = data.pixels();
        float[] out = new float[n * classes];
        float[] x = new float[batch * size];
        Context ctx = Context.inference(k);
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch), count = to - from;
            data.fillBatch(idx, from, count, norm, x, 0);
            Tensor logits = net.forward(Tensor.view(x, 0, count, data.rows(), data.cols(), data.channels()), ctx);
            k.softmax(count, classes, logits.data(), logits.offset(), out, from * classes);
        }
        return out;
    }

    /** The mean of the members' probabilities: an ensemble. */
    public static float[] ensembleProbabilities(List<Sequential> nets, Kernels k, Dataset data, Normalization norm, int[] idx, int classes, int batch) {
        float[] sum = null;
        for (Sequential net : nets) {
            float[] p = probabilities(net, k, data, norm, idx, classes, batch);
            if (sum == null) sum = p;
            else for (int i = 0; i < p.length; i++) sum[i] += p[i];
        }
        if (sum == null) throw new IllegalArgumentException("an ensemble needs at least one network");
        float inv = 1f / nets.size();
        for (int i = 0; i < sum.length; i++) sum[i] *= inv;
        return sum;
    }

    /** Evaluates {@code net} on the images {@code idx}, 500 at a time. */
    public static Evaluation evaluate(Sequential net, Kernels k, Dataset data, Normalization norm, int[] idx, int classes) {
        return evaluate(net, k, data, norm, idx, classes, 500);
    }

    /**
     * Evaluates {@code net} on the images {@code idx} in batches of {@code batch}: during training, the training
     * batch size, so the layers keep the buffers they already hold instead of allocating a second set.
     */
    public static Evaluation evaluate(Sequential net, Kernels k, Dataset data, Normalization norm, int[] idx, int classes, int batch) {
        float[] p = probabilities(net, k, data, norm, idx, classes, batch);
        return Evaluation.of(p, labels(data, idx), idx.length, classes);
    }

    public static int[] labels(Dataset data, int[] idx) {
        int[] l = new int[idx.length];
        for (int i = 0; i < idx.length; i++) l[i] = data.label(idx[i]);
        return l;
    }

    public static int[] all(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return idx;
    }
}
