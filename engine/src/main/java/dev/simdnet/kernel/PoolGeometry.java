package dev.simdnet.kernel;

/** Max pooling over an NHWC batch {@code (batch, inH, inW, channels)}, window {@code size}, no padding. */
public record PoolGeometry(int batch, int inH, int inW, int channels, int size, int stride) {
    public PoolGeometry {
        if (batch < 1 || inH < size || inW < size || channels < 1 || size < 1 || stride < 1)
            throw new IllegalArgumentException("invalid pooling " + this);
    }

    public int outH() { return (inH - size) / stride + 1; }
    public int outW() { return (inW - size) / stride + 1; }
    public int inputSize() { return batch * inH * inW * channels; }
    public int outputSize() { return batch * outH() * outW() * channels; }
}
