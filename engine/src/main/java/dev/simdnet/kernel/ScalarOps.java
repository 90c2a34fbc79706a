package dev.simdnet.kernel;

/** Placeholder: to be written. */
final class ScalarOps {
    private ScalarOps() {}

    static void reluForward(Parallel parallel, int n, float[] x, int xOff, float[] y, int yOff) {
        throw new UnsupportedOperationException("ScalarOps.reluForward");
    }

    static void reluBackward(Parallel parallel, int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        throw new UnsupportedOperationException("ScalarOps.reluBackward");
    }

    static void biasAdd(Parallel parallel, int rows, int cols, float[] x, int xOff, float[] bias, int biasOff) {
        throw new UnsupportedOperationException("ScalarOps.biasAdd");
    }

    static void biasGrad(Parallel parallel, int rows, int cols, float[] dy, int dyOff, float[] db, int dbOff) {
        throw new UnsupportedOperationException("ScalarOps.biasGrad");
    }

    static double softmaxCrossEntropy(Parallel parallel, int rows, int classes, float[] logits, int logitsOff, int[] labels, int labelsOff, float eps, float[] probs, int probsOff, float[] dlogits, int dlogitsOff) {
        throw new UnsupportedOperationException("ScalarOps.softmaxCrossEntropy");
    }

    static void softmax(Parallel parallel, int rows, int classes, float[] logits, int logitsOff, float[] probs, int probsOff) {
        throw new UnsupportedOperationException("ScalarOps.softmax");
    }

    static void dropoutForward(Parallel parallel, int n, float p, long seed, float[] x, int xOff, float[] mask, int maskOff, float[] y, int yOff) {
        throw new UnsupportedOperationException("ScalarOps.dropoutForward");
    }

    static void dropoutBackward(Parallel parallel, int n, float[] mask, int maskOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        throw new UnsupportedOperationException("ScalarOps.dropoutBackward");
    }

    static void batchNormForwardTraining(Parallel parallel, int rows, int channels, float[] x, int xOff, float[] gamma, float[] beta, float eps, float momentum, float[] runningMean, float[] runningVar, float[] saveMean, float[] saveInvStd, float[] y, int yOff) {
        throw new UnsupportedOperationException("ScalarOps.batchNormForwardTraining");
    }

    static void batchNormForwardInference(Parallel parallel, int rows, int channels, float[] x, int xOff, float[] gamma, float[] beta, float eps, float[] runningMean, float[] runningVar, float[] y, int yOff) {
        throw new UnsupportedOperationException("ScalarOps.batchNormForwardInference");
    }

    static void batchNormBackward(Parallel parallel, int rows, int channels, float[] x, int xOff, float[] dy, int dyOff, float[] gamma, float[] saveMean, float[] saveInvStd, float[] dx, int dxOff, float[] dgamma, float[] dbeta) {
        throw new UnsupportedOperationException("ScalarOps.batchNormBackward");
    }

    static void sgdUpdate(Parallel parallel, int n, float[] w, float[] g, float[] velocity, float lr, float momentum, float weightDecay, boolean nesterov) {
        throw new UnsupportedOperationException("ScalarOps.sgdUpdate");
    }

    static void adamUpdate(Parallel parallel, int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1, float beta2, float eps, float weightDecay, long step) {
        throw new UnsupportedOperationException("ScalarOps.adamUpdate");
    }

}
