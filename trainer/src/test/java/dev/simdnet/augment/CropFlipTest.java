package dev.simdnet.augment;

import dev.simdnet.kernel.Parallel;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.simdnet.testing.SameBits.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;

/** Crops and mirrors: the geometry, and the same pictures for a seed whatever the threads. */
class CropFlipTest {
    static float[] pictures(int n, int rows, int cols, int channels) {
        float[] x = new float[n * rows * cols * channels];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
        return x;
    }

    @Test
    void aShiftMovesThePixelsAndFillsWithZerosAMirrorTwiceIsTheIdentity() {
        int rows = 5, cols = 4, ch = 3;
        CropFlip cf = new CropFlip(1, rows, cols, ch, 2);
        float[] src = pictures(1, rows, cols, ch), out = new float[src.length];
        cf.transform(src, out, 0, 0, 0, false);
        assertSameBits("no shift, no mirror", out, src);
        cf.transform(src, out, 0, 1, -1, false);                 // out(y, x) = src(y + 1, x - 1)
        for (int c = 0; c < ch; c++) {
            assertThat(out[((0 * cols) + 2) * ch + c]).isEqualTo(src[((1 * cols) + 1) * ch + c]);
            assertThat(out[((0 * cols) + 0) * ch + c]).isZero();   // from x = -1
            assertThat(out[((4 * cols) + 2) * ch + c]).isZero();   // from y = 5
        }
        float[] once = new float[src.length], twice = new float[src.length];
        cf.transform(src, once, 0, 0, 0, true);
        assertThat(once[0]).isEqualTo(src[(cols - 1) * ch]);
        cf.transform(once, twice, 0, 0, 0, true);
        assertSameBits("mirrored twice", twice, src);
    }

    @Test
    void thePicturesDependOnSeedEpochAndIdNotOnThreads() {
        int n = 37, rows = 8, cols = 8, ch = 3;
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = 100 + i * 7;
        float[] one = pictures(n, rows, cols, ch), two = one.clone(), otherEpoch = one.clone(), original = one.clone();
        try (Parallel p1 = new Parallel(1); Parallel p2 = new Parallel(2)) {
            new CropFlip(9, rows, cols, ch, 1).apply(one, n, 3, ids, 0, p1);
            new CropFlip(9, rows, cols, ch, 1).apply(two, n, 3, ids, 0, p2);
            new CropFlip(9, rows, cols, ch, 1).apply(otherEpoch, n, 4, ids, 0, p2);
        }
        assertSameBits("two threads against one", two, one);
        assertThat(otherEpoch).isNotEqualTo(one);
        assertThat(one).isNotEqualTo(original);
    }
}
