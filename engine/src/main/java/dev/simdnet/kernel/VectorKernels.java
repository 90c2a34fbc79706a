package dev.simdnet.kernel;

import jdk.incubator.vector.FloatVector;

/**
 * The Vector API kernels, written for {@link FloatVector#SPECIES_PREFERRED} so a wider machine gets its
 * full width with no code change. Each method hands off to its family class ({@link VectorGemm},
 * {@link VectorConv}, {@link VectorOps}), which may in turn leave a case to the scalar reference.
 * Loaded by name from {@link KernelSelector} only when {@code jdk.incubator.vector} is present.
 */
public final class VectorKernels implements Kernels {
    private final Parallel parallel;
    private final Workspace workspace = new Workspace();

    public VectorKernels(Parallel parallel) {
        this.parallel = parallel;
    }

    @Override
    public String name() { return "vector"; }

    /** The vector shape in use, e.g. "256-bit, 8 floats", for logs and run records. */
    public static String species() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit, " + FloatVector.SPECIES_PREFERRED.length() + " floats";
    }

    @Override
    public java.util.Map<String, Object> configuration() { return VectorGemm.CONFIG.toMap(); }

    @Override
    public Parallel parallel() { return parallel; }

    @Override
    public Workspace workspace() { return workspace; }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        VectorGemm.sgemm(parallel, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void im2col(ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
        VectorConv.im2col(parallel, g, x, xOff, col, colOff);
    }

    @Override
    public void col2im(ConvGeometry g, float[] col, int colOff, float[] dx, int dxOff) {
        VectorConv.col2im(parallel, g, col, colOff, dx, dxOff);
    }

    @Override
    public void conv2dForward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff, float[] y, int yOff) {
        VectorConv.conv2dForward(this, g, x, xOff, w, wOff, bias, biasOff, y, yOff);
    }

    @Override
    public void conv2dBackward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] dy, int dyOff, float[] dx, int dxOff, float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        VectorConv.conv2dBackward(this, g, x, xOff, w, wOff, dy, dyOff, dx, dxOff, dw, dwOff, dbias, dbiasOff);
    }

    @Override
    public void maxPoolForward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax) {
        VectorConv.maxPoolForward(parallel, g, x, xOff, y, yOff, argmax);
    }

    @Override
    public void maxPoolBackward(PoolGeometry g, float[] dy, int dyOff, int[] argmax, float[] dx, int dxOff) {
        VectorConv.maxPoolBackward(parallel, g, dy, dyOff, argmax, dx, dxOff);
    }

    @Override
    public void reluForward(int n, float[] x, int xOff, float[] y, int yOff) {
        VectorOps.reluForward(parallel, n, x, xOff, y, yOff);
    }

    @Override
    public void reluBackward(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        VectorOps.reluBackward(parallel, n, y, yOff, dy, dyOff, dx, dxOff);
    }

    @Override
    public void biasAdd(int rows, int cols, float[] x, int xOff, float[] bias, int biasOff) {
        VectorOps.biasAdd(parallel, rows, cols, x, xOff, bias, biasOff);
    }

    @Override
    public void biasGrad(int rows, int cols, float[] dy, int dyOff, float[] db, int dbOff) {
        VectorOps.biasGrad(parallel, rows, cols, dy, dyOff, db, dbOff);
    }

    @Override
    public double softmaxCrossEntropy(int rows, int classes, float[] logits, int logitsOff, int[] labels, int labelsOff, float eps, float[] probs, int probsOff, float[] dlogits, int dlogitsOff) {
        return VectorOps.softmaxCrossEntropy(parallel, rows, classes, logits, logitsOff, labels, labelsOff, eps, probs, probsOff, dlogits, dlogitsOff);
    }

    @Override
    public void softmax(int rows, int classes, float[] logits, int logitsOff, float[] probs, int probsOff) {
        VectorOps.softmax(parallel, rows, classes, logits, logitsOff, probs, probsOff);
    }

    @Override
    public void dropoutForward(int n, float p, long seed, float[] x, int xOff, float[] mask, int maskOff, float[] y, int yOff) {
        VectorOps.dropoutForward(parallel, n, p, seed, x, xOff, mask, maskOff, y, yOff);
    }

    @Override
    public void dropoutBackward(int n, float[] mask, int maskOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        VectorOps.dropoutBackward(parallel, n, mask, maskOff, dy, dyOff, dx, dxOff);
    }

    @Override
    public void batchNormForwardTraining(int rows, int channels, float[] x, int xOff, float[] gamma, float[] beta, float eps, float momentum, float[] runningMean, float[] runningVar, float[] saveMean, float[] saveInvStd, float[] y, int yOff) {
        VectorOps.batchNormForwardTraining(parallel, rows, channels, x, xOff, gamma, beta, eps, momentum, runningMean, runningVar, saveMean, saveInvStd, y, yOff);
    }

    @Override
    public void batchNormForwardInference(int rows, int channels, float[] x, int xOff, float[] gamma, float[] beta, float eps, float[] runningMean, float[] runningVar, float[] y, int yOff) {
        VectorOps.batchNormForwardInference(parallel, rows, channels, x, xOff, gamma, beta, eps, runningMean, runningVar, y, yOff);
    }

    @Override
    public void batchNormBackward(int rows, int channels, float[] x, int xOff, float[] dy, int dyOff, float[] gamma, float[] saveMean, float[] saveInvStd, float[] dx, int dxOff, float[] dgamma, float[] dbeta) {
        VectorOps.batchNormBackward(parallel, rows, channels, x, xOff, dy, dyOff, gamma, saveMean, saveInvStd, dx, dxOff, dgamma, dbeta);
    }

    @Override
    public void sgdUpdate(int n, float[] w, float[] g, float[] velocity, float lr, float momentum, float weightDecay, boolean nesterov) {
        VectorOps.sgdUpdate(parallel, n, w, g, velocity, lr, momentum, weightDecay, nesterov);
    }

    @Override
    public void adamUpdate(int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1, float beta2, float eps, float weightDecay, long step) {
        VectorOps.adamUpdate(parallel, n, w, g, m, v, lr, beta1, beta2, eps, weightDecay, step);
    }
}
