package dev.simdnet.data;

import dev.simdnet.tensor.Tensor;
import java.util.Objects;

/**
 * Images and labels in memory: {@code n} images of {@code rows x cols} pixels of {@code channels} uint8 values each
 * (grey: 0 = black background, 255 = full ink; colour: red, green, blue), row-major with a pixel's channels side
 * by side, one image after another, and one label per image.
 *
 * <p>The arrays are shared, not copied: treat them as read-only. Batches come out as float NHWC tensors
 * {@code (batch, rows, cols, channels)} normalized by a {@link Normalization}.
 *
 * @param name    for messages and logs, e.g. {@code mnist/train}
 * @param n       number of images
 * @param rows    image height in pixels
 * @param cols    image width in pixels
 * @param channels values per pixel: 1 (grey, MNIST's) or 3 (red, green, blue)
 * @param images  {@code n * rows * cols * channels} bytes, unsigned
 * @param labels  {@code n} labels, each in {@code [0, numClasses)}
 * @param numClasses number of classes (10 for MNIST; an image folder's class folders)
 */
public record Dataset(String name, int n, int rows, int cols, int channels, byte[] images, byte[] labels, int numClasses) {
    /** Grey images, one value a pixel. */
    public Dataset(String name, int n, int rows, int cols, byte[] images, byte[] labels, int numClasses) {
        this(name, n, rows, cols, 1, images, labels, numClasses);
    }

    public Dataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        if (n < 0 || rows <= 0 || cols <= 0 || (channels != 1 && channels != 3))
            throw new IllegalArgumentException("bad dataset shape: " + n + " x " + rows + " x " + cols + " x " + channels);
        if (images.length != (long) n * rows * cols * channels)
            throw new IllegalArgumentException(name + ": " + images.length + " pixel bytes for " + n + " images of "
                    + rows + "x" + cols + "x" + channels);
        if (labels.length != n)
            throw new IllegalArgumentException(name + ": " + labels.length + " labels for " + n + " images");
        if (numClasses < 1 || numClasses > 127)
            throw new IllegalArgumentException("numClasses must be in [1, 127], got " + numClasses);
        for (int i = 0; i < n; i++)
            if (labels[i] < 0 || labels[i] >= numClasses)
                throw new DataException(name + ": label " + labels[i] + " of image " + i + " is not in [0, "
                        + numClasses + ")");
    }

    /** The indices of all images, 0 to n - 1. */
    public int[] all() {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return idx;
    }

    /** Values per image: {@code rows * cols * channels}. */
    public int pixels() { return rows * cols * channels; }

    public int label(int i) {
        Objects.checkIndex(i, n);
        return labels[i];
    }

    /** All labels as ints. */
    public int[] labelsAsInts() {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = labels[i];
        return out;
    }

    /** How many images each class has. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (byte l : labels) counts[l]++;
        return counts;
    }

    /** One image on a [0, 1] scale, {@link #pixels()} floats. */
    public float[] imageUnit(int i) {
        Objects.checkIndex(i, n);
        int p = pixels();
        float[] out = new float[p];
        for (int k = 0; k < p; k++) out[k] = (images[i * p + k] & 0xff) / 255f;
        return out;
    }

    /**
     * Writes the images {@code indices[from .. from+count)} normalized into {@code out} from {@code outOffset}:
     * {@code count * pixels()} floats, NHWC.
     */
    public void fillBatch(int[] indices, int from, int count, Normalization norm, float[] out, int outOffset) {
        Objects.checkFromIndexSize(from, count, indices.length);
        int p = pixels();
        Objects.checkFromIndexSize(outOffset, count * p, out.length);
        // 256-entry table: the same (x/255 - mean)/std as Normalization.applyByte, computed once.
        float[] table = new float[256];
        for (int v = 0; v < 256; v++) table[v] = norm.applyByte(v);
        for (int b = 0; b < count; b++) {
            int img = indices[from + b];
            Objects.checkIndex(img, n);
            int src = img * p, dst = outOffset + b * p;
            for (int k = 0; k < p; k++) out[dst + k] = table[images[src + k] & 0xff];
        }
    }

    /** A new tensor {@code (count, rows, cols, channels)} of the normalized images {@code indices[from .. from+count)}. */
    public Tensor batch(int[] indices, int from, int count, Normalization norm) {
        Tensor t = Tensor.zeros(count, rows, cols, channels);
        fillBatch(indices, from, count, norm, t.data(), t.offset());
        return t;
    }

    /** Writes the labels of {@code indices[from .. from+count)} into {@code out[0 .. count)}. */
    public void fillLabels(int[] indices, int from, int count, int[] out) {
        Objects.checkFromIndexSize(from, count, indices.length);
        for (int b = 0; b < count; b++) out[b] = label(indices[from + b]);
    }

    /** The images at {@code indices} as a new data set (pixels copied). */
    public Dataset subset(int[] indices, String subsetName) {
        int p = pixels();
        byte[] px = new byte[indices.length * p];
        byte[] lb = new byte[indices.length];
        for (int b = 0; b < indices.length; b++) {
            int img = indices[b];
            Objects.checkIndex(img, n);
            System.arraycopy(images, img * p, px, b * p, p);
            lb[b] = labels[img];
        }
        return new Dataset(subsetName, indices.length, rows, cols, channels, px, lb, numClasses);
    }

    /** {@code a}'s images then {@code b}'s, in a new data set (both of the same size and classes). */
    public static Dataset concat(String name, Dataset a, Dataset b) {
        if (a.rows != b.rows || a.cols != b.cols || a.channels != b.channels || a.numClasses != b.numClasses)
            throw new IllegalArgumentException("cannot join " + a + " and " + b + ": their sizes or classes differ");
        byte[] px = new byte[a.images.length + b.images.length], lb = new byte[a.n + b.n];
        System.arraycopy(a.images, 0, px, 0, a.images.length);
        System.arraycopy(b.images, 0, px, a.images.length, b.images.length);
        System.arraycopy(a.labels, 0, lb, 0, a.n);
        System.arraycopy(b.labels, 0, lb, a.n, b.n);
        return new Dataset(name, a.n + b.n, a.rows, a.cols, a.channels, px, lb, a.numClasses);
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ", " + n + " images of " + rows + "x" + cols + (channels == 1 ? "" : "x" + channels) + ", " + numClasses + " classes]";
    }
}
