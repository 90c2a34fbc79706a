package dev.simdnet.nn;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.tensor.Tensor;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Batch normalization over the last dimension: {@code (batch, H, W, C)} after a convolution or
 * {@code (batch, C)} after a linear layer; the statistics are taken over all other dimensions
 * (rows = batch·H·W). Training uses the batch statistics and moves the running ones; inference uses the
 * running ones. Parameters {@code name.weight} (γ, ones) and {@code name.bias} (β, zeros) are not decayed;
 * buffers {@code name.running_mean} (zeros) and {@code name.running_var} (ones).
 */
public final class BatchNorm implements Layer {
    public static final float DEFAULT_MOMENTUM = 0.1f;
    public static final float DEFAULT_EPS = 1e-5f;

    private final String name;
    private final int channels;
    private final float momentum;
    private final float eps;
    private final Parameter gamma;
    private final Parameter beta;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final float[] saveMean;
    private final float[] saveInvStd;
    private Tensor x;   // the last training input
    private Tensor y;
    private Tensor dx;

    public BatchNorm(String name, int channels) {
        this(name, channels, DEFAULT_MOMENTUM, DEFAULT_EPS);
    }

    public BatchNorm(String name, int channels, float momentum, float eps) {
        this.name = Objects.requireNonNull(name, "name");
        if (channels < 1) throw new IllegalArgumentException(name + ": channels must be positive, got " + channels);
        if (!(momentum >= 0f && momentum <= 1f)) throw new IllegalArgumentException(name + ": momentum must be in [0, 1], got " + momentum);
        if (!(eps > 0f)) throw new IllegalArgumentException(name + ": eps must be positive, got " + eps);
        this.channels = channels;
        this.momentum = momentum;
        this.eps = eps;
        Tensor g = Tensor.zeros(channels);
        g.fill(1f);
        this.gamma = new Parameter(name + ".weight", g, Tensor.zeros(channels), false);
        this.beta = new Parameter(name + ".bias", Tensor.zeros(channels), Tensor.zeros(channels), false);
        this.runningMean = Tensor.zeros(channels);
        this.runningVar = Tensor.zeros(channels);
        runningVar.fill(1f);
        this.saveMean = new float[channels];
        this.saveInvStd = new float[channels];
    }

    private BatchNorm(BatchNorm shared) {
        this.name = shared.name;
        this.channels = shared.channels;
        this.momentum = shared.momentum;
        this.eps = shared.eps;
        this.gamma = shared.gamma;
        this.beta = shared.beta;
        this.runningMean = shared.runningMean;
        this.runningVar = shared.runningVar;
        this.saveMean = new float[channels];
        this.saveInvStd = new float[channels];
    }

    @Override
    public BatchNorm replica() { return new BatchNorm(this); }

    @Override
    public java.util.Map<String, Object> config() {
        return java.util.Map.of("type", "batchnorm", "name", name, "channels", channels, "momentum", momentum, "eps", eps);
    }

    public String name() { return name; }
    public int channels() { return channels; }
    public float momentum() { return momentum; }
    public float eps() { return eps; }
    public Tensor runningMean() { return runningMean; }
    public Tensor runningVar() { return runningVar; }

    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length == 0 || inputShape[inputShape.length - 1] != channels)
            throw new IllegalArgumentException(name + ": expects " + channels + " channels last, got " + Arrays.toString(inputShape));
        return inputShape.clone();
    }

    private int rows(Tensor t) {
        if (t.rank() < 2 || t.dim(t.rank() - 1) != channels)
            throw new IllegalArgumentException(name + ": expects (batch, ..., " + channels + "), got " + t);
        return t.size() / channels;
    }

    @Override
    public Tensor forward(Tensor x, Context ctx) {
        int rows = rows(x);
        y = Buffers.reuse(y, x.shape());
        Kernels k = ctx.kernels();
        float[] g = gamma.value().data();
        float[] b = beta.value().data();
        if (ctx.training()) {
            this.x = x;
            k.batchNormForwardTraining(rows, channels, x.data(), x.offset(), g, b, eps, momentum,
                    runningMean.data(), runningVar.data(), saveMean, saveInvStd, y.data(), y.offset());
        } else {
            k.batchNormForwardInference(rows, channels, x.data(), x.offset(), g, b, eps,
                    runningMean.data(), runningVar.data(), y.data(), y.offset());
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, Context ctx) {
        if (x == null) throw new IllegalStateException(name + ": backward without a training forward");
        if (!dy.sameShape(x)) throw new IllegalArgumentException(name + ": gradient " + dy + " does not match the input " + x);
        int rows = rows(x);
        float[] dxData = null;
        int dxOff = 0;
        if (ctx.needInputGrad()) {
            dx = Buffers.reuse(dx, x.shape());
            dxData = dx.data();
            dxOff = dx.offset();
        }
        ctx.kernels().batchNormBackward(rows, channels, x.data(), x.offset(), dy.data(), dy.offset(), gamma.value().data(),
                saveMean, saveInvStd, dxData, dxOff, gamma.grad().data(), beta.grad().data());
        return ctx.needInputGrad() ? dx : null;
    }

    @Override
    public List<Parameter> parameters() { return List.of(gamma, beta); }

    @Override
    public Map<String, Tensor> buffers() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put(name + ".running_mean", runningMean);
        m.put(name + ".running_var", runningVar);
        return Collections.unmodifiableMap(m);
    }

    @Override
    public long macs(int[] inputShape) { return Buffers.sizeOf(inputShape, 0); }

    @Override
    public String toString() { return "BatchNorm(" + name + ", " + channels + ")"; }
}
