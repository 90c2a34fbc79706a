package dev.simdnet.kernel;

/** Placeholder: to be written. */
final class VectorOps {
    private VectorOps() {}

    static void reluForward(Parallel parallel, int n, float[] x, int xOff, float[] y, int yOff) {
        ScalarOps.reluForward(parallel, n, x, xOff, y, yOff);
    }

    static void reluBackward(Parallel parallel, int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        ScalarOps.reluBackward(parallel, n, y, yOff, dy, dyOff, dx, dxOff);
    }

    static void biasAdd(Parallel parallel, int rows, int cols, float[] x, int xOff, float[] bias, int biasOff) {
        ScalarOps.biasAdd(parallel, rows, cols, x, xOff, bias, biasOff);
    }

    static void biasGrad(Parallel parallel, int rows, int cols, float[] dy, int dyOff, float[] db, int dbOff) {
        ScalarOps.biasGrad(parallel, rows, cols, dy, dyOff, db, dbOff);
    }

    static double softmaxCrossEntropy(Parallel parallel, int rows, int classes, float[] logits, int logitsOff, int[] labels, int labelsOff, float eps, float[] probs, int probsOff, float[] dlogits, int dlogitsOff) {
        return ScalarOps.softmaxCrossEntropy(parallel, rows, classes, logits, logitsOff, labels, labelsOff, eps, probs, probsOff, dlogits, dlogitsOff);
    }

    static void softmax(Parallel parallel, int rows, int classes, float[] logits, int logitsOff, float[] probs, int probsOff) {
        ScalarOps.softmax(parallel, rows, classes, logits, logitsOff, probs, probsOff);
    }

    static void dropoutForward(Parallel parallel, int n, float p, long seed, float[] x, int xOff, float[] mask, int maskOff, float[] y, int yOff) {
        ScalarOps.dropoutForward(parallel, n, p, seed, x, xOff, mask, maskOff, y, yOff);
    }

    static void dropoutBackward(Parallel parallel, int n, float[] mask, int maskOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        ScalarOps.dropoutBackward(parallel, n, mask, maskOff, dy, dyOff, dx, dxOff);
    }

    static void batchNormForwardTraining(Parallel parallel, int rows, int channels, float[] x, int xOff, float[] gamma, float[] beta, float eps, float momentum, float[] runningMean, float[] runningVar, float[] saveMean, float[] saveInvStd, float[] y, int yOff) {
        ScalarOps.batchNormForwardTraining(parallel, rows, channels, x, xOff, gamma, beta, eps, momentum, runningMean, runningVar, saveMean, saveInvStd, y, yOff);
    }

    static void batchNormForwardInference(Parallel parallel, int rows, int channels, float[] x, int xOff, float[] gamma, float[] beta, float eps, float[] runningMean, float[] runningVar, float[] y, int yOff) {
        ScalarOps.batchNormForwardInference(parallel, rows, channels, x, xOff, gamma, beta, eps, runningMean, runningVar, y, yOff);
    }

    static void batchNormBackward(Parallel parallel, int rows, int channels, float[] x, int xOff, float[] dy, int dyOff, float[] gamma, float[] saveMean, float[] saveInvStd, float[] dx, int dxOff, float[] dgamma, float[] dbeta) {
        ScalarOps.batchNormBackward(parallel, rows, channels, x, xOff, dy, dyOff, gamma, saveMean, saveInvStd, dx, dxOff, dgamma, dbeta);
    }

    static void sgdUpdate(Parallel parallel, int n, float[] w, float[] g, float[] velocity, float lr, float momentum, float weightDecay, boolean nesterov) {
        ScalarOps.sgdUpdate(parallel, n, w, g, velocity, lr, momentum, weightDecay, nesterov);
    }

    static void adamUpdate(Parallel parallel, int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1, float beta2, float eps, float weightDecay, long step) {
        ScalarOps.adamUpdate(parallel, n, w, g, m, v, lr, beta1, beta2, eps, weightDecay, step);
    }

}
