package dev.simdnet.kernel;

/** The reference SGEMM: a triple loop, one task per block of rows of C. */
final class ScalarGemm {
    private ScalarGemm() {}

    static void sgemm(Parallel parallel, boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        parallel.forRange(m, 16, (from, to) -> {
            for (int i = from; i < to; i++) {
                for (int j = 0; j < n; j++) {
                    float sum = 0f;
                    for (int p = 0; p < k; p++) {
                        float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                        sum += av * bv;
                    }
                    int ci = cOff + i * ldc + j;
                    c[ci] = beta == 0f ? sum : sum + beta * c[ci];
                }
            }
        });
    }
}
