package dev.simdnet.nn;

import dev.simdnet.tensor.Tensor;
import java.util.Objects;

/** {@code (batch, H, W, C) -> (batch, H·W·C)}: a view of the same storage, no copy. */
public final class Flatten implements Layer {
    private final String name;
    private int[] inputShape;

    public Flatten(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public Flatten replica() { return new Flatten(name); }

    @Override
    public java.util.Map<String, Object> config() { return java.util.Map.of("type", "flatten", "name", name); }

    public String name() { return name; }

    @Override
    public int[] outputShape(int[] inputShape) { return new int[] {Buffers.sizeOf(inputShape, 0)}; }

    @Override
    public Tensor forward(Tensor x, Context ctx) {
        inputShape = x.shape();
        return x.reshape(x.dim(0), Buffers.sampleSize(x));
    }

    @Override
    public Tensor backward(Tensor dy, Context ctx) {
        if (!ctx.needInputGrad()) return null;
        if (inputShape == null) throw new IllegalStateException(name + ": backward without a forward");
        return dy.reshape(inputShape);
    }

    @Override
    public String toString() { return "Flatten(" + name + ")"; }
}
