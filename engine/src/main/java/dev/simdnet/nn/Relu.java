package dev.simdnet.nn;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.tensor.Tensor;
import java.util.Objects;

/** {@code y = max(x, 0)}; keeps its output, which is all the backward needs. */
public final class Relu implements Layer {
    private final String name;
    private Tensor y;
    private Tensor dx;

    public Relu(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public Relu replica() { return new Relu(name); }

    @Override
    public java.util.Map<String, Object> config() { return java.util.Map.of("type", "relu", "name", name); }

    public String name() { return name; }

    @Override
    public int[] outputShape(int[] inputShape) { return inputShape.clone(); }

    @Override
    public Tensor forward(Tensor x, Context ctx) {
        y = Buffers.reuse(y, x.shape());
        ctx.kernels().reluForward(x.size(), x.data(), x.offset(), y.data(), y.offset());
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, Context ctx) {
        if (!ctx.needInputGrad()) return null;
        if (y == null || !dy.sameShape(y))
            throw new IllegalStateException(name + ": backward of " + dy + " without a matching forward");
        dx = Buffers.reuse(dx, dy.shape());
        Kernels k = ctx.kernels();
        k.reluBackward(dy.size(), y.data(), y.offset(), dy.data(), dy.offset(), dx.data(), dx.offset());
        return dx;
    }

    @Override
    public String toString() { return "Relu(" + name + ")"; }
}
