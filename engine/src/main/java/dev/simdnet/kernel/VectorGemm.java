package dev.simdnet.kernel;

/** Placeholder until the blocked Vector API SGEMM lands: hands off to the reference. */
final class VectorGemm {
    private VectorGemm() {}

    static void sgemm(Parallel parallel, boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        ScalarGemm.sgemm(parallel, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
}
