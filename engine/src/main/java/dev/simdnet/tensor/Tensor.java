package dev.simdnet.tensor;

import java.util.Arrays;

/**
 * A thin view of a {@code float[]}: storage, offset and shape, row-major, no arithmetic.
 *
 * <p>Images are stored NHWC, {@code (batch, height, width, channels)}: the channels of one pixel
 * are contiguous, so im2col copies whole runs of channels and the convolution's GEMM writes its
 * output (batch·pixels, out channels) straight into the next layer's input with no transpose.
 * Kernels take the array, an offset and sizes; validation happens here, once.
 */
public final class Tensor {
    private final float[] data;
    private final int offset;
    private final int[] shape;
    private final int size;

    private Tensor(float[] data, int offset, int[] shape) {
        this.shape = shape.clone();
        int n = 1;
        for (int d : this.shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        if (offset < 0 || offset + n > data.length)
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " at offset " + offset
                    + " does not fit in " + data.length + " floats");
        this.data = data;
        this.offset = offset;
        this.size = n;
    }

    /** A new zero-filled tensor. */
    public static Tensor zeros(int... shape) {
        int n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        return new Tensor(new float[n], 0, shape);
    }

    /** Wraps {@code data} (not copied) with the given shape. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, 0, shape);
    }

    /** Wraps {@code data} (not copied) from {@code offset} with the given shape. */
    public static Tensor view(float[] data, int offset, int... shape) {
        return new Tensor(data, offset, shape);
    }

    public float[] data() { return data; }
    public int offset() { return offset; }
    public int size() { return size; }
    public int rank() { return shape.length; }
    public int dim(int i) { return shape[i]; }
    public int[] shape() { return shape.clone(); }

    /** Elements per index of the first dimension, e.g. one image of a batch. */
    public int stride0() { return shape.length == 0 || shape[0] == 0 ? 0 : size / shape[0]; }

    public float get(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException(i);
        return data[offset + i];
    }

    public void set(int i, float v) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException(i);
        data[offset + i] = v;
    }

    /** The same storage seen with another shape of the same size. */
    public Tensor reshape(int... newShape) {
        Tensor t = new Tensor(data, offset, newShape);
        if (t.size != size)
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        return t;
    }

    /** Rows {@code [from, to)} of the first dimension, sharing storage. */
    public Tensor slice(int from, int to) {
        if (from < 0 || to > shape[0] || from > to)
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of " + shape[0]);
        int[] s = shape.clone();
        s[0] = to - from;
        return new Tensor(data, offset + from * stride0(), s);
    }

    /** A copy with its own storage. */
    public Tensor copy() {
        return new Tensor(Arrays.copyOfRange(data, offset, offset + size), 0, shape);
    }

    /** The elements as a fresh array. */
    public float[] toArray() { return Arrays.copyOfRange(data, offset, offset + size); }

    public void fill(float v) { Arrays.fill(data, offset, offset + size, v); }

    public boolean sameShape(Tensor o) { return Arrays.equals(shape, o.shape); }

    @Override
    public String toString() { return "Tensor" + Arrays.toString(shape); }
}
