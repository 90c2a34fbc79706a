package dev.simdnet.nn;

import dev.simdnet.kernel.PoolGeometry;
import dev.simdnet.tensor.Tensor;

import java.util.Arrays;

/** Max pooling over NHWC images, square window {@code size}, no padding; no parameters. */
public final class MaxPool2d implements Layer {
    private final String name;
    private final int size, stride;

    private PoolGeometry geometry; // of the last forward's batch
    private Tensor output;         // (batch, outH, outW, C), reused while the batch size holds
    private int[] argmax;          // per output, the index of its maximum in the input
    private Tensor inputGrad;      // (batch, H, W, C)
    private boolean trained;       // the last forward was in training mode

    public MaxPool2d(String name, int size, int stride) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a layer needs a name");
        if (size < 1 || stride < 1)
            throw new IllegalArgumentException(name + ": invalid pooling size=" + size + " stride=" + stride);
        this.name = name;
        this.size = size;
        this.stride = stride;
    }

    @Override
    public MaxPool2d replica() { return new MaxPool2d(name, size, stride); }

    @Override
    public java.util.Map<String, Object> config() { return java.util.Map.of("type", "maxpool2d", "name", name, "size", size, "stride", stride); }

    public String name() { return name; }

    @Override
    public int[] outputShape(int[] inputShape) {
        PoolGeometry g = geometry(1, inputShape);
        return new int[] {g.outH(), g.outW(), g.channels()};
    }

    @Override
    public Tensor forward(Tensor x, Context ctx) {
        if (x.rank() != 4) throw new IllegalArgumentException(name + ": expected (batch, H, W, C), got " + x);
        PoolGeometry g = geometry(x.dim(0), new int[] {x.dim(1), x.dim(2), x.dim(3)});
        if (!g.equals(geometry) || output == null) {
            geometry = g;
            output = Buffers.reuse(output, g.batch(), g.outH(), g.outW(), g.channels());
            if (argmax == null || argmax.length < g.outputSize()) argmax = new int[g.outputSize()];
            inputGrad = null;
        }
        ctx.kernels().maxPoolForward(g, x.data(), x.offset(), output.data(), output.offset(), argmax);
        trained = ctx.training();
        return output;
    }

    @Override
    public Tensor backward(Tensor dy, Context ctx) {
        if (!trained) throw new IllegalStateException(name + ": backward without a training forward");
        if (!Arrays.equals(dy.shape(), output.shape()))
            throw new IllegalArgumentException(name + ": gradient " + dy + " does not match output " + output);
        if (!ctx.needInputGrad()) return null;
        PoolGeometry g = geometry;
        if (inputGrad == null) inputGrad = Tensor.zeros(g.batch(), g.inH(), g.inW(), g.channels());
        ctx.kernels().maxPoolBackward(g, dy.data(), dy.offset(), argmax, inputGrad.data(), inputGrad.offset());
        return inputGrad;
    }

    private PoolGeometry geometry(int batch, int[] shape) {
        if (shape.length != 3)
            throw new IllegalArgumentException(name + ": expected an input (H, W, C), got " + Arrays.toString(shape));
        return new PoolGeometry(batch, shape[0], shape[1], shape[2], size, stride);
    }

    @Override
    public String toString() { return "MaxPool2d(" + name + ", " + size + "x" + size + ", stride " + stride + ")"; }
}
