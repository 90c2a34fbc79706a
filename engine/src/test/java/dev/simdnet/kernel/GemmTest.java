package dev.simdnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API SGEMM and the scalar reference against a double-precision triple loop, on every layout,
 * ragged sizes, offsets, padded leading dimensions and both kinds of beta; and the thread-count invariance
 * the engine promises.
 */
class GemmTest {
    private static Parallel one;
    private static Parallel two;
    private static Parallel three;

    @BeforeAll
    static void startPools() {
        one = new Parallel(1);
        two = new Parallel(2);
        three = new Parallel(3);
    }

    @AfterAll
    static void stopPools() {
        one.close();
        two.close();
        three.close();
    }

    /** One GEMM problem laid out in arrays with offsets and padded leading dimensions. */
    record Problem(boolean transA, boolean transB, int m, int n, int k, float beta,
                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {

        static Problem random(long seed, boolean transA, boolean transB, int m, int n, int k, float beta) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int aRows = transA ? k : m, aCols = transA ? m : k;
            int bRows = transB ? n : k, bCols = transB ? k : n;
            int lda = aCols + rnd.nextInt(3), ldb = bCols + rnd.nextInt(3), ldc = n + rnd.nextInt(3);
            int aOff = rnd.nextInt(5), bOff = rnd.nextInt(5), cOff = rnd.nextInt(5);
            float[] a = fill(rnd, aOff + aRows * lda);
            float[] b = fill(rnd, bOff + bRows * ldb);
            float[] c = beta == 0f ? nans(cOff + m * ldc) : fill(rnd, cOff + m * ldc);
            return new Problem(transA, transB, m, n, k, beta, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }

        /** A fresh copy of C with this problem's product written into it by {@code kernels}. */
        float[] run(Kernels kernels) {
            float[] out = c.clone();
            kernels.sgemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
            return out;
        }

        /** The same with the Vector API SGEMM at a given tile height, so both micro-kernel families run here. */
        float[] runVector(Parallel parallel, int mr) {
            float[] out = c.clone();
            VectorGemm.sgemm(parallel, mr, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
            return out;
        }

        float a(int i, int p) { return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]; }

        float b(int p, int j) { return transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j]; }

        /** Checks {@code got} against a double-precision product, element by element, and the padding untouched. */
        void check(float[] got, String who) {
            float eps = Math.ulp(1f);
            for (int idx = 0; idx < got.length; idx++) {
                int rel = idx - cOff;
                boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
                if (!inside) {
                    assertThat(Float.floatToRawIntBits(got[idx])).as("%s wrote outside C at %d", who, idx)
                            .isEqualTo(Float.floatToRawIntBits(c[idx]));
                    continue;
                }
                int i = rel / ldc, j = rel % ldc;
                double exact = 0, magnitude = 0;
                for (int p = 0; p < k; p++) {
                    exact += (double) a(i, p) * b(p, j);
                    magnitude += Math.abs((double) a(i, p) * b(p, j));
                }
                if (beta != 0f) {
                    exact += (double) beta * c[idx];
                    magnitude += Math.abs((double) beta * c[idx]);
                }
                double tolerance = 4 * Math.sqrt(k + 1) * eps * magnitude + 1e-30;
                if (!(Math.abs(got[idx] - exact) <= tolerance))
                    fail("%s: C[%d,%d] = %s, expected %s ± %s (%s)", who, i, j, got[idx], exact, tolerance, this);
            }
        }

        @Override
        public String toString() {
            return (transA ? "T" : "N") + (transB ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k + " beta=" + beta
                    + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc;
        }
    }

    private static float[] fill(SplittableRandom rnd, int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    private static float[] nans(int length) {
        float[] x = new float[length];
        Arrays.fill(x, Float.NaN);
        return x;
    }

    private static final int[] SIZES = {1, 2, 3, 7, 13, 17, 31, 33, 64, 65, 100, 127, 257};

    /** Every size on one axis with the others drawn from the list, for all four layouts and both betas. */
    static Stream<Arguments> shapes() {
        List<Arguments> out = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(42);
        for (int form = 0; form < 4; form++) {
            boolean transA = (form & 1) != 0, transB = (form & 2) != 0;
            for (int s : SIZES) {
                int other1 = SIZES[rnd.nextInt(SIZES.length - 1)];
                int other2 = SIZES[rnd.nextInt(SIZES.length - 1)];
                float beta = rnd.nextBoolean() ? 0f : (rnd.nextBoolean() ? 1f : 0.5f);
                out.add(Arguments.of(transA, transB, s, other1, other2, beta));
                out.add(Arguments.of(transA, transB, other1, s, other2, 1f - beta));
                out.add(Arguments.of(transA, transB, other2, other1, s, beta));
            }
            out.add(Arguments.of(transA, transB, 1, 1, 1, 0f));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "transA={0} transB={1} m={2} n={3} k={4} beta={5}")
    @MethodSource("shapes")
    void vectorAndScalarMatchDoublePrecision(boolean transA, boolean transB, int m, int n, int k, float beta) {
        Problem pr = Problem.random(m * 1_000_003L + n * 1009L + k, transA, transB, m, n, k, beta);
        pr.check(pr.runVector(two, 4), "vector, 4-row tiles");
        pr.check(pr.runVector(two, 8), "vector, 8-row tiles");
        pr.check(pr.run(new ScalarKernels(two)), "scalar");
    }

    /** The regimes the convolution layers use, scaled down but over the same code paths. */
    static Stream<Arguments> convolutionShapes() {
        return Stream.of(
                // forward y = col·Wᵀ: huge M, small K and N, A read in place
                Arguments.of(false, true, 3001, 16, 9, 0f),
                Arguments.of(false, true, 2003, 20, 25, 0f),
                Arguments.of(false, true, 1001, 50, 300, 0f),
                // backward dcol = dy·W
                Arguments.of(false, false, 2003, 25, 20, 0f),
                // backward dW += dyᵀ·col: long reduction, small output, chunked
                Arguments.of(true, false, 16, 9, 9001, 1f),
                Arguments.of(true, false, 20, 25, 4099, 1f),
                Arguments.of(true, false, 7, 13, 5000, 0f),
                // wider than tall: parts are bands of columns
                Arguments.of(false, false, 33, 700, 40, 1f),
                Arguments.of(false, true, 5, 300, 70, 0f));
    }

    @ParameterizedTest(name = "transA={0} transB={1} m={2} n={3} k={4} beta={5}")
    @MethodSource("convolutionShapes")
    void convolutionShapesMatchDoublePrecision(boolean transA, boolean transB, int m, int n, int k, float beta) {
        Problem pr = Problem.random(7, transA, transB, m, n, k, beta);
        pr.check(pr.run(new VectorKernels(two)), "vector");
        pr.check(pr.runVector(two, VectorGemm.MR == 8 ? 4 : 8), "vector, other tile height");
    }

    @Test
    void emptyReductionScalesC() {
        float[] c = {1f, 2f, Float.NaN, 4f};
        Kernels vector = new VectorKernels(one);
        // (1, 2) block of a (2, 2) C scaled by 0.5; the second row is left alone
        float[] scaled = c.clone();
        vector.sgemm(false, false, 1, 2, 0, new float[0], 0, 1, new float[0], 0, 2, 0.5f, scaled, 0, 2);
        assertThat(scaled).containsExactly(0.5f, 1f, Float.NaN, 4f);
        // beta 0 overwrites, NaN included
        float[] zeroed = c.clone();
        vector.sgemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, 0f, zeroed, 0, 2);
        assertThat(zeroed).containsExactly(0f, 0f, 0f, 0f);
    }

    static Stream<Arguments> invarianceShapes() {
        return Stream.of(
                Arguments.of(false, false, 257, 129, 300, 0f),
                Arguments.of(true, false, 100, 257, 65, 1f),
                Arguments.of(false, true, 4001, 16, 25, 0f),
                Arguments.of(false, false, 31, 1000, 17, 0f),
                Arguments.of(true, false, 20, 25, 8191, 1f),
                Arguments.of(false, false, 129, 2100, 3, 0f));
    }

    @ParameterizedTest(name = "transA={0} transB={1} m={2} n={3} k={4} beta={5}")
    @MethodSource("invarianceShapes")
    void bitIdenticalForAnyThreadCountAndRunToRun(boolean transA, boolean transB, int m, int n, int k, float beta) {
        Problem pr = Problem.random(11, transA, transB, m, n, k, beta);
        float[] byOne = pr.run(new VectorKernels(one));
        float[] byTwo = pr.run(new VectorKernels(two));
        float[] byThree = pr.run(new VectorKernels(three));
        float[] byTwoAgain = pr.run(new VectorKernels(two));
        // isEqualTo compares the arrays bit for bit (Arrays.equals); containsExactly is quadratic on big arrays
        assertThat(byTwo).isEqualTo(byOne);
        assertThat(byThree).isEqualTo(byOne);
        assertThat(byTwoAgain).isEqualTo(byTwo);
        int otherMr = VectorGemm.MR == 8 ? 4 : 8;
        assertThat(pr.runVector(three, otherMr)).isEqualTo(pr.runVector(one, otherMr));
        pr.check(byTwo, "vector");
    }

    @Test
    void rejectsAnUnknownTileHeight() {
        assertThatThrownBy(() -> VectorGemm.sgemm(one, 6, false, false, 1, 1, 1,
                new float[1], 0, 1, new float[1], 0, 1, 0f, new float[1], 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chunkingDependsOnTheShapeOnly() {
        assertThat(VectorGemm.chunks(20, 25, 73_728)).isGreaterThan(1);
        assertThat(VectorGemm.chunks(1024, 1024, 1024)).isEqualTo(1);
        assertThat(VectorGemm.chunks(64, 64, VectorGemm.K_CHUNK)).isEqualTo(1);
        assertThat(VectorGemm.chunks(16, 9, Integer.MAX_VALUE / 2)).isEqualTo(VectorGemm.MAX_CHUNKS);
    }
}
