package dev.simdnet.kernel;

/** Placeholder: to be written. */
final class ScalarConv {
    private ScalarConv() {}

    static void im2col(Parallel parallel, ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
        throw new UnsupportedOperationException("ScalarConv.im2col");
    }

    static void col2im(Parallel parallel, ConvGeometry g, float[] col, int colOff, float[] dx, int dxOff) {
        throw new UnsupportedOperationException("ScalarConv.col2im");
    }

    static void conv2dForward(Kernels k, ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff, float[] y, int yOff) {
        throw new UnsupportedOperationException("ScalarConv.conv2dForward");
    }

    static void conv2dBackward(Kernels k, ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] dy, int dyOff, float[] dx, int dxOff, float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        throw new UnsupportedOperationException("ScalarConv.conv2dBackward");
    }

    static void maxPoolForward(Parallel parallel, PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax) {
        throw new UnsupportedOperationException("ScalarConv.maxPoolForward");
    }

    static void maxPoolBackward(Parallel parallel, PoolGeometry g, float[] dy, int dyOff, int[] argmax, float[] dx, int dxOff) {
        throw new UnsupportedOperationException("ScalarConv.maxPoolBackward");
    }

}
