package dev.simdnet.kernel;

/**
 * The reference element-wise kernels, reductions and optimizer updates in plain Java: the test oracle for
 * {@link VectorOps}. Both classes follow the same order of operations (same blocks, same float/double
 * choices) so they agree to a few ulps, and the dropout masks agree bit for bit.
 *
 * <p>Threading: element-wise loops are split into disjoint ranges; reductions over rows (bias gradient,
 * batch-norm statistics) sum fixed blocks of {@link #REDUCE_BLOCK} rows in float and add the block sums in
 * block order in double, so the result never depends on the thread count.
 */
final class ScalarOps {
    private ScalarOps() {}

    /** Element-wise loops below this many elements per task are not worth a hand-off to the pool. */
    static final int MIN_CHUNK = 1 << 15;
    /** Rows per partial sum in the row reductions: short enough that a float sum stays accurate. */
    static final int REDUCE_BLOCK = 256;

    static void reluForward(Parallel parallel, int n, float[] x, int xOff, float[] y, int yOff) {
        parallel.forRange(n, MIN_CHUNK, (from, to) -> {
            // Math.max, not a conditional: branch-free, and the same NaN and -0 rules as the vector max.
            for (int i = from; i < to; i++) y[yOff + i] = Math.max(x[xOff + i], 0f);
        });
    }

    static void reluBackward(Parallel parallel, int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        parallel.forRange(n, MIN_CHUNK, (from, to) -> {
            for (int i = from; i < to; i++) dx[dxOff + i] = y[yOff + i] > 0f ? dy[dyOff + i] : 0f;
        });
    }

    static void biasAdd(Parallel parallel, int rows, int cols, float[] x, int xOff, float[] bias, int biasOff) {
        parallel.forRange(rows, Math.max(1, MIN_CHUNK / Math.max(1, cols)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int row = xOff + r * cols;
                for (int c = 0; c < cols; c++) x[row + c] += bias[biasOff + c];
            }
        });
    }

    static void biasGrad(Parallel parallel, int rows, int cols, float[] dy, int dyOff, float[] db, int dbOff) {
        double[] total = columnSums(parallel, rows, cols, dy, dyOff);
        for (int c = 0; c < cols; c++) db[dbOff + c] += (float) total[c];
    }

    /** Σ_r a[r, c] per column: float sums over blocks of {@link #REDUCE_BLOCK} rows, added in double in order. */
    private static double[] columnSums(Parallel parallel, int rows, int cols, float[] a, int aOff) {
        int blocks = (rows + REDUCE_BLOCK - 1) / REDUCE_BLOCK;
        float[] partial = new float[blocks * cols]; // (blocks, cols)
        parallel.forEach(blocks, b -> {
            int p = b * cols;
            for (int r = b * REDUCE_BLOCK, end = Math.min(rows, r + REDUCE_BLOCK); r < end; r++) {
                int row = aOff + r * cols;
                for (int c = 0; c < cols; c++) partial[p + c] += a[row + c];
            }
        });
        return addBlocks(partial, blocks, cols);
    }

    /** Sums the rows of a (blocks, cols) matrix of partial sums in double, in block order. */
    static double[] addBlocks(float[] partial, int blocks, int cols) {
        double[] total = new double[cols];
        for (int b = 0; b < blocks; b++)
            for (int c = 0; c < cols; c++) total[c] += partial[b * cols + c];
        return total;
    }

    static double softmaxCrossEntropy(Parallel parallel, int rows, int classes, float[] logits, int logitsOff, int[] labels, int labelsOff, float eps, float[] probs, int probsOff, float[] dlogits, int dlogitsOff) {
        double[] rowLoss = new double[rows];
        float offTarget = eps / classes;
        float onTarget = 1f - eps + offTarget;
        float invRows = 1f / rows;
        parallel.forRange(rows, 64, (from, to) -> {
            for (int r = from; r < to; r++) {
                int row = logitsOff + r * classes;
                int label = labels[labelsOff + r];
                checkLabel(label, classes, r);
                float max = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) max = Math.max(max, logits[row + c]);
                float sumExp = 0f;
                float sumLogits = 0f;
                for (int c = 0; c < classes; c++) {
                    sumExp += (float) Math.exp(logits[row + c] - max);
                    sumLogits += logits[row + c];
                }
                // -Σ t_c·log p_c = log Σexp + max - Σ t_c·x_c, as Σ t_c = 1.
                double logSum = Math.log(sumExp) + max;
                rowLoss[r] = logSum - ((1.0 - eps) * logits[row + label] + (double) offTarget * sumLogits);
                float inv = 1f / sumExp;
                for (int c = 0; c < classes; c++) {
                    float p = (float) Math.exp(logits[row + c] - max) * inv;
                    if (probs != null) probs[probsOff + r * classes + c] = p;
                    if (dlogits != null)
                        dlogits[dlogitsOff + r * classes + c] = (p - (c == label ? onTarget : offTarget)) * invRows;
                }
            }
        });
        double loss = 0;
        for (double l : rowLoss) loss += l;
        return loss;
    }

    static void checkLabel(int label, int classes, int row) {
        if (label < 0 || label >= classes)
            throw new IllegalArgumentException("label " + label + " of row " + row + " is not in [0, " + classes + ")");
    }

    static void softmax(Parallel parallel, int rows, int classes, float[] logits, int logitsOff, float[] probs, int probsOff) {
        parallel.forRange(rows, 64, (from, to) -> {
            for (int r = from; r < to; r++) {
                int row = logitsOff + r * classes;
                int out = probsOff + r * classes;
                float max = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) max = Math.max(max, logits[row + c]);
                float sum = 0f;
                for (int c = 0; c < classes; c++) {
                    float e = (float) Math.exp(logits[row + c] - max);
                    probs[out + c] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                for (int c = 0; c < classes; c++) probs[out + c] *= inv;
            }
        });
    }

    // ---------------------------------------------------------------- dropout

    /**
     * The two 32-bit keys of the dropout generator for a seed. Element i is kept when the top 24 bits of
     * {@code mix(mix(i + key0) ^ key1)} reach {@link #dropThreshold}. A 32-bit hash, not SplitMix64 per element:
     * AVX2 has a 32-bit lane multiply but no 64-bit one (C2 emulates it), so the vector twin computes the same
     * bits 8 lanes at a time. Measured on 64,000 elements: 11 µs for this (mask and y), 13 µs for SplitMix64 on
     * LongVector (mask only, 4 lanes).
     */
    static int dropKey0(long seed) { return (int) splitMix64(seed); }

    static int dropKey1(long seed) { return (int) (splitMix64(seed) >>> 32); }

    /** Elements whose 24-bit uniform falls below this are dropped: round(p·2^24). */
    static int dropThreshold(float p) { return (int) Math.round(p * (double) (1 << 24)); }

    static long splitMix64(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Chris Wellons' "lowbias32" integer hash, a bijection on 32 bits with good avalanche. */
    static int mix32(int x) {
        x ^= x >>> 16;
        x *= 0x7FEB352D;
        x ^= x >>> 15;
        x *= 0x846CA68B;
        x ^= x >>> 16;
        return x;
    }

    static void dropoutForward(Parallel parallel, int n, float p, long seed, float[] x, int xOff, float[] mask, int maskOff, float[] y, int yOff) {
        int key0 = dropKey0(seed);
        int key1 = dropKey1(seed);
        int threshold = dropThreshold(p);
        float scale = p >= 1f ? 0f : 1f / (1f - p);
        parallel.forRange(n, MIN_CHUNK, (from, to) -> {
            for (int i = from; i < to; i++) {
                int u = mix32(mix32(i + key0) ^ key1) >>> 8; // uniform in [0, 2^24)
                float m = u >= threshold ? scale : 0f;
                mask[maskOff + i] = m;
                y[yOff + i] = x[xOff + i] * m;
            }
        });
    }

    static void dropoutBackward(Parallel parallel, int n, float[] mask, int maskOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        parallel.forRange(n, MIN_CHUNK, (from, to) -> {
            for (int i = from; i < to; i++) dx[dxOff + i] = dy[dyOff + i] * mask[maskOff + i];
        });
    }

    // ---------------------------------------------------------------- batch normalization

    static void batchNormForwardTraining(Parallel parallel, int rows, int channels, float[] x, int xOff, float[] gamma, float[] beta, float eps, float momentum, float[] runningMean, float[] runningVar, float[] saveMean, float[] saveInvStd, float[] y, int yOff) {
        // Two passes: the mean, then the mean of squared deviations (no cancellation as in E[x²] - E[x]²).
        double[] sum = columnSums(parallel, rows, channels, x, xOff);
        float[] mean = new float[channels];
        for (int c = 0; c < channels; c++) mean[c] = (float) (sum[c] / rows);
        double[] sq = centeredSquareSums(parallel, rows, channels, x, xOff, mean);
        updateStatistics(rows, channels, eps, momentum, runningMean, runningVar, saveMean, saveInvStd, mean, sq);
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            scale[c] = gamma[c] * saveInvStd[c];
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        scaleShift(parallel, rows, channels, x, xOff, scale, shift, y, yOff);
    }

    /** Σ_r (a[r, c] - mean[c])², blocked as in {@link #columnSums}. */
    private static double[] centeredSquareSums(Parallel parallel, int rows, int channels, float[] a, int aOff, float[] mean) {
        int blocks = (rows + REDUCE_BLOCK - 1) / REDUCE_BLOCK;
        float[] partial = new float[blocks * channels];
        parallel.forEach(blocks, b -> {
            int p = b * channels;
            for (int r = b * REDUCE_BLOCK, end = Math.min(rows, r + REDUCE_BLOCK); r < end; r++) {
                int row = aOff + r * channels;
                for (int c = 0; c < channels; c++) {
                    float d = a[row + c] - mean[c];
                    partial[p + c] += d * d;
                }
            }
        });
        return addBlocks(partial, blocks, channels);
    }

    /** Saves mean and 1/sqrt(var+eps) of the batch and moves the running statistics towards it. */
    static void updateStatistics(int rows, int channels, float eps, float momentum, float[] runningMean, float[] runningVar, float[] saveMean, float[] saveInvStd, float[] mean, double[] centeredSquares) {
        for (int c = 0; c < channels; c++) {
            double var = centeredSquares[c] / rows; // biased, used to normalize
            double unbiased = rows > 1 ? centeredSquares[c] / (rows - 1) : var;
            saveMean[c] = mean[c];
            saveInvStd[c] = (float) (1.0 / Math.sqrt(var + eps));
            runningMean[c] = (1f - momentum) * runningMean[c] + momentum * mean[c];
            runningVar[c] = (float) ((1.0 - momentum) * runningVar[c] + momentum * unbiased);
        }
    }

    /** {@code y[r, c] = x[r, c]·scale[c] + shift[c]}. */
    private static void scaleShift(Parallel parallel, int rows, int channels, float[] x, int xOff, float[] scale, float[] shift, float[] y, int yOff) {
        parallel.forRange(rows, Math.max(1, MIN_CHUNK / Math.max(1, channels)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int in = xOff + r * channels;
                int out = yOff + r * channels;
                for (int c = 0; c < channels; c++) y[out + c] = x[in + c] * scale[c] + shift[c];
            }
        });
    }

    static void batchNormForwardInference(Parallel parallel, int rows, int channels, float[] x, int xOff, float[] gamma, float[] beta, float eps, float[] runningMean, float[] runningVar, float[] y, int yOff) {
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        inferenceScaleShift(channels, gamma, beta, eps, runningMean, runningVar, scale, shift);
        scaleShift(parallel, rows, channels, x, xOff, scale, shift, y, yOff);
    }

    static void inferenceScaleShift(int channels, float[] gamma, float[] beta, float eps, float[] runningMean, float[] runningVar, float[] scale, float[] shift) {
        for (int c = 0; c < channels; c++) {
            scale[c] = (float) (gamma[c] / Math.sqrt(runningVar[c] + (double) eps));
            shift[c] = beta[c] - runningMean[c] * scale[c];
        }
    }

    static void batchNormBackward(Parallel parallel, int rows, int channels, float[] x, int xOff, float[] dy, int dyOff, float[] gamma, float[] saveMean, float[] saveInvStd, float[] dx, int dxOff, float[] dgamma, float[] dbeta) {
        // dβ = Σ dy, dγ = Σ dy·x̂ with x̂ = (x - mean)·invStd, both over this batch's rows.
        int blocks = (rows + REDUCE_BLOCK - 1) / REDUCE_BLOCK;
        float[] partialDy = new float[blocks * channels];
        float[] partialDyXhat = new float[blocks * channels];
        parallel.forEach(blocks, b -> {
            int p = b * channels;
            for (int r = b * REDUCE_BLOCK, end = Math.min(rows, r + REDUCE_BLOCK); r < end; r++) {
                int xr = xOff + r * channels;
                int dr = dyOff + r * channels;
                for (int c = 0; c < channels; c++) {
                    float g = dy[dr + c];
                    partialDy[p + c] += g;
                    partialDyXhat[p + c] += g * ((x[xr + c] - saveMean[c]) * saveInvStd[c]);
                }
            }
        });
        double[] sumDy = addBlocks(partialDy, blocks, channels);
        double[] sumDyXhat = addBlocks(partialDyXhat, blocks, channels);
        // dx = γ·invStd·(dy - mean(dy) - x̂·mean(dy·x̂)) = a·dy + b·x + c per channel.
        float[] a = new float[channels];
        float[] bx = new float[channels];
        float[] c0 = new float[channels];
        backwardCoefficients(rows, channels, gamma, saveMean, saveInvStd, dgamma, dbeta, sumDy, sumDyXhat, a, bx, c0);
        if (dx == null) return;
        parallel.forRange(rows, Math.max(1, MIN_CHUNK / Math.max(1, channels)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int xr = xOff + r * channels;
                int dr = dyOff + r * channels;
                int out = dxOff + r * channels;
                for (int c = 0; c < channels; c++) dx[out + c] = a[c] * dy[dr + c] + (bx[c] * x[xr + c] + c0[c]);
            }
        });
    }

    /**
     * Accumulates dγ and dβ and writes per-channel coefficients so that {@code dx = a·dy + bx·x + c0}:
     * with k = γ·invStd, m1 = Σdy/N, m2 = Σdy·x̂/N: a = k, bx = -k·m2·invStd, c0 = -k·m1 + k·m2·invStd·mean.
     */
    static void backwardCoefficients(int rows, int channels, float[] gamma, float[] saveMean, float[] saveInvStd, float[] dgamma, float[] dbeta, double[] sumDy, double[] sumDyXhat, float[] a, float[] bx, float[] c0) {
        for (int c = 0; c < channels; c++) {
            dbeta[c] += (float) sumDy[c];
            dgamma[c] += (float) sumDyXhat[c];
            double k = (double) gamma[c] * saveInvStd[c];
            double m1 = sumDy[c] / rows;
            double m2 = sumDyXhat[c] / rows;
            double slope = k * m2 * saveInvStd[c];
            a[c] = (float) k;
            bx[c] = (float) -slope;
            c0[c] = (float) (-k * m1 + slope * saveMean[c]);
        }
    }

    // ---------------------------------------------------------------- optimizer updates

    static void sgdUpdate(Parallel parallel, int n, float[] w, float[] g, float[] velocity, float lr, float momentum, float weightDecay, boolean nesterov) {
        parallel.forRange(n, MIN_CHUNK, (from, to) -> {
            for (int i = from; i < to; i++) {
                float grad = g[i] + weightDecay * w[i];
                float v = momentum * velocity[i] + grad;
                velocity[i] = v;
                w[i] -= lr * (nesterov ? grad + momentum * v : v);
            }
        });
    }

    static void adamUpdate(Parallel parallel, int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1, float beta2, float eps, float weightDecay, long step) {
        float invBias1 = (float) (1.0 / (1.0 - Math.pow(beta1, step)));
        float invBias2 = (float) (1.0 / (1.0 - Math.pow(beta2, step)));
        float oneMinusB1 = 1f - beta1;
        float oneMinusB2 = 1f - beta2;
        parallel.forRange(n, MIN_CHUNK, (from, to) -> {
            for (int i = from; i < to; i++) {
                float grad = g[i];
                float mi = beta1 * m[i] + oneMinusB1 * grad;
                float vi = beta2 * v[i] + oneMinusB2 * (grad * grad);
                m[i] = mi;
                v[i] = vi;
                float update = (mi * invBias1) / ((float) Math.sqrt(vi * invBias2) + eps) + weightDecay * w[i];
                w[i] -= lr * update;
            }
        });
    }
}
