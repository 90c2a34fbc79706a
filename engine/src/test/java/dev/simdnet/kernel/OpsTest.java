package dev.simdnet.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static dev.simdnet.testing.SameBits.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The element-wise kernels, reductions and updates: vector against scalar on sizes around the vector length,
 * primes and 1, at non-zero offsets; the numerically delicate ones (softmax-CE, batch norm) against double
 * references; dropout masks across thread counts.
 */
class OpsTest {
    private static final int OFF = 3;
    private static Kernels scalar;
    private static Kernels vector;
    private static Kernels vector1;

    @BeforeAll
    static void start() {
        scalar = Kernels.create("scalar", 1);
        vector = Kernels.create("vector", 2);
        vector1 = Kernels.create("vector", 1);
    }

    @AfterAll
    static void stop() {
        scalar.close();
        vector.close();
        vector1.close();
    }

    static IntStream sizes() {
        return IntStream.of(1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1000, 1001, 70_001);
    }

    static Stream<Arguments> matrices() {
        return Stream.of(Arguments.of(1, 1), Arguments.of(1, 3), Arguments.of(2, 1), Arguments.of(3, 7), Arguments.of(7, 20),
                Arguments.of(17, 9), Arguments.of(33, 50), Arguments.of(100, 16), Arguments.of(31, 64), Arguments.of(257, 20),
                Arguments.of(600, 13), Arguments.of(5, 1001), Arguments.of(1000, 10), Arguments.of(4608, 20));
    }

    /** {@code OFF} floats of padding, then {@code n} uniform values in [-scale, scale), then 5 more. */
    private static float[] random(long seed, int n, double scale) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] a = new float[OFF + n + 5];
        for (int i = 0; i < a.length; i++) a[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        return a;
    }

    private static float[] slice(float[] a, int n) { return Arrays.copyOfRange(a, OFF, OFF + n); }

    // ---------------------------------------------------------------- ReLU, bias

    @ParameterizedTest
    @MethodSource("sizes")
    void reluMatchesScalar(int n) {
        float[] x = random(n, n, 1);
        float[] ys = new float[OFF + n], yv = new float[OFF + n];
        scalar.reluForward(n, x, OFF, ys, OFF);
        vector.reluForward(n, x, OFF, yv, OFF);
        assertThat(yv).isEqualTo(ys);
        for (int i = 0; i < n; i++) assertThat(ys[OFF + i]).isEqualTo(Math.max(0f, x[OFF + i]));

        float[] dy = random(n + 1, n, 1);
        float[] ds = new float[OFF + n], dv = new float[OFF + n];
        scalar.reluBackward(n, ys, OFF, dy, OFF, ds, OFF);
        vector.reluBackward(n, ys, OFF, dy, OFF, dv, OFF);
        assertThat(dv).isEqualTo(ds);
        for (int i = 0; i < n; i++) assertThat(ds[OFF + i]).isEqualTo(x[OFF + i] > 0 ? dy[OFF + i] : 0f);
    }

    @ParameterizedTest
    @MethodSource("matrices")
    void biasAddAndGradMatchScalarAndDouble(int rows, int cols) {
        float[] x = random(rows * 31L + cols, rows * cols, 1);
        float[] bias = random(cols, cols, 1);
        float[] xs = x.clone(), xv = x.clone();
        scalar.biasAdd(rows, cols, xs, OFF, bias, OFF);
        vector.biasAdd(rows, cols, xv, OFF, bias, OFF);
        assertThat(xv).isEqualTo(xs);
        assertThat(xs[OFF + rows * cols - 1]).isEqualTo(x[OFF + rows * cols - 1] + bias[OFF + cols - 1]);

        float[] dbs = random(7, cols, 1), dbv = dbs.clone(), start = dbs.clone();
        scalar.biasGrad(rows, cols, x, OFF, dbs, OFF);
        vector.biasGrad(rows, cols, x, OFF, dbv, OFF);
        for (int c = 0; c < cols; c++) {
            double sum = start[OFF + c];
            for (int r = 0; r < rows; r++) sum += x[OFF + r * cols + c];
            double tol = 1e-5 * Math.sqrt(rows) + 1e-6;
            assertThat((double) dbs[OFF + c]).as("scalar column %d", c).isCloseTo(sum, within(tol));
            assertThat((double) dbv[OFF + c]).as("vector column %d", c).isCloseTo(sum, within(tol));
        }
    }

    // ---------------------------------------------------------------- softmax

    static Stream<Arguments> softmaxCases() {
        return Stream.of(Arguments.of(1, 1, 0f, 1.0), Arguments.of(3, 2, 0f, 1.0), Arguments.of(5, 10, 0f, 5.0),
                Arguments.of(5, 10, 0.1f, 5.0), Arguments.of(128, 10, 0.1f, 3.0), Arguments.of(7, 17, 0.2f, 2.0),
                Arguments.of(4, 33, 0f, 1.0), Arguments.of(3, 1001, 0.05f, 4.0),
                // Logits far beyond exp's float range: only the max-subtracted form survives.
                Arguments.of(6, 10, 0f, 1e4), Arguments.of(6, 9, 0.1f, 3e4));
    }

    @ParameterizedTest
    @MethodSource("softmaxCases")
    void softmaxCrossEntropyMatchesDouble(int rows, int classes, float eps, double scale) {
        float[] logits = random(rows * 7L + classes, rows * classes, scale);
        int[] labels = new int[OFF + rows];
        SplittableRandom rng = new SplittableRandom(rows);
        for (int r = 0; r < rows; r++) labels[OFF + r] = rng.nextInt(classes);

        double refLoss = 0;
        double[] refP = new double[rows * classes];
        double[] refD = new double[rows * classes];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) max = Math.max(max, logits[OFF + r * classes + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp(logits[OFF + r * classes + c] - max);
            for (int c = 0; c < classes; c++) {
                double logp = logits[OFF + r * classes + c] - max - Math.log(sum);
                double t = (c == labels[OFF + r] ? 1 - eps : 0) + (double) eps / classes;
                refLoss -= t * logp;
                refP[r * classes + c] = Math.exp(logp);
                refD[r * classes + c] = (Math.exp(logp) - t) / rows;
            }
        }
        for (Kernels k : new Kernels[] {scalar, vector}) {
            float[] p = new float[OFF + rows * classes];
            float[] d = new float[OFF + rows * classes];
            double loss = k.softmaxCrossEntropy(rows, classes, logits, OFF, labels, OFF, eps, p, OFF, d, OFF);
            assertThat(loss).as(k.name()).isCloseTo(refLoss, within(1e-5 * rows + 1e-6 * Math.abs(refLoss)));
            for (int i = 0; i < rows * classes; i++) {
                assertThat((double) p[OFF + i]).as("%s p[%d]", k.name(), i).isCloseTo(refP[i], within(2e-6));
                assertThat((double) d[OFF + i]).as("%s d[%d]", k.name(), i).isCloseTo(refD[i], within(2e-6 / rows));
            }
            // probs and dlogits are optional.
            assertThat(k.softmaxCrossEntropy(rows, classes, logits, OFF, labels, OFF, eps, null, 0, null, 0)).isEqualTo(loss);

            float[] q = new float[OFF + rows * classes];
            k.softmax(rows, classes, logits, OFF, q, OFF);
            for (int i = 0; i < rows * classes; i++)
                assertThat((double) q[OFF + i]).as("%s softmax[%d]", k.name(), i).isCloseTo(refP[i], within(2e-6));
        }
    }

    @Test
    void softmaxCrossEntropyRejectsALabelOutOfRange() {
        float[] logits = new float[20];
        for (Kernels k : new Kernels[] {scalar, vector})
            assertThatThrownBy(() -> k.softmaxCrossEntropy(2, 10, logits, 0, new int[] {3, 10}, 0, 0f, null, 0, null, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 10");
    }

    // ---------------------------------------------------------------- dropout

    @ParameterizedTest
    @MethodSource("sizes")
    void dropoutMaskIsTheSameForScalarVectorAndAnyThreadCount(int n) {
        float[] x = random(n, n, 1);
        float[][] masks = new float[3][];
        float[][] ys = new float[3][];
        Kernels[] ks = {scalar, vector1, vector};
        for (int j = 0; j < 3; j++) {
            masks[j] = new float[OFF + n];
            ys[j] = new float[OFF + n];
            ks[j].dropoutForward(n, 0.3f, 42L, x, OFF, masks[j], OFF, ys[j], OFF);
        }
        assertThat(masks[1]).isEqualTo(masks[0]);
        assertThat(masks[2]).isEqualTo(masks[0]);
        assertThat(ys[2]).isEqualTo(ys[0]);
        for (int i = 0; i < n; i++) {
            assertThat(masks[0][OFF + i]).isIn(0f, 1f / 0.7f);
            assertThat(ys[0][OFF + i]).isEqualTo(x[OFF + i] * masks[0][OFF + i]);
        }
        float[] dy = random(n + 9, n, 1);
        float[] ds = new float[OFF + n], dv = new float[OFF + n];
        scalar.dropoutBackward(n, masks[0], OFF, dy, OFF, ds, OFF);
        vector.dropoutBackward(n, masks[0], OFF, dy, OFF, dv, OFF);
        assertThat(dv).isEqualTo(ds);
        assertThat(ds[OFF + n - 1]).isEqualTo(dy[OFF + n - 1] * masks[0][OFF + n - 1]);
    }

    @Test
    void dropoutKeepsAboutOneMinusPAndDependsOnTheSeed() {
        int n = 200_000;
        float[] x = new float[n];
        Arrays.fill(x, 1f);
        for (float p : new float[] {0.1f, 0.5f, 0.8f}) {
            float[] mask = new float[n], y = new float[n];
            vector.dropoutForward(n, p, 7L, x, 0, mask, 0, y, 0);
            long kept = IntStream.range(0, n).filter(i -> mask[i] != 0f).count();
            // 5 standard deviations of a binomial.
            double sd = Math.sqrt(n * p * (1 - p));
            assertThat((double) kept).isCloseTo(n * (1.0 - p), within(5 * sd));
            double mean = 0;
            for (float v : y) mean += v;
            assertThat(mean / n).isCloseTo(1.0, within(0.02));
        }
        float[] a = new float[n], b = new float[n], y = new float[n];
        vector.dropoutForward(n, 0.5f, 1L, x, 0, a, 0, y, 0);
        vector.dropoutForward(n, 0.5f, 2L, x, 0, b, 0, y, 0);
        long same = IntStream.range(0, n).filter(i -> a[i] == b[i]).count();
        assertThat((double) same / n).isCloseTo(0.5, within(0.01));
        float[] none = new float[n];
        vector.dropoutForward(n, 0f, 1L, x, 0, none, 0, y, 0);
        assertThat(none).containsOnly(1f);
    }

    // ---------------------------------------------------------------- batch normalization

    @ParameterizedTest
    @MethodSource("matrices")
    void batchNormTrainingMatchesDouble(int rows, int channels) {
        // An offset larger than the spread, where a one-pass E[x²]-E[x]² loses its digits.
        float[] x = random(rows + 13L * channels, rows * channels, 1);
        for (int i = 0; i < x.length; i++) x[i] += 20f;
        float[] gamma = slice(random(1, channels, 1), channels);
        float[] beta = slice(random(2, channels, 1), channels);
        float eps = 1e-5f, momentum = 0.1f;

        double[] mean = new double[channels], var = new double[channels];
        for (int r = 0; r < rows; r++) for (int c = 0; c < channels; c++) mean[c] += x[OFF + r * channels + c];
        for (int c = 0; c < channels; c++) mean[c] /= rows;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < channels; c++) var[c] += Math.pow(x[OFF + r * channels + c] - mean[c], 2);

        for (Kernels k : new Kernels[] {scalar, vector}) {
            float[] rm = new float[channels], rv = new float[channels];
            Arrays.fill(rv, 1f);
            float[] sm = new float[channels], si = new float[channels];
            float[] y = new float[OFF + rows * channels];
            k.batchNormForwardTraining(rows, channels, x, OFF, gamma, beta, eps, momentum, rm, rv, sm, si, y, OFF);
            for (int c = 0; c < channels; c++) {
                double biased = var[c] / rows;
                double unbiased = rows > 1 ? var[c] / (rows - 1) : biased;
                double inv = 1 / Math.sqrt(biased + eps);
                assertThat((double) sm[c]).as("%s mean %d", k.name(), c).isCloseTo(mean[c], within(2e-5));
                assertThat((double) si[c]).as("%s invStd %d", k.name(), c).isCloseTo(inv, within(2e-4 * inv));
                assertThat((double) rm[c]).isCloseTo(0.1 * mean[c], within(2e-6));
                assertThat((double) rv[c]).isCloseTo(0.9 + 0.1 * unbiased, within(2e-5));
                for (int r = 0; r < rows; r++) {
                    int i = r * channels + c;
                    double ref = (x[OFF + i] - mean[c]) * inv * gamma[c] + beta[c];
                    assertThat((double) y[OFF + i]).as("%s y[%d]", k.name(), i).isCloseTo(ref, within(3e-4));
                }
            }

            float[] yi = new float[OFF + rows * channels];
            k.batchNormForwardInference(rows, channels, x, OFF, gamma, beta, eps, rm, rv, yi, OFF);
            for (int i = 0; i < Math.min(rows * channels, 200); i++) {
                int c = i % channels;
                double ref = (x[OFF + i] - rm[c]) / Math.sqrt(rv[c] + (double) eps) * gamma[c] + beta[c];
                assertThat((double) yi[OFF + i]).as("%s inference y[%d]", k.name(), i).isCloseTo(ref, within(1e-4 * (1 + Math.abs(ref))));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("matrices")
    void batchNormBackwardMatchesDouble(int rows, int channels) {
        float[] x = random(rows * 5L + channels, rows * channels, 2);
        float[] dy = random(rows * 3L + channels, rows * channels, 1);
        float[] gamma = slice(random(3, channels, 1), channels);
        float[] beta = new float[channels];
        float[] mean = new float[channels], invStd = new float[channels];
        scalar.batchNormForwardTraining(rows, channels, x, OFF, gamma, beta, 1e-5f, 0.1f, new float[channels], new float[channels],
                mean, invStd, new float[OFF + rows * channels], OFF);

        double[] sumDy = new double[channels], sumDyXhat = new double[channels];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < channels; c++) {
                int i = OFF + r * channels + c;
                sumDy[c] += dy[i];
                sumDyXhat[c] += dy[i] * ((double) x[i] - mean[c]) * invStd[c];
            }
        for (Kernels k : new Kernels[] {scalar, vector}) {
            float[] dx = new float[OFF + rows * channels];
            float[] dgamma = new float[channels], dbeta = new float[channels];
            Arrays.fill(dgamma, 1f); // accumulated, not overwritten
            k.batchNormBackward(rows, channels, x, OFF, dy, OFF, gamma, mean, invStd, dx, OFF, dgamma, dbeta);
            for (int c = 0; c < channels; c++) {
                assertThat((double) dbeta[c]).isCloseTo(sumDy[c], within(1e-5 * Math.sqrt(rows) + 1e-6));
                assertThat((double) dgamma[c]).isCloseTo(1 + sumDyXhat[c], within(1e-5 * Math.sqrt(rows) + 1e-6));
                for (int r = 0; r < rows; r++) {
                    int i = OFF + r * channels + c;
                    double xhat = ((double) x[i] - mean[c]) * invStd[c];
                    double ref = gamma[c] * invStd[c] * (dy[i] - sumDy[c] / rows - xhat * sumDyXhat[c] / rows);
                    assertThat((double) dx[i]).as("%s dx[%d]", k.name(), i - OFF).isCloseTo(ref, within(1e-3 * (1 + Math.abs(ref))));
                }
            }
        }
    }

    @Test
    void batchNormIsBitIdenticalForOneAndTwoThreads() {
        int rows = 128 * 12 * 12, channels = 20;
        float[] x = random(1, rows * channels, 3);
        float[] dy = random(2, rows * channels, 1);
        float[] gamma = slice(random(3, channels, 1), channels), beta = slice(random(4, channels, 1), channels);
        float[][] out = new float[2][];
        float[][] grads = new float[2][];
        Kernels[] ks = {vector1, vector};
        for (int j = 0; j < 2; j++) {
            float[] sm = new float[channels], si = new float[channels], y = new float[OFF + rows * channels];
            ks[j].batchNormForwardTraining(rows, channels, x, OFF, gamma, beta, 1e-5f, 0.1f, new float[channels], new float[channels], sm, si, y, OFF);
            float[] dx = new float[OFF + rows * channels], dg = new float[channels], db = new float[channels];
            ks[j].batchNormBackward(rows, channels, x, OFF, dy, OFF, gamma, sm, si, dx, OFF, dg, db);
            out[j] = y;
            grads[j] = concat(dx, dg, db);
        }
        assertThat(out[1]).isEqualTo(out[0]);
        assertThat(grads[1]).isEqualTo(grads[0]);
    }

    /** Element-wise |actual - expected| <= tol, one loop (AssertJ's containsExactly is quadratic on large arrays). */
    private static void assertClose(float[] actual, float[] expected, float tol) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++)
            if (!(Math.abs(actual[i] - expected[i]) <= tol))
                assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(tol));
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] all = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    // ---------------------------------------------------------------- optimizer updates

    @ParameterizedTest
    @MethodSource("sizes")
    void sgdUpdateMatchesScalar(int n) {
        for (boolean nesterov : new boolean[] {false, true}) {
            float[] w = slice(random(n, n, 1), n), g = slice(random(n + 1, n, 1), n), v = slice(random(n + 2, n, 0.1), n);
            float[] ws = w.clone(), vs = v.clone(), wv = w.clone(), vv = v.clone();
            for (int step = 0; step < 3; step++) {
                scalar.sgdUpdate(n, ws, g, vs, 0.1f, 0.9f, 5e-4f, nesterov);
                vector.sgdUpdate(n, wv, g, vv, 0.1f, 0.9f, 5e-4f, nesterov);
            }
            assertClose(wv, ws, 1e-6f);
            assertClose(vv, vs, 1e-6f);
        }
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void adamUpdateMatchesScalar(int n) {
        float[] w = slice(random(n, n, 1), n), g = slice(random(n + 1, n, 1), n);
        float[] ws = w.clone(), wv = w.clone(), ms = new float[n], mv = new float[n], vs = new float[n], vv = new float[n];
        for (long step = 1; step <= 3; step++) {
            scalar.adamUpdate(n, ws, g, ms, vs, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, step);
            vector.adamUpdate(n, wv, g, mv, vv, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, step);
        }
        assertClose(wv, ws, 1e-6f);
        assertClose(mv, ms, 1e-7f);
        assertClose(vv, vs, 1e-7f);
        // The first step of Adam moves every weight by about lr (m̂/sqrt(v̂) = ±1).
        float[] w1 = w.clone();
        vector.adamUpdate(n, w1, g, new float[n], new float[n], 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1);
        for (int i = 0; i < n; i++) assertThat(Math.abs(w1[i] - w[i])).isCloseTo(1e-3f, within(1e-5f));
    }

    @Test
    void periodsCoverWholeRowsAndVectors() {
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        for (int c = 1; c < 70; c++) {
            int p = VectorOps.period(c);
            assertThat(p % c).isZero();
            assertThat(p % lanes).isZero();
            assertThat(p).isLessThanOrEqualTo(c * lanes);
        }
    }

    // ---------------------------------------------------------------- exp and lane sums: the same bits however run

    /** The vector exp's steps in plain Java, operation for operation: what the interpreter computes lane by lane. */
    private static float expInPlainJava(float x) {
        float xc = Math.min(Math.max(x, VectorOps.EXP_LO), VectorOps.EXP_HI);
        float k = Math.fma(xc, VectorOps.LOG2E, VectorOps.ROUND) - VectorOps.ROUND;
        float r = (xc - k * VectorOps.LN2_HI) - k * VectorOps.LN2_LO;
        float p = Math.fma(r, 1.9875691500e-4f, 1.3981999507e-3f);
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        float y = p * (r * r) + r + 1f;
        int ki = (int) k, k1 = ki >> 1, k2 = ki - k1;
        float e = y * Float.intBitsToFloat((k1 + 127) << 23) * Float.intBitsToFloat((k2 + 127) << 23);
        return x > VectorOps.EXP_HI ? Float.POSITIVE_INFINITY : e;
    }

    /** Every float from -110 to 100 in steps of about 1e-3, the ends of the range, and the special values. */
    private static float[] expInputs() {
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE,
                88.72283f, Math.nextUp(88.72283f), 88.7f, -87.33654f, -103.27893f, -103.97f, -104f, -104.1f, 1e-8f, -1e-8f};
        int steps = 210_000;
        float[] x = new float[special.length + steps];
        System.arraycopy(special, 0, x, 0, special.length);
        for (int i = 0; i < steps; i++) x[special.length + i] = -110f + 210f * i / steps;
        return x;
    }

    @Test
    void vectorExpIsWithinTwoUlpsOfMathExpEverywhere() {
        float[] x = expInputs(), e = new float[x.length];
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length(), i = 0;
        for (; i + lanes <= x.length; i += lanes)
            VectorOps.exp(jdk.incubator.vector.FloatVector.fromArray(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, x, i)).intoArray(e, i);
        for (int k = 0; k < i; k++) {
            float want = (float) Math.exp(x[k]);
            if (Float.isNaN(want)) assertThat(e[k]).as("exp(%s)", x[k]).isNaN();
            else if (Float.isInfinite(want) || want == 0f) assertThat(e[k]).as("exp(%s)", x[k]).isEqualTo(want);
            else if (want < Float.MIN_NORMAL) assertThat(e[k]).as("exp(%s)", x[k]).isCloseTo(want, within(2 * Float.MIN_VALUE));
            else assertThat(Math.abs(e[k] - want)).as("exp(%s) = %s, not %s", x[k], e[k], want).isLessThanOrEqualTo(2 * Math.ulp(want));
        }
    }

    /**
     * The C2-compiled vector exp and lane sum give the bits of their plain-Java steps, on every call from the first
     * (interpreted) to the last (compiled). This is what lanewise(EXP) and reduceLanes(ADD) did not promise: a resumed
     * run ended some ulps away from an uninterrupted one on AVX2 (issue 15).
     */
    @Test
    void vectorExpAndLaneSumGiveTheSameBitsInterpretedAndCompiled() {
        var species = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        float[] x = expInputs(), want = new float[x.length], got = new float[x.length];
        for (int k = 0; k < x.length; k++) want[k] = expInPlainJava(x[k]);
        int lanes = species.length(), whole = x.length / lanes * lanes;
        for (int round = 0; round < 30; round++) {       // enough calls for C2 to compile both
            float sum = 0f, sumWant = 0f;
            for (int i = 0; i < whole; i += lanes) {
                var v = VectorOps.exp(jdk.incubator.vector.FloatVector.fromArray(species, x, i));
                v.intoArray(got, i);
                if (round % 10 == 0 && x[i] < 80f && x[i + lanes - 1] < 80f) {
                    float s = VectorOps.sumLanes(v), w = 0f;
                    for (int l = 0; l < lanes; l++) w += want[i + l];
                    assertThat(Float.floatToRawIntBits(s)).as("sum of lanes at %d, round %d", i, round).isEqualTo(Float.floatToRawIntBits(w));
                }
            }
            assertSameBits("exp, round " + round, Arrays.copyOf(got, whole), Arrays.copyOf(want, whole));
        }
    }

    @Test
    void softmaxOfAWideRowGivesTheSameBitsOnEveryCall() {
        // 1,000 classes: the vector body, not only the tail, at every width.
        int rows = 3, classes = 1000;
        float[] z = random(99, rows * classes, 20), first = new float[OFF + rows * classes], again = first.clone();
        vector1.softmax(rows, classes, z, OFF, first, OFF);
        for (int i = 0; i < 3_000; i++) vector1.softmax(rows, classes, z, OFF, again, OFF);
        assertSameBits("softmax after 3,000 calls", again, first);
    }
}
