package dev.simdnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API convolution and pooling. In NHWC a receptive field's row {@code (kw, c)} is one contiguous run
 * of {@code kW·inC} floats, so im2col copies whole runs (System.arraycopy: 10 to 30% faster than a vector
 * copy loop on runs of 48 to 100 floats) and col2im adds whole runs with vectors; pooling works on vectors
 * of channels.
 * A single-input-channel convolution (the first layer of an image network) skips im2col altogether:
 * {@link #directForward} and {@link #directBackwardWeights} vectorize over output channels, six pixels or
 * six taps at a time.
 */
final class VectorConv {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Argmax indices travel in int vectors of the same lane count. */
    private static final VectorSpecies<Integer> INDEX = SPECIES.withLanes(int.class);

    private VectorConv() {}

    static void im2col(Parallel parallel, ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
        int inH = g.inH(), inW = g.inW(), inC = g.inC(), outH = g.outH(), outW = g.outW(), kW = g.kW();
        int stride = g.stride(), pad = g.pad(), run = kW * inC;
        int cols = g.cols(), rowsPerImage = outH * outW, imageSize = inH * inW * inC;
        parallel.forRange(g.batch(), 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                int dst = colOff + b * rowsPerImage * cols;
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        int iw0 = ow * stride - pad;
                        // kw in [lo, hi) reads inside the image; the rest of the run is padding
                        int lo = Math.max(0, -iw0) * inC, hi = Math.min(kW, inW - iw0) * inC;
                        for (int kh = 0; kh < g.kH(); kh++, dst += run) {
                            int ih = oh * stride - pad + kh;
                            if (ih < 0 || ih >= inH || lo >= hi) {
                                for (int i = 0; i < run; i++) col[dst + i] = 0f;
                                continue;
                            }
                            for (int i = 0; i < lo; i++) col[dst + i] = 0f;
                            int src = xOff + b * imageSize + (ih * inW + iw0) * inC;
                            System.arraycopy(x, src + lo, col, dst + lo, hi - lo);
                            for (int i = hi; i < run; i++) col[dst + i] = 0f;
                        }
                    }
                }
            }
        });
    }

    static void col2im(Parallel parallel, ConvGeometry g, float[] col, int colOff, float[] dx, int dxOff) {
        int inH = g.inH(), inW = g.inW(), inC = g.inC(), outH = g.outH(), outW = g.outW(), kW = g.kW();
        int stride = g.stride(), pad = g.pad(), run = kW * inC;
        int cols = g.cols(), rowsPerImage = outH * outW, imageSize = inH * inW * inC;
        parallel.forRange(g.batch(), 1, (from, to) -> {
            java.util.Arrays.fill(dx, dxOff + from * imageSize, dxOff + to * imageSize, 0f);
            for (int b = from; b < to; b++) {
                int src = colOff + b * rowsPerImage * cols;
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        int iw0 = ow * stride - pad;
                        int lo = Math.max(0, -iw0) * inC, hi = Math.min(kW, inW - iw0) * inC;
                        for (int kh = 0; kh < g.kH(); kh++, src += run) {
                            int ih = oh * stride - pad + kh;
                            if (ih < 0 || ih >= inH || lo >= hi) continue;
                            int dst = dxOff + b * imageSize + (ih * inW + iw0) * inC;
                            int i = lo;
                            for (int bound = lo + SPECIES.loopBound(hi - lo); i < bound; i += SPECIES.length()) {
                                FloatVector.fromArray(SPECIES, dx, dst + i)
                                        .add(FloatVector.fromArray(SPECIES, col, src + i))
                                        .intoArray(dx, dst + i);
                            }
                            for (; i < hi; i++) dx[dst + i] += col[src + i];
                        }
                    }
                }
            }
        });
    }

    static void conv2dForward(Kernels k, ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff, float[] y, int yOff) {
        if (useDirect(g)) directForward(k.parallel(), k.workspace(), g, x, xOff, w, wOff, bias, biasOff, y, yOff);
        else Convolution.forward(k, g, x, xOff, w, wOff, bias, biasOff, y, yOff);
    }

    static void conv2dBackward(Kernels k, ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] dy, int dyOff, float[] dx, int dxOff, float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        if (dx == null && useDirectBackward(g))
            directBackwardWeights(k.parallel(), k.workspace(), g, x, xOff, dy, dyOff, dw, dwOff, dbias, dbiasOff);
        else
            Convolution.backward(k, g, x, xOff, w, wOff, dy, dyOff, dx, dxOff, dw, dwOff, dbias, dbiasOff);
    }

    /**
     * The direct kernel serves single-channel inputs, where im2col+GEMM is bound by memory, not arithmetic.
     * Measured at batch 128, one thread (Zen 5, 512-bit vectors), against im2col + the blocked Vector API
     * SGEMM: 5x5 1->20 on 28x28 1.3 ms direct vs 2.8 ms; 3x3 1->16 on 28x28 pad 1 0.75 ms vs 2.4 ms.
     */
    static boolean useDirect(ConvGeometry g) {
        return g.inC() == 1;
    }

    /**
     * The direct weight gradient serves single-channel inputs when no input gradient is wanted (a first
     * layer). Measured as above: 5x5 1->20 1.1 ms vs 4.1 ms for im2col + GEMM; 3x3 1->16 0.5 ms vs 3.9 ms.
     */
    static boolean useDirectBackward(ConvGeometry g) {
        return g.inC() == 1;
    }

    /**
     * {@code dw += dyᵀ·col} and {@code dbias += Σ dy} of a single-channel convolution without im2col:
     * {@code dw[o, t] = Σ_p dy[p, o]·x[p's tap t]}. Vectorized over output channels like the forward: for one
     * or two vectors of channels and a block of six taps, each output pixel loads its dy vectors once,
     * broadcasts its six input values and adds {@code dy·x} into 6 or 12 accumulators whose lanes are output
     * channels. The sums are kept per group of images (a number fixed by the batch, never by the thread
     * count) and the groups are added in order, so the result does not depend on the thread count.
     */
    static void directBackwardWeights(Parallel parallel, Workspace ws, ConvGeometry g, float[] x, int xOff,
                                      float[] dy, int dyOff, float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        int lanes = SPECIES.length();
        int outC = g.outC(), outCp = (outC + lanes - 1) / lanes * lanes, taps = g.kH() * g.kW(), tapsP = (taps + 5) / 6 * 6;
        int outH = g.outH(), outW = g.outW(), pixels = outH * outW, inH = g.inH(), inW = g.inW();
        int pad = g.pad(), stride = g.stride(), padW = inW + 2 * pad, padSize = (inH + 2 * pad) * padW;
        int pairs = outCp / (2 * lanes) * (2 * lanes); // channels [0, pairs) go two vectors at a time
        int[] offsets = new int[tapsP]; // of each tap from a pixel's top-left; the padding taps read offset 0
        for (int t = 0; t < taps; t++) offsets[t] = (t / g.kW()) * padW + t % g.kW();
        int groups = Math.min(g.batch(), Convolution.MAX_GROUPS);
        int sums = tapsP * outCp, partialSize = sums + outCp; // (tapsP, outCp) for dw, then (outCp) for dbias
        float[] partials = ws.take(groups * partialSize);
        try {
            parallel.forEach(groups, group -> {
                float[] img = ws.take(padSize);                // (inH + 2·pad, inW + 2·pad), zero border
                float[] tail = ws.take(pixels * outC + outCp); // the last image's dy, so the last vector reads in bounds
                java.util.Arrays.fill(img, 0, padSize, 0f);
                int at = group * partialSize;
                java.util.Arrays.fill(partials, at, at + partialSize, 0f);
                try {
                    for (int b = group * g.batch() / groups; b < (group + 1) * g.batch() / groups; b++) {
                        for (int h = 0; h < inH; h++)
                            System.arraycopy(x, xOff + (b * inH + h) * inW, img, (h + pad) * padW + pad, inW);
                        // dy (pixels, outC): a channel vector reads up to outCp - outC floats past its pixel
                        float[] d = dy;
                        int dAt = dyOff + b * pixels * outC;
                        if (dAt + pixels * outC + outCp - outC > dy.length) {
                            System.arraycopy(dy, dAt, tail, 0, pixels * outC);
                            java.util.Arrays.fill(tail, pixels * outC, pixels * outC + outCp, 0f);
                            d = tail;
                            dAt = 0;
                        }
                        for (int c0 = 0; c0 < outCp; c0 += lanes) {
                            FloatVector sum = FloatVector.zero(SPECIES);
                            for (int p = 0; p < pixels; p++) sum = sum.add(FloatVector.fromArray(SPECIES, d, dAt + p * outC + c0));
                            int s = at + sums + c0;
                            FloatVector.fromArray(SPECIES, partials, s).add(sum).intoArray(partials, s);
                        }
                        for (int c0 = 0; c0 < pairs; c0 += 2 * lanes) {
                            for (int t = 0; t < tapsP; t += 6) {
                                int o0 = offsets[t], o1 = offsets[t + 1], o2 = offsets[t + 2], o3 = offsets[t + 3], o4 = offsets[t + 4], o5 = offsets[t + 5];
                                FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
                                FloatVector e0 = a0, e1 = a0, e2 = a0, e3 = a0, e4 = a0, e5 = a0;
                                for (int oh = 0; oh < outH; oh++) {
                                    for (int ow = 0; ow < outW; ow++) {
                                        int dp = dAt + (oh * outW + ow) * outC + c0, base = oh * stride * padW + ow * stride;
                                        FloatVector dv = FloatVector.fromArray(SPECIES, d, dp);
                                        FloatVector du = FloatVector.fromArray(SPECIES, d, dp + lanes);
                                        FloatVector v;
                                        v = FloatVector.broadcast(SPECIES, img[base + o0]);
                                        a0 = dv.fma(v, a0);
                                        e0 = du.fma(v, e0);
                                        v = FloatVector.broadcast(SPECIES, img[base + o1]);
                                        a1 = dv.fma(v, a1);
                                        e1 = du.fma(v, e1);
                                        v = FloatVector.broadcast(SPECIES, img[base + o2]);
                                        a2 = dv.fma(v, a2);
                                        e2 = du.fma(v, e2);
                                        v = FloatVector.broadcast(SPECIES, img[base + o3]);
                                        a3 = dv.fma(v, a3);
                                        e3 = du.fma(v, e3);
                                        v = FloatVector.broadcast(SPECIES, img[base + o4]);
                                        a4 = dv.fma(v, a4);
                                        e4 = du.fma(v, e4);
                                        v = FloatVector.broadcast(SPECIES, img[base + o5]);
                                        a5 = dv.fma(v, a5);
                                        e5 = du.fma(v, e5);
                                    }
                                }
                                int s = at + t * outCp + c0;
                                FloatVector.fromArray(SPECIES, partials, s).add(a0).intoArray(partials, s);
                                FloatVector.fromArray(SPECIES, partials, s + 1 * outCp).add(a1).intoArray(partials, s + 1 * outCp);
                                FloatVector.fromArray(SPECIES, partials, s + 2 * outCp).add(a2).intoArray(partials, s + 2 * outCp);
                                FloatVector.fromArray(SPECIES, partials, s + 3 * outCp).add(a3).intoArray(partials, s + 3 * outCp);
                                FloatVector.fromArray(SPECIES, partials, s + 4 * outCp).add(a4).intoArray(partials, s + 4 * outCp);
                                FloatVector.fromArray(SPECIES, partials, s + 5 * outCp).add(a5).intoArray(partials, s + 5 * outCp);
                                FloatVector.fromArray(SPECIES, partials, s + lanes).add(e0).intoArray(partials, s + lanes);
                                FloatVector.fromArray(SPECIES, partials, s + 1 * outCp + lanes).add(e1).intoArray(partials, s + 1 * outCp + lanes);
                                FloatVector.fromArray(SPECIES, partials, s + 2 * outCp + lanes).add(e2).intoArray(partials, s + 2 * outCp + lanes);
                                FloatVector.fromArray(SPECIES, partials, s + 3 * outCp + lanes).add(e3).intoArray(partials, s + 3 * outCp + lanes);
                                FloatVector.fromArray(SPECIES, partials, s + 4 * outCp + lanes).add(e4).intoArray(partials, s + 4 * outCp + lanes);
                                FloatVector.fromArray(SPECIES, partials, s + 5 * outCp + lanes).add(e5).intoArray(partials, s + 5 * outCp + lanes);
                            }
                        }
                        for (int c0 = pairs; c0 < outCp; c0 += lanes) { // a last single vector of channels
                            for (int t = 0; t < tapsP; t += 6) {
                                int o0 = offsets[t], o1 = offsets[t + 1], o2 = offsets[t + 2], o3 = offsets[t + 3], o4 = offsets[t + 4], o5 = offsets[t + 5];
                                FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
                                for (int oh = 0; oh < outH; oh++) {
                                    for (int ow = 0; ow < outW; ow++) {
                                        int dp = dAt + (oh * outW + ow) * outC + c0, base = oh * stride * padW + ow * stride;
                                        FloatVector dv = FloatVector.fromArray(SPECIES, d, dp);
                                        a0 = dv.fma(FloatVector.broadcast(SPECIES, img[base + o0]), a0);
                                        a1 = dv.fma(FloatVector.broadcast(SPECIES, img[base + o1]), a1);
                                        a2 = dv.fma(FloatVector.broadcast(SPECIES, img[base + o2]), a2);
                                        a3 = dv.fma(FloatVector.broadcast(SPECIES, img[base + o3]), a3);
                                        a4 = dv.fma(FloatVector.broadcast(SPECIES, img[base + o4]), a4);
                                        a5 = dv.fma(FloatVector.broadcast(SPECIES, img[base + o5]), a5);
                                    }
                                }
                                int s = at + t * outCp + c0;
                                FloatVector.fromArray(SPECIES, partials, s).add(a0).intoArray(partials, s);
                                FloatVector.fromArray(SPECIES, partials, s + 1 * outCp).add(a1).intoArray(partials, s + 1 * outCp);
                                FloatVector.fromArray(SPECIES, partials, s + 2 * outCp).add(a2).intoArray(partials, s + 2 * outCp);
                                FloatVector.fromArray(SPECIES, partials, s + 3 * outCp).add(a3).intoArray(partials, s + 3 * outCp);
                                FloatVector.fromArray(SPECIES, partials, s + 4 * outCp).add(a4).intoArray(partials, s + 4 * outCp);
                                FloatVector.fromArray(SPECIES, partials, s + 5 * outCp).add(a5).intoArray(partials, s + 5 * outCp);
                            }
                        }
                    }
                } finally {
                    ws.give(tail);
                    ws.give(img);
                }
            });
            // Add the groups in order; dw is (outC, kH, kW, 1), i.e. (outC, taps).
            for (int o = 0; o < outC; o++) {
                for (int t = 0; t < taps; t++) {
                    float sum = 0f;
                    for (int group = 0; group < groups; group++) sum += partials[group * partialSize + t * outCp + o];
                    dw[dwOff + o * taps + t] += sum;
                }
                float sum = 0f;
                for (int group = 0; group < groups; group++) sum += partials[group * partialSize + sums + o];
                dbias[dbiasOff + o] += sum;
            }
        } finally {
            ws.give(partials);
        }
    }


    /**
     * Convolution of a single-channel input, vectorized over output channels: for a block of six output
     * pixels and one or two vectors of output channels, each tap broadcasts the six input values and adds
     * {@code x·w} into 6 or 12 accumulators (12 accumulators, 2 weight vectors and a broadcast fit the 16
     * registers of AVX2). Two channel vectors per broadcast halve the broadcasts, which bound this loop.
     * Weights are repacked {@code (taps + 1, outC rounded up to the vector)} with the bias last and zeros in
     * the padding lanes, so every load is a full vector; the zero-padded input makes every tap read in bounds.
     */
    static void directForward(Parallel parallel, Workspace ws, ConvGeometry g, float[] x, int xOff, float[] w, int wOff,
                              float[] bias, int biasOff, float[] y, int yOff) {
        int lanes = SPECIES.length();
        int outC = g.outC(), outCp = (outC + lanes - 1) / lanes * lanes, taps = g.kH() * g.kW();
        int kH = g.kH(), kW = g.kW(), stride = g.stride(), pad = g.pad(), outW = g.outW();
        int pixels = g.outH() * outW, inImage = g.inH() * g.inW();
        int padW = g.inW() + 2 * pad, padSize = (g.inH() + 2 * pad) * padW;
        int pairs = outCp / (2 * lanes) * (2 * lanes); // channels [0, pairs) go two vectors at a time
        float[] packed = ws.take((taps + 1) * outCp);  // (taps + 1, outCp)
        java.util.Arrays.fill(packed, 0, (taps + 1) * outCp, 0f);
        for (int oc = 0; oc < outC; oc++) {
            for (int t = 0; t < taps; t++) packed[t * outCp + oc] = w[wOff + oc * taps + t];
            packed[taps * outCp + oc] = bias[biasOff + oc];
        }
        try {
            parallel.forRange(g.batch(), 1, (from, to) -> {
                float[] img = pad > 0 ? ws.take(padSize) : null; // (inH + 2·pad, inW + 2·pad), zero border
                float[] last = new float[lanes];                    // a vector of the last, partial channels
                if (img != null) java.util.Arrays.fill(img, 0, padSize, 0f);
                try {
                    for (int b = from; b < to; b++) {
                        float[] in = x;
                        int inAt = xOff + b * inImage;
                        if (img != null) {
                            for (int h = 0; h < g.inH(); h++)
                                System.arraycopy(x, inAt + h * g.inW(), img, (h + pad) * padW + pad, g.inW());
                            in = img;
                            inAt = 0;
                        }
                        int yAt = yOff + b * pixels * outC;
                        int p = 0;
                        for (; p + 6 <= pixels; p += 6) {
                            // top-left input offset of each output pixel of the block
                            int b0 = inAt + base(p, outW, stride, padW);
                            int b1 = inAt + base(p + 1, outW, stride, padW);
                            int b2 = inAt + base(p + 2, outW, stride, padW);
                            int b3 = inAt + base(p + 3, outW, stride, padW);
                            int b4 = inAt + base(p + 4, outW, stride, padW);
                            int b5 = inAt + base(p + 5, outW, stride, padW);
                            for (int c0 = 0; c0 < pairs; c0 += 2 * lanes) {
                                FloatVector a0 = FloatVector.fromArray(SPECIES, packed, taps * outCp + c0);
                                FloatVector e0 = FloatVector.fromArray(SPECIES, packed, taps * outCp + c0 + lanes);
                                FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
                                FloatVector e1 = e0, e2 = e0, e3 = e0, e4 = e0, e5 = e0;
                                for (int kh = 0; kh < kH; kh++) {
                                    for (int kw = 0; kw < kW; kw++) {
                                        int o = kh * padW + kw, wAt = (kh * kW + kw) * outCp + c0;
                                        FloatVector wv = FloatVector.fromArray(SPECIES, packed, wAt);
                                        FloatVector wu = FloatVector.fromArray(SPECIES, packed, wAt + lanes);
                                        FloatVector v;
                                        v = FloatVector.broadcast(SPECIES, in[b0 + o]);
                                        a0 = v.fma(wv, a0);
                                        e0 = v.fma(wu, e0);
                                        v = FloatVector.broadcast(SPECIES, in[b1 + o]);
                                        a1 = v.fma(wv, a1);
                                        e1 = v.fma(wu, e1);
                                        v = FloatVector.broadcast(SPECIES, in[b2 + o]);
                                        a2 = v.fma(wv, a2);
                                        e2 = v.fma(wu, e2);
                                        v = FloatVector.broadcast(SPECIES, in[b3 + o]);
                                        a3 = v.fma(wv, a3);
                                        e3 = v.fma(wu, e3);
                                        v = FloatVector.broadcast(SPECIES, in[b4 + o]);
                                        a4 = v.fma(wv, a4);
                                        e4 = v.fma(wu, e4);
                                        v = FloatVector.broadcast(SPECIES, in[b5 + o]);
                                        a5 = v.fma(wv, a5);
                                        e5 = v.fma(wu, e5);
                                    }
                                }
                                int at = yAt + p * outC + c0, rest = outC - c0 - lanes; // the first vector is whole, the second maybe not
                                a0.intoArray(y, at);
                                a1.intoArray(y, at + 1 * outC);
                                a2.intoArray(y, at + 2 * outC);
                                a3.intoArray(y, at + 3 * outC);
                                a4.intoArray(y, at + 4 * outC);
                                a5.intoArray(y, at + 5 * outC);
                                if (rest >= lanes) {
                                    e0.intoArray(y, at + 0 * outC + lanes);
                                    e1.intoArray(y, at + 1 * outC + lanes);
                                    e2.intoArray(y, at + 2 * outC + lanes);
                                    e3.intoArray(y, at + 3 * outC + lanes);
                                    e4.intoArray(y, at + 4 * outC + lanes);
                                    e5.intoArray(y, at + 5 * outC + lanes);
                                } else {
                                    e0.intoArray(last, 0);
                                    System.arraycopy(last, 0, y, at + 0 * outC + lanes, rest);
                                    e1.intoArray(last, 0);
                                    System.arraycopy(last, 0, y, at + 1 * outC + lanes, rest);
                                    e2.intoArray(last, 0);
                                    System.arraycopy(last, 0, y, at + 2 * outC + lanes, rest);
                                    e3.intoArray(last, 0);
                                    System.arraycopy(last, 0, y, at + 3 * outC + lanes, rest);
                                    e4.intoArray(last, 0);
                                    System.arraycopy(last, 0, y, at + 4 * outC + lanes, rest);
                                    e5.intoArray(last, 0);
                                    System.arraycopy(last, 0, y, at + 5 * outC + lanes, rest);
                                }
                            }
                            for (int c0 = pairs; c0 < outCp; c0 += lanes) { // a last single vector of channels
                                FloatVector a0 = FloatVector.fromArray(SPECIES, packed, taps * outCp + c0);
                                FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
                                for (int kh = 0; kh < kH; kh++) {
                                    for (int kw = 0; kw < kW; kw++) {
                                        int o = kh * padW + kw;
                                        FloatVector wv = FloatVector.fromArray(SPECIES, packed, (kh * kW + kw) * outCp + c0);
                                        a0 = FloatVector.broadcast(SPECIES, in[b0 + o]).fma(wv, a0);
                                        a1 = FloatVector.broadcast(SPECIES, in[b1 + o]).fma(wv, a1);
                                        a2 = FloatVector.broadcast(SPECIES, in[b2 + o]).fma(wv, a2);
                                        a3 = FloatVector.broadcast(SPECIES, in[b3 + o]).fma(wv, a3);
                                        a4 = FloatVector.broadcast(SPECIES, in[b4 + o]).fma(wv, a4);
                                        a5 = FloatVector.broadcast(SPECIES, in[b5 + o]).fma(wv, a5);
                                    }
                                }
                                int at = yAt + p * outC + c0, rest = outC - c0;
                                if (rest >= lanes) {
                                    a0.intoArray(y, at + 0 * outC);
                                    a1.intoArray(y, at + 1 * outC);
                                    a2.intoArray(y, at + 2 * outC);
                                    a3.intoArray(y, at + 3 * outC);
                                    a4.intoArray(y, at + 4 * outC);
                                    a5.intoArray(y, at + 5 * outC);
                                } else {
                                    a0.intoArray(last, 0);
                                    System.arraycopy(last, 0, y, at + 0 * outC, rest);
                                    a1.intoArray(last, 0);
                                    System.arraycopy(last, 0, y, at + 1 * outC, rest);
                                    a2.intoArray(last, 0);
                                    System.arraycopy(last, 0, y, at + 2 * outC, rest);
                                    a3.intoArray(last, 0);
                                    System.arraycopy(last, 0, y, at + 3 * outC, rest);
                                    a4.intoArray(last, 0);
                                    System.arraycopy(last, 0, y, at + 4 * outC, rest);
                                    a5.intoArray(last, 0);
                                    System.arraycopy(last, 0, y, at + 5 * outC, rest);
                                }
                            }
                        }
                        for (; p < pixels; p++) { // the last pixels of the image, one at a time
                            int b0 = inAt + base(p, outW, stride, padW);
                            for (int c0 = 0; c0 < outCp; c0 += lanes) {
                                FloatVector a0 = FloatVector.fromArray(SPECIES, packed, taps * outCp + c0);
                                for (int kh = 0; kh < kH; kh++) {
                                    for (int kw = 0; kw < kW; kw++) {
                                        FloatVector wv = FloatVector.fromArray(SPECIES, packed, (kh * kW + kw) * outCp + c0);
                                        a0 = FloatVector.broadcast(SPECIES, in[b0 + kh * padW + kw]).fma(wv, a0);
                                    }
                                }
                                int at = yAt + p * outC + c0;
                                if (c0 + lanes <= outC) {
                                    a0.intoArray(y, at);
                                } else {
                                    a0.intoArray(last, 0);
                                    System.arraycopy(last, 0, y, at, outC - c0);
                                }
                            }
                        }
                    }
                } finally {
                    if (img != null) ws.give(img);
                }
            });
        } finally {
            ws.give(packed);
        }
    }


    /** Offset in the padded input of output pixel {@code p}'s receptive field (its top-left tap). */
    private static int base(int p, int outW, int stride, int padW) {
        return (p / outW) * stride * padW + (p % outW) * stride;
    }

    static void maxPoolForward(Parallel parallel, PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax) {
        int inW = g.inW(), ch = g.channels(), outH = g.outH(), outW = g.outW(), size = g.size(), stride = g.stride();
        int inImage = g.inH() * inW * ch, outImage = outH * outW * ch;
        int vectorEnd = ch >= SPECIES.length() ? ch : 0; // channels done with vectors
        IntVector iota = IntVector.zero(INDEX).addIndex(1);
        parallel.forRange(g.batch(), 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        int corner = b * inImage + ((oh * stride) * inW + ow * stride) * ch; // window's top-left, channel 0
                        int o = b * outImage + (oh * outW + ow) * ch;
                        // Whole vectors of channels; when channels is no multiple of the vector, the last vector
                        // starts at channels - lanes and recomputes a few channels (same values) instead of a tail.
                        int c = 0;
                        for (int next = 0; next < vectorEnd; next = c + SPECIES.length()) {
                            c = Math.min(next, ch - SPECIES.length());
                            FloatVector max = FloatVector.fromArray(SPECIES, x, xOff + corner + c);
                            IntVector best = iota.add(corner + c);
                            for (int i = 0; i < size; i++) {
                                for (int j = 0; j < size; j++) {
                                    int at = corner + (i * inW + j) * ch + c;
                                    FloatVector v = FloatVector.fromArray(SPECIES, x, xOff + at);
                                    VectorMask<Float> greater = v.compare(VectorOperators.GT, max);
                                    max = max.blend(v, greater);
                                    best = best.blend(iota.add(at), greater.cast(INDEX));
                                }
                            }
                            max.intoArray(y, yOff + o + c);
                            best.intoArray(argmax, o + c);
                        }
                        for (c = vectorEnd; c < ch; c++) { // fewer channels than one vector
                            int best = corner + c;
                            float max = x[xOff + best];
                            for (int i = 0; i < size; i++) {
                                for (int j = 0; j < size; j++) {
                                    int at = corner + (i * inW + j) * ch + c;
                                    float v = x[xOff + at];
                                    best = v > max ? at : best; // branch-free: random data mispredicts
                                    max = v > max ? v : max;
                                }
                            }
                            y[yOff + o + c] = max;
                            argmax[o + c] = best;
                        }
                    }
                }
            }
        });
    }

    static void maxPoolBackward(Parallel parallel, PoolGeometry g, float[] dy, int dyOff, int[] argmax, float[] dx, int dxOff) {
        // A scatter with possible repeats (overlapping windows): no vector form beats the plain loop on AVX2.
        ScalarConv.maxPoolBackward(parallel, g, dy, dyOff, argmax, dx, dxOff);
    }
}
