package dev.simdnet.nn;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.tensor.Tensor;

import java.util.List;
import java.util.SplittableRandom;
import java.util.Objects;

/**
 * A fully connected layer {@code y = x·Wᵀ + b}, W {@code (out, in)}, b {@code (out)}. Accepts any
 * {@code (batch, ...)} input whose sample has {@code in} elements (it reads it flattened).
 */
public final class Linear implements Layer {
    private final String name;
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;
    private Tensor x;   // the last training input, (batch, ...)
    private Tensor y;   // (batch, out)
    private Tensor dx;  // shaped like x

    /** He-normal weights, for a layer followed by a ReLU. */
    public Linear(String name, int in, int out, SplittableRandom rng) {
        this(name, in, out, rng, false);
    }

    /** {@code glorot}: Glorot-uniform weights, for a final classifier with no ReLU after it; else He-normal. */
    public Linear(String name, int in, int out, SplittableRandom rng, boolean glorot) {
        this.name = Objects.requireNonNull(name, "name");
        if (in < 1 || out < 1) throw new IllegalArgumentException(name + ": in and out must be positive, got " + in + ", " + out);
        this.in = in;
        this.out = out;
        Tensor w = Tensor.zeros(out, in);
        if (glorot) Init.glorotUniform(w.data(), 0, w.size(), in, out, rng);
        else Init.heNormal(w.data(), 0, w.size(), in, rng);
        this.weight = new Parameter(name + ".weight", w, Tensor.zeros(out, in), true);
        this.bias = new Parameter(name + ".bias", Tensor.zeros(out), Tensor.zeros(out), false);
    }

    private Linear(Linear shared) {
        this.name = shared.name;
        this.in = shared.in;
        this.out = shared.out;
        this.weight = shared.weight;
        this.bias = shared.bias;
    }

    @Override
    public Linear replica() { return new Linear(this); }

    @Override
    public java.util.Map<String, Object> config() { return java.util.Map.of("type", "linear", "name", name, "in", in, "out", out); }

    public String name() { return name; }
    public int in() { return in; }
    public int out() { return out; }
    public Parameter weight() { return weight; }
    public Parameter bias() { return bias; }

    @Override
    public int[] outputShape(int[] inputShape) {
        int n = Buffers.sizeOf(inputShape, 0);
        if (n != in) throw new IllegalArgumentException(name + ": expects " + in + " inputs per sample, got " + n);
        return new int[] {out};
    }

    @Override
    public Tensor forward(Tensor x, Context ctx) {
        int batch = x.dim(0);
        if (Buffers.sampleSize(x) != in)
            throw new IllegalArgumentException(name + ": expects " + in + " inputs per sample, got " + x);
        this.x = x;
        y = Buffers.reuse(y, batch, out);
        Kernels k = ctx.kernels();
        Tensor w = weight.value();
        k.sgemm(false, true, batch, out, in, x.data(), x.offset(), in, w.data(), w.offset(), in, 0f, y.data(), y.offset(), out);
        k.biasAdd(batch, out, y.data(), y.offset(), bias.value().data(), bias.value().offset());
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, Context ctx) {
        if (x == null) throw new IllegalStateException(name + ": backward without a forward");
        int batch = x.dim(0);
        if (dy.size() != batch * out) throw new IllegalArgumentException(name + ": gradient " + dy + " does not match the output (" + batch + ", " + out + ")");
        Kernels k = ctx.kernels();
        Tensor w = weight.value();
        Tensor dw = weight.grad();
        Tensor db = bias.grad();
        // dW (out, in) += dyᵀ (out, batch) · x (batch, in)
        k.sgemm(true, false, out, in, batch, dy.data(), dy.offset(), out, x.data(), x.offset(), in, 1f, dw.data(), dw.offset(), in);
        k.biasGrad(batch, out, dy.data(), dy.offset(), db.data(), db.offset());
        if (!ctx.needInputGrad()) return null;
        dx = Buffers.reuse(dx, x.shape());
        // dx (batch, in) = dy (batch, out) · W (out, in)
        k.sgemm(false, false, batch, in, out, dy.data(), dy.offset(), out, w.data(), w.offset(), in, 0f, dx.data(), dx.offset(), in);
        return dx;
    }

    @Override
    public List<Parameter> parameters() { return List.of(weight, bias); }

    @Override
    public long macs(int[] inputShape) { return (long) in * out; }

    @Override
    public String toString() { return "Linear(" + name + ", " + in + " -> " + out + ")"; }
}
