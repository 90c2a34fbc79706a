package dev.simdnet.nn;

import dev.simdnet.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Layers applied in order; backward runs them in reverse. */
public final class Sequential implements Layer {
    private final List<Layer> layers;

    public Sequential(List<Layer> layers) {
        if (layers.isEmpty()) throw new IllegalArgumentException("a Sequential needs at least one layer");
        this.layers = List.copyOf(layers);
        // Two layers sharing a parameter name would share an optimizer state and a checkpoint entry.
        var names = new HashSet<String>();
        for (Parameter p : parameters())
            if (!names.add(p.name())) throw new IllegalArgumentException("duplicate parameter name " + p.name());
    }

    public Sequential(Layer... layers) {
        this(List.of(layers));
    }

    public List<Layer> layers() { return layers; }

    @Override
    public Sequential replica() { return new Sequential(layers.stream().map(Layer::replica).toList()); }

    @Override
    public int[] outputShape(int[] inputShape) {
        int[] s = inputShape;
        for (Layer l : layers) s = l.outputShape(s);
        return s;
    }

    @Override
    public Tensor forward(Tensor x, Context ctx) {
        Profile p = ctx.profile();
        for (Layer l : layers) {
            if (p == null) {
                x = l.forward(x, ctx);
            } else {
                long t0 = System.nanoTime();
                int[] sample = java.util.Arrays.copyOfRange(x.shape(), 1, x.rank());
                x = l.forward(x, ctx);
                p.forward(l.name(), System.nanoTime() - t0, (long) x.dim(0) * l.macs(sample), l instanceof Conv2d || l instanceof Linear);
            }
        }
        return x;
    }


    /** The output of every layer in order (the last is the network's output), e.g. to show feature maps. */
    public List<Tensor> forwardAll(Tensor x, Context ctx) {
        List<Tensor> outputs = new ArrayList<>(layers.size());
        for (Layer l : layers) {
            x = l.forward(x, ctx);
            outputs.add(x);
        }
        return Collections.unmodifiableList(outputs);
    }

    /**
     * The forward pass, also putting each conv block's output into {@code featureMaps} by the convolution's name:
     * the activation after the batch norm and ReLU that follow it, what a person looks at to see what it found.
     */
    public Tensor forwardWithFeatureMaps(Tensor x, Context ctx, Map<String, Tensor> featureMaps) {
        String block = null;
        for (Layer l : layers) {
            x = l.forward(x, ctx);
            if (l instanceof Conv2d conv) block = conv.name();
            else if (!(l instanceof BatchNorm || l instanceof Relu)) block = null;
            if (block != null) featureMaps.put(block, x);
        }
        return x;
    }

    @Override
    public Tensor backward(Tensor dy, Context ctx) {
        Context inner = ctx.withNeedInputGrad(true);
        Profile p = ctx.profile();
        for (int i = layers.size() - 1; i >= 0; i--) {
            long t0 = p == null ? 0 : System.nanoTime();
            dy = layers.get(i).backward(dy, i == 0 ? ctx : inner);
            if (p != null) p.backward(layers.get(i).name(), System.nanoTime() - t0);
        }
        return dy;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        for (Layer l : layers) ps.addAll(l.parameters());
        return Collections.unmodifiableList(ps);
    }

    @Override
    public Map<String, Tensor> buffers() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Layer l : layers) m.putAll(l.buffers());
        return Collections.unmodifiableMap(m);
    }

    @Override
    public long macs(int[] inputShape) {
        long total = 0;
        int[] s = inputShape;
        for (Layer l : layers) {
            total += l.macs(s);
            s = l.outputShape(s);
        }
        return total;
    }

    @Override
    public String toString() { return "Sequential" + layers; }
}
