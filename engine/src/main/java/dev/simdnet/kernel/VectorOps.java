package dev.simdnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static dev.simdnet.kernel.ScalarOps.MIN_CHUNK;
import static dev.simdnet.kernel.ScalarOps.REDUCE_BLOCK;

/**
 * The Vector API twins of {@link ScalarOps}: loops over {@link #F} with {@code loopBound} and a scalar tail.
 * Each task's loop is one flat static method so no vector crosses a call.
 *
 * <p>Per-channel work over a {@code rows × channels} matrix (bias, batch norm) is vectorized by periods: a
 * run of {@code lcm(channels, lanes)} floats covers whole rows and whole vectors, so a per-channel
 * coefficient expanded to that length lines up with every vector whatever the channel count (20 channels:
 * a period of 40 floats, 5 vectors, 2 rows).
 */
final class VectorOps {
    private VectorOps() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    // ---------------------------------------------------------------- reductions and exp in a fixed order

    // Why not reduceLanes(ADD) and lanewise(EXP): the Vector API lets both give different bits in compiled and
    // interpreted code (C2 adds the lanes as a tree and calls SVML's exp; the fallback adds in lane order and
    // calls Math.exp), so a result depended on how far the JIT had got. A run resumed in a fresh JVM then
    // ended 1 ulp away from an uninterrupted one on AVX2 (issue 15). Lane-wise add, mul and fma are exact
    // IEEE operations in both, so everything below is built from them and gives the same bits however it runs.

    /** The lanes of {@code v} added in lane order, 0 to {@code L - 1}. Once per row, so its cost does not show. */
    static float sumLanes(FloatVector v) {
        float[] lanes = v.toArray();
        float sum = 0f;
        for (float lane : lanes) sum += lane;
        return sum;
    }

    static final float EXP_HI = 88.72283f;     // ln(Float.MAX_VALUE): above it, +Infinity
    static final float EXP_LO = -104f;         // below ln(smallest subnormal / 2): 0
    static final float LOG2E = 1.44269504089f;
    static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    static final float ROUND = 12582912f;      // 1.5 · 2^23: adding and subtracting it rounds to an integer

    /**
     * e^x lane by lane (Cephes' expf: x = k·ln2 + r with |r| ≤ ln2/2, a degree-7 polynomial for e^r, then
     * times 2^k), within 2 ulps of {@link Math#exp} over the whole float range (OpsTest); NaN stays NaN.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector k = xc.fma(LOG2E, ROUND).sub(ROUND);                    // round(x / ln2), exactly integral
        FloatVector r = xc.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));            // k·LN2_HI is exact: few bits
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.mul(r).add(8.3334519073e-3f);
        p = p.mul(r).add(4.1665795894e-2f);
        p = p.mul(r).add(1.6666665459e-1f);
        p = p.mul(r).add(5.0000001201e-1f);
        FloatVector y = p.mul(r.mul(r)).add(r).add(1f);                      // e^r
        // 2^k as two normal powers of two, 2^(k/2) · 2^(k - k/2), so k from -150 to 128 never leaves the range.
        IntVector ki = (IntVector) k.convert(VectorOperators.F2I, 0);
        IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1), k2 = ki.sub(k1);
        FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector e = y.mul(s1).mul(s2);
        return e.blend(x.broadcast(Float.POSITIVE_INFINITY), x.compare(VectorOperators.GT, EXP_HI));
    }

    // ---------------------------------------------------------------- ReLU

    static void reluForward(Parallel parallel, int n, float[] x, int xOff, float[] y, int yOff) {
        parallel.forRange(n, MIN_CHUNK, (from, to) -> reluForward(x, xOff + from, y, yOff + from, to - from));
    }

    private static void reluForward(float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector zero = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L)
            FloatVector.fromArray(F, x, xOff + i).max(zero).intoArray(y, yOff + i);
        for (; i < n; i++) y[yOff + i] = Math.max(x[xOff + i], 0f);
    }

    static void reluBackward(Parallel parallel, int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        parallel.forRange(n, MIN_CHUNK, (from, to) -> reluBackward(y, yOff + from, dy, dyOff + from, dx, dxOff + from, to - from));
    }

    private static void reluBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        FloatVector zero = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            VectorMask<Float> active = FloatVector.fromArray(F, y, yOff + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(F, dy, dyOff + i), active).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) dx[dxOff + i] = y[yOff + i] > 0f ? dy[dyOff + i] : 0f;
    }

    // ---------------------------------------------------------------- periods of rows × channels

    /** {@code lcm(channels, lanes)}: the floats of a whole number of rows and of vectors. */
    static int period(int channels) {
        int a = channels, b = L;
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return channels / a * L;
    }

    /** {@code values} (one per channel) repeated to fill a period. */
    private static float[] expand(float[] values, int channels, int period) {
        float[] e = new float[period];
        for (int j = 0; j < period; j++) e[j] = values[j % channels];
        return e;
    }

    static void biasAdd(Parallel parallel, int rows, int cols, float[] x, int xOff, float[] bias, int biasOff) {
        int p = period(cols);
        float[] one = new float[p];
        java.util.Arrays.fill(one, 1f);
        float[] b = new float[cols];
        System.arraycopy(bias, biasOff, b, 0, cols);
        float[] shift = expand(b, cols, p);
        parallel.forRange(rows, Math.max(1, MIN_CHUNK / cols), (from, to) ->
                scaleShift(x, xOff + from * cols, one, shift, x, xOff + from * cols, (to - from) * cols, p));
    }

    /**
     * {@code y = x·scale + shift} over {@code n} floats starting at a row boundary, with coefficients expanded
     * to a period {@code p}.
     */
    private static void scaleShift(float[] x, int xOff, float[] scale, float[] shift, float[] y, int yOff, int n, int p) {
        int pos = 0;
        for (; pos + p <= n; pos += p) {
            for (int j = 0; j < p; j += L) {
                FloatVector v = FloatVector.fromArray(F, x, xOff + pos + j);
                v.fma(FloatVector.fromArray(F, scale, j), FloatVector.fromArray(F, shift, j)).intoArray(y, yOff + pos + j);
            }
        }
        int j = 0;
        for (; pos + j + L <= n; j += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + pos + j);
            v.fma(FloatVector.fromArray(F, scale, j), FloatVector.fromArray(F, shift, j)).intoArray(y, yOff + pos + j);
        }
        for (; pos + j < n; j++) y[yOff + pos + j] = Math.fma(x[xOff + pos + j], scale[j], shift[j]);
    }

    static void biasGrad(Parallel parallel, int rows, int cols, float[] dy, int dyOff, float[] db, int dbOff) {
        double[] total = columnSums(parallel, rows, cols, dy, dyOff);
        for (int c = 0; c < cols; c++) db[dbOff + c] += (float) total[c];
    }

    /** Per-column sums in blocks of {@link ScalarOps#REDUCE_BLOCK} rows (float), added in block order (double). */
    private static double[] columnSums(Parallel parallel, int rows, int cols, float[] a, int aOff) {
        int p = period(cols);
        int blocks = (rows + REDUCE_BLOCK - 1) / REDUCE_BLOCK;
        float[] partial = new float[blocks * cols]; // (blocks, cols)
        parallel.forEach(blocks, b -> {
            int r0 = b * REDUCE_BLOCK;
            int r1 = Math.min(rows, r0 + REDUCE_BLOCK);
            columnSumsBlock(a, aOff, r0, r1, cols, p, partial, b * cols);
        });
        return ScalarOps.addBlocks(partial, blocks, cols);
    }

    /** Adds the column sums of rows [r0, r1) to {@code out[outOff + c]}. */
    private static void columnSumsBlock(float[] a, int aOff, int r0, int r1, int cols, int p, float[] out, int outOff) {
        int rowsPerPeriod = p / cols;
        int periods = (r1 - r0) / rowsPerPeriod;
        int base = aOff + r0 * cols;
        float[] lanes = new float[p];
        for (int j = 0; j < p; j += L) {
            // Two chains so the adds overlap.
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = FloatVector.zero(F);
            int s = 0;
            for (; s + 1 < periods; s += 2) {
                acc0 = acc0.add(FloatVector.fromArray(F, a, base + s * p + j));
                acc1 = acc1.add(FloatVector.fromArray(F, a, base + (s + 1) * p + j));
            }
            if (s < periods) acc0 = acc0.add(FloatVector.fromArray(F, a, base + s * p + j));
            acc0.add(acc1).intoArray(lanes, j);
        }
        for (int j = 0; j < p; j++) out[outOff + j % cols] += lanes[j];
        for (int r = r0 + periods * rowsPerPeriod; r < r1; r++)
            for (int c = 0; c < cols; c++) out[outOff + c] += a[aOff + r * cols + c];
    }

    // ---------------------------------------------------------------- softmax

    static double softmaxCrossEntropy(Parallel parallel, int rows, int classes, float[] logits, int logitsOff, int[] labels, int labelsOff, float eps, float[] probs, int probsOff, float[] dlogits, int dlogitsOff) {
        double[] rowLoss = new double[rows];
        parallel.forRange(rows, 64, (from, to) -> {
            float[] e = new float[classes];
            for (int r = from; r < to; r++) {
                int label = labels[labelsOff + r];
                ScalarOps.checkLabel(label, classes, r);
                rowLoss[r] = softmaxCrossEntropyRow(classes, logits, logitsOff + r * classes, label, eps, rows, e,
                        probs, probsOff + r * classes, dlogits, dlogitsOff + r * classes);
            }
        });
        double loss = 0;
        for (double l : rowLoss) loss += l;
        return loss;
    }

    /** One row of the fused softmax and cross-entropy; {@code e} is scratch of {@code classes} floats. */
    private static double softmaxCrossEntropyRow(int classes, float[] x, int off, int label, float eps, int rows, float[] e,
                                                 float[] probs, int probsOff, float[] dlogits, int dlogitsOff) {
        int bound = F.loopBound(classes);
        float max = Float.NEGATIVE_INFINITY;
        float sumLogits = 0f;
        int c = 0;
        if (bound > 0) {
            FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            FloatVector vsum = FloatVector.zero(F);
            for (; c < bound; c += L) {
                FloatVector v = FloatVector.fromArray(F, x, off + c);
                vmax = vmax.max(v);
                vsum = vsum.add(v);
            }
            max = vmax.reduceLanes(VectorOperators.MAX);
            sumLogits = sumLanes(vsum);
        }
        for (; c < classes; c++) {
            max = Math.max(max, x[off + c]);
            sumLogits += x[off + c];
        }
        float sumExp = 0f;
        c = 0;
        if (bound > 0) {
            FloatVector vsum = FloatVector.zero(F);
            for (; c < bound; c += L) {
                FloatVector v = exp(FloatVector.fromArray(F, x, off + c).sub(max));
                v.intoArray(e, c);
                vsum = vsum.add(v);
            }
            sumExp = sumLanes(vsum);
        }
        for (; c < classes; c++) {
            e[c] = (float) Math.exp(x[off + c] - max);
            sumExp += e[c];
        }
        float inv = 1f / sumExp;
        float offTarget = eps / classes;
        float onTarget = 1f - eps + offTarget;
        float invRows = 1f / rows;
        for (c = 0; c < classes; c++) {
            float p = e[c] * inv;
            if (probs != null) probs[probsOff + c] = p;
            if (dlogits != null) dlogits[dlogitsOff + c] = (p - (c == label ? onTarget : offTarget)) * invRows;
        }
        double logSum = Math.log(sumExp) + max;
        return logSum - ((1.0 - eps) * x[off + label] + (double) offTarget * sumLogits);
    }

    static void softmax(Parallel parallel, int rows, int classes, float[] logits, int logitsOff, float[] probs, int probsOff) {
        parallel.forRange(rows, 64, (from, to) -> {
            for (int r = from; r < to; r++) softmaxRow(classes, logits, logitsOff + r * classes, probs, probsOff + r * classes);
        });
    }

    private static void softmaxRow(int classes, float[] x, int off, float[] p, int pOff) {
        int bound = F.loopBound(classes);
        float max = Float.NEGATIVE_INFINITY;
        int c = 0;
        if (bound > 0) {
            FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; c < bound; c += L) vmax = vmax.max(FloatVector.fromArray(F, x, off + c));
            max = vmax.reduceLanes(VectorOperators.MAX);
        }
        for (; c < classes; c++) max = Math.max(max, x[off + c]);
        float sum = 0f;
        c = 0;
        if (bound > 0) {
            FloatVector vsum = FloatVector.zero(F);
            for (; c < bound; c += L) {
                FloatVector v = exp(FloatVector.fromArray(F, x, off + c).sub(max));
                v.intoArray(p, pOff + c);
                vsum = vsum.add(v);
            }
            sum = sumLanes(vsum);
        }
        for (; c < classes; c++) {
            float v = (float) Math.exp(x[off + c] - max);
            p[pOff + c] = v;
            sum += v;
        }
        float inv = 1f / sum;
        c = 0;
        for (; c < bound; c += L) FloatVector.fromArray(F, p, pOff + c).mul(inv).intoArray(p, pOff + c);
        for (; c < classes; c++) p[pOff + c] *= inv;
    }

    // ---------------------------------------------------------------- dropout

    static void dropoutForward(Parallel parallel, int n, float p, long seed, float[] x, int xOff, float[] mask, int maskOff, float[] y, int yOff) {
        int key0 = ScalarOps.dropKey0(seed);
        int key1 = ScalarOps.dropKey1(seed);
        int threshold = ScalarOps.dropThreshold(p);
        float scale = p >= 1f ? 0f : 1f / (1f - p);
        parallel.forRange(n, MIN_CHUNK, (from, to) -> dropoutRange(from, to, key0, key1, threshold, scale, x, xOff, mask, maskOff, y, yOff));
    }

    /** Elements [from, to): the same 32-bit hash as {@link ScalarOps#mix32}, 8 lanes at a time on AVX2. */
    private static void dropoutRange(int from, int to, int key0, int key1, int threshold, float scale,
                                     float[] x, int xOff, float[] mask, int maskOff, float[] y, int yOff) {
        IntVector lane = IntVector.zero(I).addIndex(1); // 0, 1, 2, ...
        FloatVector zero = FloatVector.zero(F);
        FloatVector keepValue = FloatVector.broadcast(F, scale);
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
            IntVector h = lane.add(i + key0);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x7FEB352D);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 15)).mul(0x846CA68B);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
            h = h.lanewise(VectorOperators.XOR, key1);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x7FEB352D);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 15)).mul(0x846CA68B);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
            VectorMask<Float> keep = h.lanewise(VectorOperators.LSHR, 8).compare(VectorOperators.GE, threshold).cast(F);
            FloatVector m = zero.blend(keepValue, keep);
            m.intoArray(mask, maskOff + i);
            FloatVector.fromArray(F, x, xOff + i).mul(m).intoArray(y, yOff + i);
        }
        for (; i < to; i++) {
            int u = ScalarOps.mix32(ScalarOps.mix32(i + key0) ^ key1) >>> 8;
            float m = u >= threshold ? scale : 0f;
            mask[maskOff + i] = m;
            y[yOff + i] = x[xOff + i] * m;
        }
    }

    static void dropoutBackward(Parallel parallel, int n, float[] mask, int maskOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        parallel.forRange(n, MIN_CHUNK, (from, to) -> multiply(mask, maskOff + from, dy, dyOff + from, dx, dxOff + from, to - from));
    }

    private static void multiply(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L)
            FloatVector.fromArray(F, a, aOff + i).mul(FloatVector.fromArray(F, b, bOff + i)).intoArray(out, outOff + i);
        for (; i < n; i++) out[outOff + i] = a[aOff + i] * b[bOff + i];
    }

    // ---------------------------------------------------------------- batch normalization

    static void batchNormForwardTraining(Parallel parallel, int rows, int channels, float[] x, int xOff, float[] gamma, float[] beta, float eps, float momentum, float[] runningMean, float[] runningVar, float[] saveMean, float[] saveInvStd, float[] y, int yOff) {
        int p = period(channels);
        double[] sum = columnSums(parallel, rows, channels, x, xOff);
        float[] mean = new float[channels];
        for (int c = 0; c < channels; c++) mean[c] = (float) (sum[c] / rows);
        float[] meanE = expand(mean, channels, p);
        int blocks = (rows + REDUCE_BLOCK - 1) / REDUCE_BLOCK;
        float[] partial = new float[blocks * channels];
        parallel.forEach(blocks, b -> {
            int r0 = b * REDUCE_BLOCK;
            centeredSquaresBlock(x, xOff, r0, Math.min(rows, r0 + REDUCE_BLOCK), channels, p, meanE, partial, b * channels);
        });
        double[] sq = ScalarOps.addBlocks(partial, blocks, channels);
        ScalarOps.updateStatistics(rows, channels, eps, momentum, runningMean, runningVar, saveMean, saveInvStd, mean, sq);
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            scale[c] = gamma[c] * saveInvStd[c];
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        float[] scaleE = expand(scale, channels, p);
        float[] shiftE = expand(shift, channels, p);
        parallel.forRange(rows, Math.max(1, MIN_CHUNK / channels), (from, to) ->
                scaleShift(x, xOff + from * channels, scaleE, shiftE, y, yOff + from * channels, (to - from) * channels, p));
    }

    /** Adds Σ (x - mean)² over rows [r0, r1) per channel to {@code out[outOff + c]}. */
    private static void centeredSquaresBlock(float[] a, int aOff, int r0, int r1, int cols, int p, float[] meanE, float[] out, int outOff) {
        int rowsPerPeriod = p / cols;
        int periods = (r1 - r0) / rowsPerPeriod;
        int base = aOff + r0 * cols;
        float[] lanes = new float[p];
        for (int j = 0; j < p; j += L) {
            FloatVector m = FloatVector.fromArray(F, meanE, j);
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = FloatVector.zero(F);
            int s = 0;
            for (; s + 1 < periods; s += 2) {
                FloatVector d0 = FloatVector.fromArray(F, a, base + s * p + j).sub(m);
                FloatVector d1 = FloatVector.fromArray(F, a, base + (s + 1) * p + j).sub(m);
                acc0 = d0.fma(d0, acc0);
                acc1 = d1.fma(d1, acc1);
            }
            if (s < periods) {
                FloatVector d0 = FloatVector.fromArray(F, a, base + s * p + j).sub(m);
                acc0 = d0.fma(d0, acc0);
            }
            acc0.add(acc1).intoArray(lanes, j);
        }
        for (int j = 0; j < p; j++) out[outOff + j % cols] += lanes[j];
        for (int r = r0 + periods * rowsPerPeriod; r < r1; r++)
            for (int c = 0; c < cols; c++) {
                float d = a[aOff + r * cols + c] - meanE[c];
                out[outOff + c] += d * d;
            }
    }

    static void batchNormForwardInference(Parallel parallel, int rows, int channels, float[] x, int xOff, float[] gamma, float[] beta, float eps, float[] runningMean, float[] runningVar, float[] y, int yOff) {
        int p = period(channels);
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        ScalarOps.inferenceScaleShift(channels, gamma, beta, eps, runningMean, runningVar, scale, shift);
        float[] scaleE = expand(scale, channels, p);
        float[] shiftE = expand(shift, channels, p);
        parallel.forRange(rows, Math.max(1, MIN_CHUNK / channels), (from, to) ->
                scaleShift(x, xOff + from * channels, scaleE, shiftE, y, yOff + from * channels, (to - from) * channels, p));
    }

    static void batchNormBackward(Parallel parallel, int rows, int channels, float[] x, int xOff, float[] dy, int dyOff, float[] gamma, float[] saveMean, float[] saveInvStd, float[] dx, int dxOff, float[] dgamma, float[] dbeta) {
        int p = period(channels);
        float[] meanE = expand(saveMean, channels, p);
        float[] invStdE = expand(saveInvStd, channels, p);
        int blocks = (rows + REDUCE_BLOCK - 1) / REDUCE_BLOCK;
        float[] partialDy = new float[blocks * channels];
        float[] partialDyXhat = new float[blocks * channels];
        parallel.forEach(blocks, b -> {
            int r0 = b * REDUCE_BLOCK;
            backwardSumsBlock(x, xOff, dy, dyOff, r0, Math.min(rows, r0 + REDUCE_BLOCK), channels, p, meanE, invStdE,
                    partialDy, partialDyXhat, b * channels);
        });
        double[] sumDy = ScalarOps.addBlocks(partialDy, blocks, channels);
        double[] sumDyXhat = ScalarOps.addBlocks(partialDyXhat, blocks, channels);
        float[] a = new float[channels];
        float[] bx = new float[channels];
        float[] c0 = new float[channels];
        ScalarOps.backwardCoefficients(rows, channels, gamma, saveMean, saveInvStd, dgamma, dbeta, sumDy, sumDyXhat, a, bx, c0);
        if (dx == null) return;
        float[] aE = expand(a, channels, p);
        float[] bE = expand(bx, channels, p);
        float[] cE = expand(c0, channels, p);
        parallel.forRange(rows, Math.max(1, MIN_CHUNK / channels), (from, to) -> {
            int start = from * channels;
            backwardDx(x, xOff + start, dy, dyOff + start, dx, dxOff + start, (to - from) * channels, p, aE, bE, cE);
        });
    }

    /** Adds Σ dy and Σ dy·x̂ over rows [r0, r1) per channel to {@code sumDy} and {@code sumDyXhat}. */
    private static void backwardSumsBlock(float[] x, int xOff, float[] dy, int dyOff, int r0, int r1, int cols, int p,
                                          float[] meanE, float[] invStdE, float[] sumDy, float[] sumDyXhat, int outOff) {
        int rowsPerPeriod = p / cols;
        int periods = (r1 - r0) / rowsPerPeriod;
        int xBase = xOff + r0 * cols;
        int dyBase = dyOff + r0 * cols;
        float[] lanesDy = new float[p];
        float[] lanesDyXhat = new float[p];
        for (int j = 0; j < p; j += L) {
            FloatVector m = FloatVector.fromArray(F, meanE, j);
            FloatVector is = FloatVector.fromArray(F, invStdE, j);
            FloatVector accDy = FloatVector.zero(F);
            FloatVector accDyXhat = FloatVector.zero(F);
            for (int s = 0; s < periods; s++) {
                FloatVector g = FloatVector.fromArray(F, dy, dyBase + s * p + j);
                FloatVector xhat = FloatVector.fromArray(F, x, xBase + s * p + j).sub(m).mul(is);
                accDy = accDy.add(g);
                accDyXhat = g.fma(xhat, accDyXhat);
            }
            accDy.intoArray(lanesDy, j);
            accDyXhat.intoArray(lanesDyXhat, j);
        }
        for (int j = 0; j < p; j++) {
            sumDy[outOff + j % cols] += lanesDy[j];
            sumDyXhat[outOff + j % cols] += lanesDyXhat[j];
        }
        for (int r = r0 + periods * rowsPerPeriod; r < r1; r++)
            for (int c = 0; c < cols; c++) {
                float g = dy[dyOff + r * cols + c];
                sumDy[outOff + c] += g;
                sumDyXhat[outOff + c] += g * ((x[xOff + r * cols + c] - meanE[c]) * invStdE[c]);
            }
    }

    /** {@code dx = a·dy + b·x + c} per channel over {@code n} floats from a row boundary, coefficients expanded to {@code p}. */
    private static void backwardDx(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n, int p,
                                   float[] aE, float[] bE, float[] cE) {
        int pos = 0;
        for (; pos + p <= n; pos += p) {
            for (int j = 0; j < p; j += L) {
                FloatVector bxc = FloatVector.fromArray(F, x, xOff + pos + j)
                        .fma(FloatVector.fromArray(F, bE, j), FloatVector.fromArray(F, cE, j));
                FloatVector.fromArray(F, dy, dyOff + pos + j).fma(FloatVector.fromArray(F, aE, j), bxc).intoArray(dx, dxOff + pos + j);
            }
        }
        int j = 0;
        for (; pos + j + L <= n; j += L) {
            FloatVector bxc = FloatVector.fromArray(F, x, xOff + pos + j)
                    .fma(FloatVector.fromArray(F, bE, j), FloatVector.fromArray(F, cE, j));
            FloatVector.fromArray(F, dy, dyOff + pos + j).fma(FloatVector.fromArray(F, aE, j), bxc).intoArray(dx, dxOff + pos + j);
        }
        for (; pos + j < n; j++) {
            int k = pos + j;
            dx[dxOff + k] = aE[j] * dy[dyOff + k] + (bE[j] * x[xOff + k] + cE[j]);
        }
    }

    // ---------------------------------------------------------------- optimizer updates

    static void sgdUpdate(Parallel parallel, int n, float[] w, float[] g, float[] velocity, float lr, float momentum, float weightDecay, boolean nesterov) {
        parallel.forRange(n, MIN_CHUNK, (from, to) -> sgdRange(from, to, w, g, velocity, lr, momentum, weightDecay, nesterov));
    }

    private static void sgdRange(int from, int to, float[] w, float[] g, float[] velocity, float lr, float momentum, float weightDecay, boolean nesterov) {
        FloatVector wd = FloatVector.broadcast(F, weightDecay);
        FloatVector mu = FloatVector.broadcast(F, momentum);
        FloatVector negLr = FloatVector.broadcast(F, -lr);
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
            FloatVector wv = FloatVector.fromArray(F, w, i);
            FloatVector grad = wv.fma(wd, FloatVector.fromArray(F, g, i));
            FloatVector v = FloatVector.fromArray(F, velocity, i).fma(mu, grad);
            v.intoArray(velocity, i);
            FloatVector step = nesterov ? v.fma(mu, grad) : v;
            step.fma(negLr, wv).intoArray(w, i);
        }
        for (; i < to; i++) {
            float grad = g[i] + weightDecay * w[i];
            float v = momentum * velocity[i] + grad;
            velocity[i] = v;
            w[i] -= lr * (nesterov ? grad + momentum * v : v);
        }
    }

    static void adamUpdate(Parallel parallel, int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1, float beta2, float eps, float weightDecay, long step) {
        float invBias1 = (float) (1.0 / (1.0 - Math.pow(beta1, step)));
        float invBias2 = (float) (1.0 / (1.0 - Math.pow(beta2, step)));
        parallel.forRange(n, MIN_CHUNK, (from, to) -> adamRange(from, to, w, g, m, v, lr, beta1, beta2, eps, weightDecay, invBias1, invBias2));
    }

    private static void adamRange(int from, int to, float[] w, float[] g, float[] m, float[] v, float lr, float beta1, float beta2,
                                  float eps, float weightDecay, float invBias1, float invBias2) {
        float oneMinusB1 = 1f - beta1;
        float oneMinusB2 = 1f - beta2;
        FloatVector negLr = FloatVector.broadcast(F, -lr);
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
            FloatVector grad = FloatVector.fromArray(F, g, i);
            FloatVector mi = FloatVector.fromArray(F, m, i).mul(beta1).add(grad.mul(oneMinusB1));
            FloatVector vi = FloatVector.fromArray(F, v, i).mul(beta2).add(grad.mul(grad).mul(oneMinusB2));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector wv = FloatVector.fromArray(F, w, i);
            FloatVector denom = vi.mul(invBias2).sqrt().add(eps);
            FloatVector update = mi.mul(invBias1).div(denom).add(wv.mul(weightDecay));
            update.fma(negLr, wv).intoArray(w, i);
        }
        for (; i < to; i++) {
            float gi = g[i];
            float mi = beta1 * m[i] + oneMinusB1 * gi;
            float vi = beta2 * v[i] + oneMinusB2 * (gi * gi);
            m[i] = mi;
            v[i] = vi;
            float update = (mi * invBias1) / ((float) Math.sqrt(vi * invBias2) + eps) + weightDecay * w[i];
            w[i] -= lr * update;
        }
    }
}
