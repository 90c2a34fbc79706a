package dev.simdnet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.simdnet.kernel.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The FFM binding of {@code cblas_sgemm} against simdnet's scalar GEMM: if the two disagree, the benchmark's
 * OpenBLAS rows would time a different computation. Skipped where no OpenBLAS is installed (as in CI).
 */
class OpenBlasTest {

    @ParameterizedTest(name = "{0}{1} 7x13x5 beta={2}")
    @CsvSource({"false,false,0", "false,true,0", "true,false,1", "true,true,0.5"})
    void sgemmMatchesTheScalarReference(boolean transA, boolean transB, float beta) {
        OpenBlas blas = OpenBlas.load();
        assumeTrue(blas != null, () -> "no OpenBLAS: " + OpenBlas.unavailableReason());
        int m = 7, n = 13, k = 5;
        int lda = transA ? m : k, ldb = transB ? k : n;
        SplittableRandom rnd = new SplittableRandom(3);
        float[] a = random(rnd, m * k), b = random(rnd, k * n), c = random(rnd, m * n);

        float[] expected = c.clone();
        try (Kernels scalar = Kernels.create("scalar", 1)) {
            scalar.sgemm(transA, transB, m, n, k, a, 0, lda, b, 0, ldb, beta, expected, 0, n);
        }

        float[] actual;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocateFrom(ValueLayout.JAVA_FLOAT, a);
            MemorySegment sb = arena.allocateFrom(ValueLayout.JAVA_FLOAT, b);
            MemorySegment sc = arena.allocateFrom(ValueLayout.JAVA_FLOAT, c);
            blas.setNumThreads(1);
            blas.sgemm(transA, transB, m, n, k, 1f, sa, lda, sb, ldb, beta, sc, n);
            actual = sc.toArray(ValueLayout.JAVA_FLOAT);
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("C[%d][%d]", i / n, i % n).isCloseTo(expected[i], within(1e-5f));
        }
    }

    @Test
    void reportsItsKernelsOrWhyItIsAbsent() {
        OpenBlas blas = OpenBlas.load();
        if (blas == null) {
            assertThat(OpenBlas.unavailableReason()).contains("OpenBLAS not found");
            return;
        }
        assertThat(blas.config()).startsWith("OpenBLAS");
        assertThat(blas.coreName()).isNotBlank();
        blas.setNumThreads(2);
        assertThat(blas.numThreads()).isEqualTo(2);
    }

    private static float[] random(SplittableRandom rnd, int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }
}
