package dev.simdnet.kernel;

/**
 * The shape of one 2-D convolution over an NHWC batch: input {@code (batch, inH, inW, inC)},
 * weights {@code (outC, kH, kW, inC)}, output {@code (batch, outH, outW, outC)}.
 *
 * <p>In GEMM form the output is {@code (rows × outC) = col(rows × cols) · Wᵀ(cols × outC)},
 * with {@code rows = batch·outH·outW} and {@code cols = kH·kW·inC}; a row of the im2col matrix
 * holds one output pixel's receptive field in {@code (kh, kw, c)} order.
 */
public record ConvGeometry(int batch, int inH, int inW, int inC, int outC, int kH, int kW, int stride, int pad) {
    public ConvGeometry {
        if (batch < 1 || inH < 1 || inW < 1 || inC < 1 || outC < 1 || kH < 1 || kW < 1 || stride < 1 || pad < 0)
            throw new IllegalArgumentException("invalid convolution " + this);
        if (inH + 2 * pad < kH || inW + 2 * pad < kW)
            throw new IllegalArgumentException("kernel larger than padded input in " + this);
    }

    public int outH() { return (inH + 2 * pad - kH) / stride + 1; }
    public int outW() { return (inW + 2 * pad - kW) / stride + 1; }
    /** Rows of the im2col matrix: one per output pixel of the batch. */
    public int rows() { return batch * outH() * outW(); }
    /** Columns of the im2col matrix: one receptive field. */
    public int cols() { return kH * kW * inC; }
    public int inputSize() { return batch * inH * inW * inC; }
    public int outputSize() { return rows() * outC; }
    public int weightSize() { return outC * cols(); }
    /** Multiply-adds of the forward pass. */
    public long macs() { return (long) rows() * cols() * outC; }
    /** The same convolution over {@code n} images. */
    public ConvGeometry withBatch(int n) { return new ConvGeometry(n, inH, inW, inC, outC, kH, kW, stride, pad); }
}
