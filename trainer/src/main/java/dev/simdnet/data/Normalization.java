package dev.simdnet.data;

/**
 * The per-pixel normalization {@code (x/255 - mean) / std} applied to every image that enters a network.
 * Training, evaluation and {@code classify} must use the same constants, so they live here and nowhere else.
 *
 * @param mean mean pixel value of the training set on a [0, 1] scale
 * @param std  standard deviation of the training pixels on a [0, 1] scale, positive
 */
public record Normalization(float mean, float std) {
    /** MNIST training pixels: mean 0.1307, std 0.3081. */
    public static final Normalization MNIST = new Normalization(0.1307f, 0.3081f);
    /** Fashion-MNIST training pixels: mean 0.2860, std 0.3530. */
    public static final Normalization FASHION = new Normalization(0.2860f, 0.3530f);
    /** No change: x/255. */
    public static final Normalization IDENTITY = new Normalization(0f, 1f);

    public Normalization {
        if (!Float.isFinite(mean)) throw new IllegalArgumentException("normalization mean must be finite, got " + mean);
        if (!(std > 0) || !Float.isFinite(std))
            throw new IllegalArgumentException("normalization std must be positive and finite, got " + std);
    }

    /**
     * The mean and standard deviation of the pixels of the images {@code idx} of {@code data}: the normalization of
     * a data set without published constants (an image folder), measured on its training split only. A set of
     * blank images, whose deviation is 0, keeps a deviation of 1.
     */
    public static Normalization of(Dataset data, int[] idx) {
        long[] histogram = new long[256];
        int p = data.pixels();
        byte[] px = data.images();
        for (int i : idx)
            for (int k = i * p, end = k + p; k < end; k++) histogram[px[k] & 0xff]++;
        double n = 0, sum = 0, sq = 0;
        for (int v = 0; v < 256; v++) {
            double x = v / 255.0;
            n += histogram[v];
            sum += histogram[v] * x;
            sq += histogram[v] * x * x;
        }
        if (n == 0) return IDENTITY;
        double mean = sum / n, std = Math.sqrt(Math.max(0, sq / n - mean * mean));
        return new Normalization((float) mean, std > 1e-6 ? (float) std : 1f);
    }

    /** Normalizes a pixel given on a [0, 1] scale. */
    public float apply(float unit) {
        return (unit - mean) / std;
    }

    /** Normalizes an 8-bit pixel (0..255). */
    public float applyByte(int pixel) {
        return apply(pixel / 255f);
    }

    /** Normalizes {@code n} values of {@code x} on a [0, 1] scale in place, from {@code off}. */
    public void applyInPlace(float[] x, int off, int n) {
        // Same arithmetic as apply(), so a batch and a single classified image agree bit for bit.
        for (int i = off; i < off + n; i++) x[i] = (x[i] - mean) / std;
    }
}
