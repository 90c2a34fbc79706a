package dev.simdnet.train;

/**
 * Images and labels as the training loop consumes them: {@code n} uint8 images of {@code h × w} (one channel),
 * row-major, and their labels; plus the normalization that turns a pixel into the network's input.
 */
public record LabeledImages(byte[] pixels, int[] labels, int n, int h, int w, float mean, float std) {
    public LabeledImages {
        if (pixels.length != (long) n * h * w) throw new IllegalArgumentException("pixels do not match n x h x w");
        if (labels.length != n) throw new IllegalArgumentException("labels do not match n");
        if (!(std > 0)) throw new IllegalArgumentException("std must be positive");
    }

    public int imageSize() { return h * w; }

    /** Writes images {@code idx[from..to)} as normalized floats (count, h, w, 1) into {@code x} and their labels into {@code y}. */
    public void gather(int[] idx, int from, int to, float[] x, int[] y) {
        int size = h * w;
        float scale = 1f / (255f * std), shift = -mean / std;
        for (int i = from; i < to; i++) {
            int src = idx[i] * size, dst = (i - from) * size;
            for (int p = 0; p < size; p++) x[dst + p] = (pixels[src + p] & 0xFF) * scale + shift;
            y[i - from] = labels[idx[i]];
        }
    }

    /** Writes images {@code idx[from..to)} in [0, 1] (for augmentation before normalization). */
    public void gatherUnit(int[] idx, int from, int to, float[] x, int[] y) {
        int size = h * w;
        for (int i = from; i < to; i++) {
            int src = idx[i] * size, dst = (i - from) * size;
            for (int p = 0; p < size; p++) x[dst + p] = (pixels[src + p] & 0xFF) * (1f / 255f);
            y[i - from] = labels[idx[i]];
        }
    }

    /** Normalizes {@code count} images in [0, 1] in place. */
    public void normalize(float[] x, int count) {
        float inv = 1f / std;
        for (int i = 0, n = count * h * w; i < n; i++) x[i] = (x[i] - mean) * inv;
    }
}
