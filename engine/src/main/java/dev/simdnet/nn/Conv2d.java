package dev.simdnet.nn;

import dev.simdnet.kernel.ConvGeometry;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A 2-D convolution over NHWC images with a square kernel: input {@code (batch, H, W, inC)}, weight
 * {@code (outC, k, k, inC)} He-normal initialized, bias {@code (outC)} zero, output {@code (batch, outH, outW, outC)}.
 */
public final class Conv2d implements Layer {
    private final String name;
    private final int inC, outC, kernel, stride, pad;
    private final Parameter weight, bias;

    private ConvGeometry geometry; // of the last forward's batch
    private Tensor input;          // the last training forward's input, for backward
    private Tensor output;         // (batch, outH, outW, outC), reused while the batch size holds
    private Tensor inputGrad;      // (batch, H, W, inC), likewise

    public Conv2d(String name, int inC, int outC, int kernel, int stride, int pad, SplittableRandom rng) {
        this(name, inC, outC, kernel, stride, pad, rng, false);
    }

    /** With {@code glorot}, Glorot (Xavier) weights, for a convolution with no ReLU after it (LeNet). */
    public Conv2d(String name, int inC, int outC, int kernel, int stride, int pad, SplittableRandom rng, boolean glorot) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a layer needs a name");
        if (inC < 1 || outC < 1 || kernel < 1 || stride < 1 || pad < 0)
            throw new IllegalArgumentException(name + ": invalid convolution inC=" + inC + " outC=" + outC
                    + " kernel=" + kernel + " stride=" + stride + " pad=" + pad);
        this.name = name;
        this.inC = inC;
        this.outC = outC;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
        Tensor w = Tensor.zeros(outC, kernel, kernel, inC);
        if (glorot) Init.glorotUniform(w.data(), 0, w.size(), kernel * kernel * inC, kernel * kernel * outC, rng);
        else Init.heNormal(w.data(), 0, w.size(), kernel * kernel * inC, rng);
        this.weight = new Parameter(name + ".weight", w, Tensor.zeros(outC, kernel, kernel, inC), true);
        this.bias = new Parameter(name + ".bias", Tensor.zeros(outC), Tensor.zeros(outC), false);
    }

    private Conv2d(Conv2d shared) {
        this.name = shared.name;
        this.inC = shared.inC;
        this.outC = shared.outC;
        this.kernel = shared.kernel;
        this.stride = shared.stride;
        this.pad = shared.pad;
        this.weight = shared.weight;
        this.bias = shared.bias;
    }

    @Override
    public Conv2d replica() { return new Conv2d(this); }

    @Override
    public java.util.Map<String, Object> config() {
        return java.util.Map.of("type", "conv2d", "name", name, "in", inC, "out", outC, "kernel", kernel, "stride", stride, "pad", pad);
    }

    public String name() { return name; }
    public Parameter weight() { return weight; }
    public Parameter bias() { return bias; }

    @Override
    public int[] outputShape(int[] inputShape) {
        ConvGeometry g = geometry(1, inputShape);
        return new int[] {g.outH(), g.outW(), outC};
    }

    @Override
    public Tensor forward(Tensor x, Context ctx) {
        if (x.rank() != 4) throw new IllegalArgumentException(name + ": expected (batch, H, W, " + inC + "), got " + x);
        ConvGeometry g = geometry(x.dim(0), new int[] {x.dim(1), x.dim(2), x.dim(3)});
        if (!g.equals(geometry) || output == null) {
            geometry = g;
            output = Buffers.reuse(output, g.batch(), g.outH(), g.outW(), outC);
            inputGrad = null;
        }
        Kernels k = ctx.kernels();
        k.conv2dForward(g, x.data(), x.offset(), weight.value().data(), weight.value().offset(),
                bias.value().data(), bias.value().offset(), output.data(), output.offset());
        input = ctx.training() ? x : null;
        return output;
    }

    @Override
    public Tensor backward(Tensor dy, Context ctx) {
        if (input == null) throw new IllegalStateException(name + ": backward without a training forward");
        ConvGeometry g = geometry;
        if (!Arrays.equals(dy.shape(), output.shape()))
            throw new IllegalArgumentException(name + ": gradient " + dy + " does not match output " + output);
        Tensor dx = null;
        if (ctx.needInputGrad()) {
            if (inputGrad == null) inputGrad = Tensor.zeros(input.shape());
            dx = inputGrad;
        }
        ctx.kernels().conv2dBackward(g, input.data(), input.offset(), weight.value().data(), weight.value().offset(),
                dy.data(), dy.offset(), dx == null ? null : dx.data(), dx == null ? 0 : dx.offset(),
                weight.grad().data(), weight.grad().offset(), bias.grad().data(), bias.grad().offset());
        return dx;
    }

    @Override
    public List<Parameter> parameters() { return List.of(weight, bias); }

    @Override
    public long macs(int[] inputShape) { return geometry(1, inputShape).macs(); }

    private ConvGeometry geometry(int batch, int[] shape) {
        if (shape.length != 3 || shape[2] != inC)
            throw new IllegalArgumentException(name + ": expected an input (H, W, " + inC + "), got " + Arrays.toString(shape));
        return new ConvGeometry(batch, shape[0], shape[1], inC, outC, kernel, kernel, stride, pad);
    }

    @Override
    public String toString() {
        return "Conv2d(" + name + ", " + inC + "->" + outC + ", " + kernel + "x" + kernel
                + ", stride " + stride + ", pad " + pad + ")";
    }
}
