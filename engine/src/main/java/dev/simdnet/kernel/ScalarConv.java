package dev.simdnet.kernel;

/**
 * The reference convolution and pooling kernels: one element at a time, written to be obviously right.
 * The convolution itself is the shared im2col + GEMM composition in {@link Convolution}, run on the scalar
 * im2col and sgemm. Work is split over images, so every task owns whole images of the output.
 */
final class ScalarConv {
    private ScalarConv() {}

    static void im2col(Parallel parallel, ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
        int inH = g.inH(), inW = g.inW(), inC = g.inC(), outH = g.outH(), outW = g.outW();
        int cols = g.cols(), rowsPerImage = outH * outW, imageSize = inH * inW * inC;
        parallel.forRange(g.batch(), 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        int dst = colOff + ((b * rowsPerImage) + oh * outW + ow) * cols;
                        for (int kh = 0; kh < g.kH(); kh++) {
                            int ih = oh * g.stride() - g.pad() + kh;
                            for (int kw = 0; kw < g.kW(); kw++) {
                                int iw = ow * g.stride() - g.pad() + kw;
                                boolean inside = ih >= 0 && ih < inH && iw >= 0 && iw < inW;
                                int src = xOff + b * imageSize + (ih * inW + iw) * inC;
                                for (int c = 0; c < inC; c++) col[dst++] = inside ? x[src + c] : 0f;
                            }
                        }
                    }
                }
            }
        });
    }

    static void col2im(Parallel parallel, ConvGeometry g, float[] col, int colOff, float[] dx, int dxOff) {
        int inH = g.inH(), inW = g.inW(), inC = g.inC(), outH = g.outH(), outW = g.outW();
        int cols = g.cols(), rowsPerImage = outH * outW, imageSize = inH * inW * inC;
        parallel.forRange(g.batch(), 1, (from, to) -> {
            java.util.Arrays.fill(dx, dxOff + from * imageSize, dxOff + to * imageSize, 0f);
            for (int b = from; b < to; b++) {
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        int src = colOff + ((b * rowsPerImage) + oh * outW + ow) * cols;
                        for (int kh = 0; kh < g.kH(); kh++) {
                            int ih = oh * g.stride() - g.pad() + kh;
                            for (int kw = 0; kw < g.kW(); kw++, src += inC) {
                                int iw = ow * g.stride() - g.pad() + kw;
                                if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) continue;
                                int dst = dxOff + b * imageSize + (ih * inW + iw) * inC;
                                for (int c = 0; c < inC; c++) dx[dst + c] += col[src + c];
                            }
                        }
                    }
                }
            }
        });
    }

    static void conv2dForward(Kernels k, ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff, float[] y, int yOff) {
        Convolution.forward(k, g, x, xOff, w, wOff, bias, biasOff, y, yOff);
    }

    static void conv2dBackward(Kernels k, ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] dy, int dyOff, float[] dx, int dxOff, float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        Convolution.backward(k, g, x, xOff, w, wOff, dy, dyOff, dx, dxOff, dw, dwOff, dbias, dbiasOff);
    }

    static void maxPoolForward(Parallel parallel, PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax) {
        int inH = g.inH(), inW = g.inW(), ch = g.channels(), outH = g.outH(), outW = g.outW();
        int inImage = inH * inW * ch, outImage = outH * outW * ch;
        parallel.forRange(g.batch(), 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        for (int c = 0; c < ch; c++) {
                            int best = b * inImage + ((oh * g.stride()) * inW + ow * g.stride()) * ch + c;
                            float max = x[xOff + best];
                            for (int i = 0; i < g.size(); i++) {
                                for (int j = 0; j < g.size(); j++) {
                                    int idx = b * inImage + ((oh * g.stride() + i) * inW + ow * g.stride() + j) * ch + c;
                                    if (x[xOff + idx] > max) {
                                        max = x[xOff + idx];
                                        best = idx;
                                    }
                                }
                            }
                            int o = b * outImage + (oh * outW + ow) * ch + c;
                            y[yOff + o] = max;
                            argmax[o] = best;
                        }
                    }
                }
            }
        });
    }

    static void maxPoolBackward(Parallel parallel, PoolGeometry g, float[] dy, int dyOff, int[] argmax, float[] dx, int dxOff) {
        int inImage = g.inH() * g.inW() * g.channels(), outImage = g.outH() * g.outW() * g.channels();
        // Each window's maximum lies in its own image, so a task that owns whole images owns its writes.
        parallel.forRange(g.batch(), 1, (from, to) -> {
            java.util.Arrays.fill(dx, dxOff + from * inImage, dxOff + to * inImage, 0f);
            for (int o = from * outImage; o < to * outImage; o++) dx[dxOff + argmax[o]] += dy[dyOff + o];
        });
    }
}
