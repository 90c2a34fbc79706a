package dev.simdnet.model;

/**
 * Test-time augmentation ({@code classify --tta}): each 28x28 digit is read as it is and as a few copies shifted by
 * one pixel and scaled by 10% about the centre, and the probabilities of all copies are averaged. It costs one
 * forward pass per copy; what it gains on the validation writers is in BENCHMARKS.md ("Test-time augmentation").
 */
public final class TestTimeAugmentation {
    private TestTimeAugmentation() {}

    /** The copies: (dx, dy, scale); the first is the digit itself. */
    private static final double[][] COPIES = {
            {0, 0, 1}, {1, 0, 1}, {-1, 0, 1}, {0, 1, 1}, {0, -1, 1}, {0, 0, 0.9}, {0, 0, 1.1}};

    /** Copies per sample. */
    public static int copies() { return COPIES.length; }

    /**
     * The mean calibrated probabilities {@code (count, classes)} of each sample's copies, in one batched pass of
     * {@code count * copies()} images. Only for 28x28 grey models (the digit recipe).
     */
    public static float[] probabilities(Model model, float[] samples, int count) {
        Model.Input in = model.input();
        if (in.channels() != 1) throw new IllegalArgumentException("test-time augmentation reads grey digits; this model takes " + in.channels() + " channels");
        int h = in.height(), w = in.width(), size = h * w, k = COPIES.length, classes = model.classes();
        float[] batch = new float[count * k * size];
        for (int i = 0; i < count; i++)
            for (int c = 0; c < k; c++) transform(samples, i * size, h, w, COPIES[c], batch, (i * k + c) * size);
        float[] p = model.probabilities(batch, count * k), out = new float[count * classes];
        for (int i = 0; i < count; i++)
            for (int c = 0; c < k; c++)
                for (int j = 0; j < classes; j++) out[i * classes + j] += p[(i * k + c) * classes + j] / k;
        return out;
    }

    /** The image shifted by (dx, dy) pixels and scaled about its centre, bilinear, zero (background) outside. */
    static void transform(float[] src, int off, int h, int w, double[] t, float[] dst, int dstOff) {
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0, dx = t[0], dy = t[1], s = t[2];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                // The source point that lands on (x, y).
                double sx = (x - dx - cx) / s + cx, sy = (y - dy - cy) / s + cy;
                int x0 = (int) Math.floor(sx), y0 = (int) Math.floor(sy);
                double fx = sx - x0, fy = sy - y0;
                double v = (1 - fx) * (1 - fy) * at(src, off, h, w, x0, y0) + fx * (1 - fy) * at(src, off, h, w, x0 + 1, y0)
                        + (1 - fx) * fy * at(src, off, h, w, x0, y0 + 1) + fx * fy * at(src, off, h, w, x0 + 1, y0 + 1);
                dst[dstOff + y * w + x] = (float) v;
            }
    }

    private static float at(float[] src, int off, int h, int w, int x, int y) {
        return x < 0 || y < 0 || x >= w || y >= h ? 0f : src[off + y * w + x];
    }
}
