package dev.simdnet.augment;

import static dev.simdnet.testing.SameBits.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.simdnet.data.DataException;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.Normalization;
import dev.simdnet.data.TestData;
import dev.simdnet.kernel.Parallel;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AugmenterTest {
    private static final int[] IDS = IntStream.range(0, 64).map(i -> i * 151).toArray();

    private static float[] augment(AugmentConfig c, long seed, long epoch, int[] ids, Parallel par) {
        Dataset d = TestData.mnistTest();
        float[] out = new float[ids.length * 784];
        new Augmenter(c, seed).augmentBatch(d, ids, 0, ids.length, epoch, Normalization.IDENTITY, out, 0, par);
        return out;
    }

    private static double ink(float[] img, int off) {
        double s = 0;
        for (int i = 0; i < 784; i++) s += img[off + i];
        return s;
    }

    @Test
    void configsAreValidatedAndPresetsParse() {
        assertThat(AugmentConfig.preset("none").isOff()).isTrue();
        assertThat(AugmentConfig.preset("Light")).isEqualTo(AugmentConfig.LIGHT);
        assertThat(AugmentConfig.STRONG.elastic()).isTrue();
        // pen: the light affine distortions, plus strokes made thicker or thinner, no elastic field
        assertThat(AugmentConfig.preset("pen")).isEqualTo(AugmentConfig.PEN);
        assertThat(AugmentConfig.PEN.stroke()).isTrue();
        assertThat(AugmentConfig.PEN.elastic()).isFalse();
        assertThat(AugmentConfig.PEN.rotationDeg()).isEqualTo(AugmentConfig.LIGHT.rotationDeg());
        assertThatThrownBy(() -> AugmentConfig.preset("wild")).isInstanceOf(DataException.class).hasMessageContaining("none, light, pen or strong");
        assertThatThrownBy(() -> new AugmentConfig(-1, 0, 0, 0, 0, 0, 0, 0)).hasMessageContaining("rotationDeg");
        assertThatThrownBy(() -> new AugmentConfig(0, 0, 0, 0, 0, 0, 1.5f, 0)).hasMessageContaining("strokeProbability");
        assertThatThrownBy(() -> new AugmentConfig(0, 0, 0, 0, 10, 0, 0, 0)).hasMessageContaining("elasticSigma");
        assertThatThrownBy(() -> new AugmentConfig(Float.NaN, 0, 0, 0, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noneIsExactlyThePlainBatch() {
        Dataset d = TestData.mnistTest();
        float[] plain = new float[IDS.length * 784], aug = new float[IDS.length * 784];
        d.fillBatch(IDS, 0, IDS.length, Normalization.MNIST, plain, 0);
        new Augmenter(AugmentConfig.NONE, 1).augmentBatch(d, IDS, 0, IDS.length, 3, Normalization.MNIST, aug, 0, null);
        assertSameBits("augmented with the identity", aug, plain);
    }

    @Test
    void samplesDependOnSeedEpochAndIdOnlyNotOnThreadsOrBatch() {
        float[] serial = augment(AugmentConfig.STRONG, 7, 2, IDS, null);
        try (Parallel two = new Parallel(2)) {
            assertSameBits("two threads against one", augment(AugmentConfig.STRONG, 7, 2, IDS, two), serial);
        }
        // The same sample at another position of another batch comes out the same.
        int[] other = {IDS[5], 3, IDS[0]};
        float[] moved = augment(AugmentConfig.STRONG, 7, 2, other, null);
        assertSameBits("image 5 moved to 0", Arrays.copyOfRange(moved, 0, 784), Arrays.copyOfRange(serial, 5 * 784, 6 * 784));
        assertSameBits("image 0 moved to 2", Arrays.copyOfRange(moved, 2 * 784, 3 * 784), Arrays.copyOfRange(serial, 0, 784));
        assertThat(augment(AugmentConfig.STRONG, 7, 3, IDS, null)).isNotEqualTo(serial);
        assertThat(augment(AugmentConfig.STRONG, 8, 2, IDS, null)).isNotEqualTo(serial);
    }

    @Test
    void lightAugmentationKeepsTheDigitRecognizable() {
        Dataset d = TestData.mnistTest();
        float[] plain = new float[IDS.length * 784];
        d.fillBatch(IDS, 0, IDS.length, Normalization.IDENTITY, plain, 0);
        float[] aug = augment(AugmentConfig.LIGHT, 1, 0, IDS, null);
        int changed = 0;
        for (int b = 0; b < IDS.length; b++) {
            int o = b * 784;
            // Scale within +-10% changes the ink by at most (1.1)^2; resampling blurs a little.
            assertThat(ink(aug, o) / ink(plain, o)).isBetween(0.7, 1.35);
            if (!Arrays.equals(Arrays.copyOfRange(aug, o, o + 784), Arrays.copyOfRange(plain, o, o + 784))) changed++;
            for (int i = 0; i < 784; i++) assertThat(aug[o + i]).isBetween(0f, 1f);
        }
        assertThat(changed).isEqualTo(IDS.length);
    }

    @Test
    void applyOnFloatsMatchesTheBytePath() {
        Dataset d = TestData.mnistTest();
        float[] unit = new float[IDS.length * 784];
        d.fillBatch(IDS, 0, IDS.length, Normalization.IDENTITY, unit, 0);
        new Augmenter(AugmentConfig.STRONG, 5).apply(unit, 0, IDS.length, 1, IDS, 0, null);
        assertThat(unit).containsExactly(augment(AugmentConfig.STRONG, 5, 1, IDS, null), within(1e-6f));
    }

    /**
     * Only a translation, applied to a blob in the middle that no shift pushes out of the frame: the blob's
     * centre moves by at most the bound, and bilinear resampling keeps its ink.
     */
    @Test
    void translationMovesTheCentreOfMassWithinTheBoundAndKeepsTheInk() {
        AugmentConfig shift = new AugmentConfig(0, 0, 0, 3, 0, 0, 0, 0);
        float[] blob = new float[784];
        for (int i = 0; i < 784; i++) {
            double dx = i % 28 - 13.5, dy = i / 28 - 13.5;
            blob[i] = (float) Math.exp(-(dx * dx + dy * dy) / (2 * 2.0 * 2.0));
        }
        float[] imgs = new float[IDS.length * 784];
        for (int b = 0; b < IDS.length; b++) System.arraycopy(blob, 0, imgs, b * 784, 784);
        new Augmenter(shift, 2).apply(imgs, 0, IDS.length, 0, IDS, 0, null);
        double maxMove = 0;
        for (int b = 0; b < IDS.length; b++) {
            double[] c = centre(imgs, b * 784);
            double dx = c[0] - 13.5, dy = c[1] - 13.5;
            assertThat(Math.abs(dx)).isLessThanOrEqualTo(3.001);
            assertThat(Math.abs(dy)).isLessThanOrEqualTo(3.001);
            maxMove = Math.max(maxMove, Math.max(Math.abs(dx), Math.abs(dy)));
            assertThat(ink(imgs, b * 784)).isCloseTo(ink(blob, 0), within(0.01 * ink(blob, 0)));
        }
        assertThat(maxMove).isGreaterThan(2); // the shifts use the range
    }

    private static double[] centre(float[] img, int off) {
        double s = 0, sx = 0, sy = 0;
        for (int i = 0; i < 784; i++) {
            s += img[off + i];
            sx += img[off + i] * (i % 28);
            sy += img[off + i] * (i / 28);
        }
        return new double[] {sx / s, sy / s};
    }

    @Test
    void strokeWidthThickensAndThins() {
        float[] img = TestData.mnistTest().imageUnit(0), tmp = new float[784];
        float[] thick = img.clone(), thin = img.clone();
        Augmenter.strokeWidth(thick, tmp, 28, 28, true, 1f);
        Augmenter.strokeWidth(thin, tmp, 28, 28, false, 1f);
        assertThat(ink(thick, 0)).isGreaterThan(1.3 * ink(img, 0));
        assertThat(ink(thin, 0)).isLessThan(0.7 * ink(img, 0));
        for (int i = 0; i < 784; i++) {
            assertThat(thick[i]).isGreaterThanOrEqualTo(img[i]);
            assertThat(thin[i]).isLessThanOrEqualTo(img[i]);
        }
        float[] half = img.clone();
        Augmenter.strokeWidth(half, tmp, 28, 28, true, 0.5f);
        for (int i = 0; i < 784; i++) assertThat(half[i]).isCloseTo((img[i] + thick[i]) / 2, within(1e-6f));
    }

    @Test
    void elasticFieldsAreSmoothPeriodicAndScaledLikeSimards() {
        float sigma = 4;
        float[] bank = Augmenter.fieldBank(28, 28, sigma, 9);
        int tile = 56, fields = bank.length / (tile * tile);
        double sum = 0, sq = 0, diffSq = 0;
        int n = 0;
        for (int f = 0; f < fields; f++)
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++) {
                    int i = f * tile * tile + y * tile + x;
                    float v = bank[i];
                    assertThat(bank[i + 28]).isEqualTo(v); // tiled: the shifted window wraps around
                    assertThat(bank[i + 28 * tile]).isEqualTo(v);
                    sum += v;
                    sq += v * v;
                    diffSq += (bank[i + 1] - v) * (bank[i + 1] - v);
                    n++;
                }
        double var = sq / n - (sum / n) * (sum / n);
        // Uniform [-1, 1] has variance 1/3; a normalized Gaussian of sigma keeps about 1/(4 pi sigma^2) of it.
        double expected = (1.0 / 3) / (4 * Math.PI * sigma * sigma);
        assertThat(var).isBetween(expected / 2, expected * 2);
        assertThat(diffSq / n).isLessThan(0.1 * var); // neighbours are strongly correlated: smooth
    }

    @Test
    void previewGridHasOneRowPerSampleAndOneColumnPerVariant(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("sub/aug.png");
        AugmentPreview.writePng(png, TestData.mnistTest(), new int[] {0, 1, 2}, null, new Augmenter(AugmentConfig.LIGHT, 1), 4, 2);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(2 + 5 * (56 + 2));
        assertThat(img.getHeight()).isEqualTo(2 + 3 * (56 + 2));
    }

    /** Plain bilinear sampling with explicit bounds tests: the reference for the padded, clamped loop. */
    private static float bilinearReference(float[] img, int rows, int cols, float sx, float sy) {
        int x0 = (int) Math.floor(sx), y0 = (int) Math.floor(sy);
        float fx = sx - x0, fy = sy - y0;
        float v = 0;
        for (int dy = 0; dy <= 1; dy++)
            for (int dx = 0; dx <= 1; dx++) {
                int x = x0 + dx, y = y0 + dy;
                if (x < 0 || y < 0 || x >= cols || y >= rows) continue;
                v += (dx == 0 ? 1 - fx : fx) * (dy == 0 ? 1 - fy : fy) * img[y * cols + x];
            }
        return v;
    }

    private static float[] pad(float[] img, int rows, int cols) {
        float[] p = new float[(rows + 3) * (cols + 3)];
        for (int y = 0; y < rows; y++) System.arraycopy(img, y * cols, p, (y + 1) * (cols + 3) + 1, cols);
        return p;
    }

    @Test
    void warpMatchesPlainBilinearSamplingOnRandomMapsAndShapes() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
        for (int[] shape : new int[][] {{28, 28}, {2, 2}, {7, 13}, {31, 5}}) {
            int rows = shape[0], cols = shape[1];
            float[] img = new float[rows * cols];
            for (int i = 0; i < img.length; i++) img[i] = (float) rng.nextDouble();
            for (int trial = 0; trial < 20; trial++) {
                float[] inv = new float[4];
                for (int i = 0; i < 4; i++) inv[i] = (float) (3 * rng.nextDouble() - 1.5);
                float tx = (float) (20 * rng.nextDouble() - 10), ty = (float) (20 * rng.nextDouble() - 10);
                float[] out = new float[rows * cols];
                Augmenter.warp(pad(img, rows, cols), rows, cols, inv, tx, ty, null, 0, 0, 0, 0, out);
                float cx = (cols - 1) * 0.5f, cy = (rows - 1) * 0.5f;
                for (int y = 0; y < rows; y++)
                    for (int x = 0; x < cols; x++) {
                        float qx = x - cx - tx, qy = y - cy - ty;
                        float sx = inv[0] * qx + inv[1] * qy + cx, sy = inv[2] * qx + inv[3] * qy + cy;
                        assertThat(out[y * cols + x]).as("%dx%d at %d,%d", rows, cols, x, y)
                                .isCloseTo(bilinearReference(img, rows, cols, sx, sy), within(1e-5f));
                    }
            }
        }
    }

    @Test
    void quarterTurnIsAnExactPixelPermutation() {
        float[] img = TestData.mnistTest().imageUnit(0), out = new float[784];
        float[] inv = {0, 1, -1, 0}; // inverse of a quarter turn: (x, y) <- (y, -x) about the centre
        Augmenter.warp(pad(img, 28, 28), 28, 28, inv, 0, 0, null, 0, 0, 0, 0, out);
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++) assertThat(out[y * 28 + x]).isEqualTo(img[(27 - x) * 28 + y]);
    }
}
