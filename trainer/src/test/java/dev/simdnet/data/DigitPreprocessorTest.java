package dev.simdnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigitPreprocessorTest {
    private static final DigitPreprocessor PRE = new DigitPreprocessor();
    /** Test digits used: a spread over the test set, all classes. */
    private static final int[] SAMPLES = java.util.stream.IntStream.range(0, 60).map(i -> i * 163).toArray();

    /** An MNIST digit as a gray picture: ink dark on light when {@code darkOnLight}. */
    static BufferedImage gray(byte[] px, int index, boolean darkOnLight) {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++) {
                int v = px[index * 784 + y * 28 + x] & 0xff;
                img.getRaster().setSample(x, y, 0, darkOnLight ? 255 - v : v);
            }
        return img;
    }

    /** Black ink whose opacity is the digit's intensity, on a fully transparent background. */
    static BufferedImage withAlpha(byte[] px, int index) {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++) img.setRGB(x, y, (px[index * 784 + y * 28 + x] & 0xff) << 24);
        return img;
    }

    /** The digit dark on a light 400x300 canvas, scaled 10x (280x280, bilinear) and placed off-centre. */
    static BufferedImage bigOffCentre(byte[] px, int index) {
        BufferedImage canvas = new BufferedImage(400, 300, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = canvas.createGraphics();
        g.setColor(new Color(235, 235, 230));
        g.fillRect(0, 0, 400, 300);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(gray(px, index, true), 100, 10, 280, 280, null);
        g.dispose();
        return canvas;
    }

    /**
     * Cosine similarity of a prepared digit with the original, the best over shifts of up to one pixel: MNIST
     * rounded the centre of mass to whole pixels, so a half-pixel difference may land one pixel away.
     */
    static double similarity(float[] a, byte[] px, int index) {
        double best = -1;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                double ab = 0, aa = 0, bb = 0;
                for (int y = 0; y < 28; y++)
                    for (int x = 0; x < 28; x++) {
                        int sy = y + dy, sx = x + dx;
                        double b = sy < 0 || sy >= 28 || sx < 0 || sx >= 28 ? 0 : (px[index * 784 + sy * 28 + sx] & 0xff) / 255.0;
                        double v = a[y * 28 + x];
                        ab += v * b;
                        aa += v * v;
                        bb += b * b;
                    }
                best = Math.max(best, ab / Math.sqrt(aa * bb));
            }
        return best;
    }

    /** Prepares each sample digit rendered by {@code render}; returns {mean, min} similarity to the original. */
    private static double[] similarities(Function<Integer, BufferedImage> render) {
        byte[] px = TestData.mnistTest().images();
        double sum = 0, min = 1;
        for (int i : SAMPLES) {
            DigitPreprocessor.Result r = PRE.process(render.apply(i));
            assertThat(r.isDigit()).as("digit %d: %s", i, r.reason()).isTrue();
            double c = similarity(r.digit(), px, i);
            sum += c;
            min = Math.min(min, c);
        }
        return new double[] {sum / SAMPLES.length, min};
    }

    @Test
    void mnistDigitsComeBackAsTheyWereInEveryPolarity() {
        byte[] px = TestData.mnistTest().images();
        assertThat(similarities(i -> gray(px, i, false))[1]).isGreaterThan(0.99);
        assertThat(similarities(i -> gray(px, i, true))[1]).isGreaterThan(0.99);
        assertThat(similarities(i -> withAlpha(px, i))[1]).isGreaterThan(0.99);
    }

    @Test
    void scaledOffCentreDigitsAreCroppedScaledAndCentred() {
        byte[] px = TestData.mnistTest().images();
        double[] s = similarities(i -> bigOffCentre(px, i));
        assertThat(s[0]).isGreaterThan(0.97);
        assertThat(s[1]).isGreaterThan(0.9);
        for (int i : new int[] {0, 1, 2, 3, 4}) {
            float[] d = PRE.process(bigOffCentre(px, i)).digit();
            double sum = 0, sx = 0, sy = 0;
            int top = 28, bottom = -1;
            for (int k = 0; k < 784; k++) {
                sum += d[k];
                sx += d[k] * (k % 28);
                sy += d[k] * (k / 28);
                if (d[k] > 0.15f) {
                    top = Math.min(top, k / 28);
                    bottom = Math.max(bottom, k / 28);
                }
            }
            assertThat(sx / sum).isBetween(13.5, 14.5);
            assertThat(sy / sum).isBetween(13.5, 14.5);
            assertThat(bottom - top + 1).as("height of the tall digit %d", i).isBetween(19, 20);
        }
    }

    @Test
    void everyImageIoFormatWorksFromDisk(@TempDir Path dir) throws IOException {
        byte[] px = TestData.mnistTest().images();
        BufferedImage big = bigOffCentre(px, 7);
        for (String format : new String[] {"png", "jpg", "bmp", "gif"}) {
            Path f = dir.resolve("digit." + format);
            assertThat(ImageIO.write(big, format, f.toFile())).as(format).isTrue();
            DigitPreprocessor.Result r = PRE.process(f);
            assertThat(r.isDigit()).as(format).isTrue();
            assertThat(similarity(r.digit(), px, 7)).as(format).isGreaterThan(0.9);
            // Normalized as a batch of one, it equals the training path's batch of the same bytes.
            Dataset one = new Dataset("one", 1, 28, 28, r.digitBytes(), new byte[] {7}, 10);
            assertThat(r.toTensor(Normalization.MNIST).toArray())
                    .containsExactly(one.batch(new int[] {0}, 0, 1, Normalization.MNIST).toArray());
        }
    }

    private static BufferedImage filled(int w, int h, Color c) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    @Test
    void blankAndNearBlankPicturesHoldNoDigit() {
        assertThat(PRE.process(filled(280, 280, Color.WHITE)).reason()).contains("blank");
        assertThat(PRE.process(filled(28, 28, Color.BLACK)).reason()).contains("blank");
        assertThat(PRE.process(new BufferedImage(50, 50, BufferedImage.TYPE_INT_ARGB)).reason()).contains("blank");
        BufferedImage faint = filled(280, 280, Color.WHITE); // a smudge of light gray
        Graphics2D g = faint.createGraphics();
        g.setColor(new Color(225, 225, 225));
        g.fillOval(100, 100, 60, 60);
        g.dispose();
        assertThat(PRE.process(faint).reason()).contains("blank");
        BufferedImage speck = filled(280, 280, Color.WHITE); // one dark dot of 3x3 pixels
        Graphics2D g2 = speck.createGraphics();
        g2.setColor(Color.BLACK);
        g2.fillRect(140, 140, 3, 3);
        g2.dispose();
        DigitPreprocessor.Result r = PRE.process(speck);
        assertThat(r.isDigit()).isFalse();
        assertThat(r.digit()).isNull();
        assertThat(r.reason()).contains("too little ink");
    }

    /**
     * Documented behaviour: uniform noise has ink over about a third of the picture and of its border; the
     * border test rejects it (a digit's picture has a plain background at its edges).
     */
    @Test
    void randomNoiseIsRejectedAsTooMuchInk() {
        SplittableRandom rng = new SplittableRandom(5);
        BufferedImage noise = new BufferedImage(100, 100, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 100; y++)
            for (int x = 0; x < 100; x++) noise.getRaster().setSample(x, y, 0, rng.nextInt(256));
        assertThat(PRE.process(noise).reason()).contains("of the border");
        BufferedImage dense = filled(100, 100, Color.BLACK); // white scribble over most of a black picture
        Graphics2D g = dense.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(5, 5, 90, 90);
        g.dispose();
        assertThat(PRE.process(dense).reason()).contains("% of the picture");
    }

    @Test
    void unreadableFilesGiveClearErrors(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image at all");
        assertThatThrownBy(() -> DigitPreprocessor.readImage(text))
                .isInstanceOf(DataException.class)
                .hasMessage(text + " is not an image ImageIO can read (PNG, JPEG, GIF, BMP)");
        assertThatThrownBy(() -> DigitPreprocessor.readImage(dir.resolve("missing.png")))
                .hasMessageContaining("does not exist");
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(filled(10, 10, Color.WHITE), "png", png);
        byte[] truncated = java.util.Arrays.copyOf(png.toByteArray(), 30);
        assertThatThrownBy(() -> DigitPreprocessor.readImage(new ByteArrayInputStream(truncated), "upload"))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("upload is not an image ImageIO can read");
    }
}
