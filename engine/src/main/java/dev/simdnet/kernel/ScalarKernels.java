package dev.simdnet.kernel;

/**
 * The reference kernels: plain loops, written to be obviously right. They are the test oracle for
 * {@code VectorKernels} and the fallback where the Vector API is absent. Each method hands off to the
 * family class that holds the loop ({@link ScalarGemm}, {@link ScalarConv}, {@link ScalarOps}).
 */
public class ScalarKernels implements Kernels {
    protected final Parallel parallel;
    private final Workspace workspace = new Workspace();

    public ScalarKernels(Parallel parallel) {
        this.parallel = parallel;
    }

    @Override
    public String name() { return "scalar"; }

    @Override
    public Parallel parallel() { return parallel; }

    @Override
    public Workspace workspace() { return workspace; }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        ScalarGemm.sgemm(parallel, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void im2col(ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
        ScalarConv.im2col(parallel, g, x, xOff, col, colOff);
    }

    @Override
    public void col2im(ConvGeometry g, float[] col, int colOff, float[] dx, int dxOff) {
        ScalarConv.col2im(parallel, g, col, colOff, dx, dxOff);
    }

    @Override
    public void conv2dForward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff, float[] y, int yOff) {
        ScalarConv.conv2dForward(this, g, x, xOff, w, wOff, bias, biasOff, y, yOff);
    }

    @Override
    public void conv2dBackward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] dy, int dyOff, float[] dx, int dxOff, float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        ScalarConv.conv2dBackward(this, g, x, xOff, w, wOff, dy, dyOff, dx, dxOff, dw, dwOff, dbias, dbiasOff);
    }

    @Override
    public void maxPoolForward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax) {
        ScalarConv.maxPoolForward(parallel, g, x, xOff, y, yOff, argmax);
    }

    @Override
    public void maxPoolBackward(PoolGeometry g, float[] dy, int dyOff, int[] argmax, float[] dx, int dxOff) {
        ScalarConv.maxPoolBackward(parallel, g, dy, dyOff, argmax, dx, dxOff);
    }

    @Override
    public void reluForward(int n, float[] x, int xOff, float[] y, int yOff) {
        ScalarOps.reluForward(parallel, n, x, xOff, y, yOff);
    }

    @Override
    public void reluBackward(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        ScalarOps.reluBackward(parallel, n, y, yOff, dy, dyOff, dx, dxOff);
    }

    @Override
    public void biasAdd(int rows, int cols, float[] x, int xOff, float[] bias, int biasOff) {
        ScalarOps.biasAdd(parallel, rows, cols, x, xOff, bias, biasOff);
    }

    @Override
    public void biasGrad(int rows, int cols, float[] dy, int dyOff, float[] db, int dbOff) {
        ScalarOps.biasGrad(parallel, rows, cols, dy, dyOff, db, dbOff);
    }

    @Override
    public double softmaxCrossEntropy(int rows, int classes, float[] logits, int logitsOff, int[] labels, int labelsOff, float eps, float[] probs, int probsOff, float[] dlogits, int dlogitsOff) {
        return ScalarOps.softmaxCrossEntropy(parallel, rows, classes, logits, logitsOff, labels, labelsOff, eps, probs, probsOff, dlogits, dlogitsOff);
    }

    @Override
    public void softmax(int rows, int classes, float[] logits, int logitsOff, float[] probs, int probsOff) {
        ScalarOps.softmax(parallel, rows, classes, logits, logitsOff, probs, probsOff);
    }

    @Override
    public void dropoutForward(int n, float p, long seed, float[] x, int xOff, float[] mask, int maskOff, float[] y, int yOff) {
        ScalarOps.dropoutForward(parallel, n, p, seed, x, xOff, mask, maskOff, y, yOff);
    }

    @Override
    public void dropoutBackward(int n, float[] mask, int maskOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        ScalarOps.dropoutBackward(parallel, n, mask, maskOff, dy, dyOff, dx, dxOff);
    }

    @Override
    public void batchNormForwardTraining(int rows, int channels, float[] x, int xOff, float[] gamma, float[] beta, float eps, float momentum, float[] runningMean, float[] runningVar, float[] saveMean, float[] saveInvStd, float[] y, int yOff) {
        ScalarOps.batchNormForwardTraining(parallel, rows, channels, x, xOff, gamma, beta, eps, momentum, runningMean, runningVar, saveMean, saveInvStd, y, yOff);
    }

    @Override
    public void batchNormForwardInference(int rows, int channels, float[] x, int xOff, float[] gamma, float[] beta, float eps, float[] runningMean, float[] runningVar, float[] y, int yOff) {
        ScalarOps.batchNormForwardInference(parallel, rows, channels, x, xOff, gamma, beta, eps, runningMean, runningVar, y, yOff);
    }

    @Override
    public void batchNormBackward(int rows, int channels, float[] x, int xOff, float[] dy, int dyOff, float[] gamma, float[] saveMean, float[] saveInvStd, float[] dx, int dxOff, float[] dgamma, float[] dbeta) {
        ScalarOps.batchNormBackward(parallel, rows, channels, x, xOff, dy, dyOff, gamma, saveMean, saveInvStd, dx, dxOff, dgamma, dbeta);
    }

    @Override
    public void sgdUpdate(int n, float[] w, float[] g, float[] velocity, float lr, float momentum, float weightDecay, boolean nesterov) {
        ScalarOps.sgdUpdate(parallel, n, w, g, velocity, lr, momentum, weightDecay, nesterov);
    }

    @Override
    public void adamUpdate(int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1, float beta2, float eps, float weightDecay, long step) {
        ScalarOps.adamUpdate(parallel, n, w, g, m, v, lr, beta1, beta2, eps, weightDecay, step);
    }
}
