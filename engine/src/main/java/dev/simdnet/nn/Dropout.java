package dev.simdnet.nn;

import dev.simdnet.tensor.Tensor;
import java.util.Objects;

/**
 * Inverted dropout: in training, zeroes each element with probability p and scales the rest by 1/(1-p);
 * in inference, the identity. The mask comes from {@code ctx.seedFor(name)}, so a resumed run draws the
 * same masks as an uninterrupted one.
 */
public final class Dropout implements Layer {
    private final String name;
    private final float p;
    private Tensor mask;
    private Tensor y;
    private Tensor dx;
    private boolean lastWasTraining;

    public Dropout(String name, float p) {
        this.name = Objects.requireNonNull(name, "name");
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException(name + ": p must be in [0, 1), got " + p);
        this.p = p;
    }

    @Override
    public Dropout replica() { return new Dropout(name, p); }

    @Override
    public java.util.Map<String, Object> config() { return java.util.Map.of("type", "dropout", "name", name, "p", p); }

    public String name() { return name; }
    public float p() { return p; }

    @Override
    public int[] outputShape(int[] inputShape) { return inputShape.clone(); }

    @Override
    public Tensor forward(Tensor x, Context ctx) {
        lastWasTraining = ctx.training() && p > 0f;
        if (!lastWasTraining) return x;
        mask = Buffers.reuse(mask, x.shape());
        y = Buffers.reuse(y, x.shape());
        ctx.kernels().dropoutForward(x.size(), p, ctx.seedFor(name), x.data(), x.offset(), mask.data(), mask.offset(), y.data(), y.offset());
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, Context ctx) {
        if (!ctx.needInputGrad()) return null;
        if (!lastWasTraining) return dy;
        if (!dy.sameShape(mask)) throw new IllegalArgumentException(name + ": gradient " + dy + " does not match the mask " + mask);
        dx = Buffers.reuse(dx, dy.shape());
        ctx.kernels().dropoutBackward(dy.size(), mask.data(), mask.offset(), dy.data(), dy.offset(), dx.data(), dx.offset());
        return dx;
    }

    @Override
    public String toString() { return "Dropout(" + name + ", p=" + p + ")"; }
}
