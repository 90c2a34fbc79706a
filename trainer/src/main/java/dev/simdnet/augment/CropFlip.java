package dev.simdnet.augment;

import dev.simdnet.kernel.Parallel;

import java.util.SplittableRandom;

/**
 * The usual augmentation of small colour pictures (CIFAR's): pad each picture by {@code pad} pixels of zeros,
 * crop a random {@code rows × cols} window back out of it, and mirror it left to right half the time. Never for
 * digits: a mirrored 2 or 7 is no digit. Each picture's draw comes from (seed, epoch, picture id), so a run
 * resumed mid-epoch sees the same pictures, on any number of threads.
 */
public final class CropFlip {
    private final long seed;
    private final int rows, cols, channels, pad;

    public CropFlip(long seed, int rows, int cols, int channels, int pad) {
        if (rows < 1 || cols < 1 || channels < 1 || pad < 0) throw new IllegalArgumentException("bad crop-flip geometry");
        this.seed = seed;
        this.rows = rows;
        this.cols = cols;
        this.channels = channels;
        this.pad = pad;
    }

    /** Augments pictures {@code 0 .. count} of {@code images} (NHWC, in [0, 1]) in place; picture i is {@code ids[idsFrom + i]}. */
    public void apply(float[] images, int count, long epoch, int[] ids, int idsFrom, Parallel parallel) {
        int size = rows * cols * channels;
        parallel.forRange(count, 8, (from, to) -> {
            float[] copy = new float[size];
            for (int i = from; i < to; i++) {
                SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ (epoch * 1_000_003L + ids[idsFrom + i]));
                int dy = r.nextInt(2 * pad + 1) - pad, dx = r.nextInt(2 * pad + 1) - pad;
                boolean flip = r.nextBoolean();
                System.arraycopy(images, i * size, copy, 0, size);
                transform(copy, images, i * size, dy, dx, flip);
            }
        });
    }

    /** {@code out} at {@code off} = {@code src} shifted by (dy, dx), zeros where it came from the padding, maybe mirrored. */
    void transform(float[] src, float[] out, int off, int dy, int dx, boolean flip) {
        for (int y = 0; y < rows; y++) {
            int sy = y + dy;
            for (int x = 0; x < cols; x++) {
                int sx = (flip ? cols - 1 - x : x) + dx;
                int o = off + (y * cols + x) * channels;
                if (sy < 0 || sy >= rows || sx < 0 || sx >= cols) {
                    for (int c = 0; c < channels; c++) out[o + c] = 0f;
                } else {
                    System.arraycopy(src, (sy * cols + sx) * channels, out, o, channels);
                }
            }
        }
    }
}
