package dev.simdnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    private final List<String> notes = new ArrayList<>();

    /** A grey picture written by ImageIO, not by the decoder under test. */
    static void writePicture(Path file, byte[] pixels, int w, int h, String format) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(w, h, format.equals("jpg") || format.equals("bmp") ? BufferedImage.TYPE_3BYTE_BGR : BufferedImage.TYPE_BYTE_GRAY);
        // Raw samples: setRGB on a grey image would convert from sRGB to Java's linear grey and change the values.
        if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) img.getRaster().setDataElements(0, 0, w, h, pixels);
        else
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int v = pixels[y * w + x] & 0xff;
                    img.setRGB(x, y, 0xff000000 | v << 16 | v << 8 | v);
                }
        if (!ImageIO.write(img, format, file.toFile())) throw new IOException("no ImageIO writer for " + format);
    }

    /** MNIST test image {@code i} as a PNG at {@code file}. */
    private static void writeDigit(Path file, int i) throws IOException {
        Dataset d = TestData.mnistTest();
        writePicture(file, Arrays.copyOfRange(d.images(), i * 784, (i + 1) * 784), 28, 28, "png");
    }

    /** {@code perClass} MNIST images of each of the classes, as {@code root/<class>/<index>.png}. */
    private static void writeClasses(Path root, int perClass, String... classes) throws IOException {
        for (int c = 0; c < classes.length; c++)
            for (int k = 0; k < perClass; k++) writeDigit(root.resolve(classes[c]).resolve(String.format("%03d.png", k)), c * 100 + k);
    }

    private ImageFolder.Loaded load(Path dir, ImageFolder.Settings s) {
        return ImageFolder.load(dir, s, notes::add);
    }

    @Test
    void readsTheLayoutWithSortedClassNamesLosslesslyThenFromTheCache(@TempDir Path dir) throws IOException {
        writeClasses(dir.resolve("train"), 4, "zebra", "ant", "moth");
        writeClasses(dir.resolve("test"), 2, "zebra", "ant", "moth");
        ImageFolder.Loaded first = load(dir, ImageFolder.Settings.DEFAULT);
        assertThat(first.classes()).containsExactly("ant", "moth", "zebra");
        assertThat(first.train().n()).isEqualTo(12);
        assertThat(first.train().classCounts()).containsExactly(4, 4, 4);
        assertThat(first.validation()).isNull();
        assertThat(first.test().n()).isEqualTo(6);
        assertThat(first.fromCache()).isFalse();
        assertThat(first.train().rows()).isEqualTo(28);
        assertThat(first.train().channels()).isEqualTo(1);                  // every picture is grey
        // "ant" is label 0 and its first picture is MNIST test image 100 ("ant" was written second), pixel for pixel.
        assertThat(first.train().label(0)).isZero();
        assertThat(Arrays.copyOfRange(first.train().images(), 0, 784)).isEqualTo(Arrays.copyOfRange(TestData.mnistTest().images(), 100 * 784, 101 * 784));

        ImageFolder.Loaded again = load(dir, ImageFolder.Settings.DEFAULT);
        assertThat(again.fromCache()).isTrue();
        assertThat(again.train().images()).isEqualTo(first.train().images());
        assertThat(again.train().labels()).isEqualTo(first.train().labels());
        assertThat(again.test().images()).isEqualTo(first.test().images());
        assertThat(again.classes()).isEqualTo(first.classes());

        // Another size is another cache entry; a changed file is decoded afresh.
        assertThat(load(dir, new ImageFolder.Settings(14, 14, 0, false, false)).fromCache()).isFalse();
        Path changed = dir.resolve("train/ant/000.png");
        writeDigit(changed, 7);
        Files.setLastModifiedTime(changed, FileTime.fromMillis(Files.getLastModifiedTime(changed).toMillis() + 5_000));
        ImageFolder.Loaded fresh = load(dir, ImageFolder.Settings.DEFAULT);
        assertThat(fresh.fromCache()).isFalse();
        assertThat(Arrays.copyOfRange(fresh.train().images(), 0, 784)).isEqualTo(Arrays.copyOfRange(TestData.mnistTest().images(), 7 * 784, 8 * 784));
    }

    @Test
    void anyFormatAndSizeIsResizedToTheMedianCappedAt64OrTheGivenSize(@TempDir Path dir) throws IOException {
        byte[] big = new byte[100 * 80];
        Arrays.fill(big, (byte) 200);
        writePicture(dir.resolve("train/a/1.png"), big, 100, 80, "png");
        writePicture(dir.resolve("train/a/2.jpg"), big, 100, 80, "jpg");
        writePicture(dir.resolve("train/a/3.bmp"), big, 100, 80, "bmp");
        writePicture(dir.resolve("train/b/1.gif"), new byte[40 * 30], 40, 30, "gif");
        writePicture(dir.resolve("train/b/2.png"), new byte[300 * 10], 300, 10, "png");
        ImageFolder.Loaded auto = load(dir, new ImageFolder.Settings(0, 0, 1, false, false));
        // Median width 100, height 80 (the pictures' middle values), shrunk so the longer side is 64.
        assertThat(auto.train().cols()).isEqualTo(64);
        assertThat(auto.train().rows()).isEqualTo(51);
        assertThat(auto.train().n()).isEqualTo(5);
        assertThat(auto.train().classCounts()).containsExactly(3, 2);
        // A uniform grey picture stays that grey at any size, in every format (JPEG within its rounding).
        for (int k = 0; k < 51 * 64; k++) assertThat(auto.train().images()[k] & 0xff).isEqualTo(200);
        for (int k = 0; k < 51 * 64; k++) assertThat(auto.train().images()[51 * 64 + k] & 0xff).isBetween(198, 202);
        for (int k = 0; k < 51 * 64; k++) assertThat(auto.train().images()[2 * 51 * 64 + k] & 0xff).isEqualTo(200);
        // The JPEG and the BMP are stored in colour, so by default the images have three channels.
        assertThat(load(dir, ImageFolder.Settings.DEFAULT).train().channels()).isEqualTo(3);

        ImageFolder.Loaded given = load(dir, new ImageFolder.Settings(16, 20, 0, false, false));
        assertThat(given.train().rows()).isEqualTo(16);
        assertThat(given.train().cols()).isEqualTo(20);
    }

    @Test
    void colourPicturesGiveRedGreenBlueByDefaultAndTheirLuminanceWithOneChannel(@TempDir Path dir) throws IOException {
        for (String[] c : new String[][] {{"red", "ff0000"}, {"blue", "0000ff"}})
            for (int k = 0; k < 3; k++) {
                BufferedImage img = new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 6; y++) for (int x = 0; x < 8; x++) img.setRGB(x, y, Integer.parseInt(c[1], 16));
                Files.createDirectories(dir.resolve("train").resolve(c[0]));
                ImageIO.write(img, "png", dir.resolve("train").resolve(c[0]).resolve(k + ".png").toFile());
            }
        Dataset rgb = load(dir, ImageFolder.Settings.DEFAULT).train();
        assertThat(rgb.channels()).isEqualTo(3);
        assertThat(rgb.rows()).isEqualTo(6);
        assertThat(rgb.cols()).isEqualTo(8);
        assertThat(rgb.pixels()).isEqualTo(6 * 8 * 3);
        // "blue" sorts first: label 0, pixels (0, 0, 255); "red" gives (255, 0, 0), channels side by side per pixel.
        assertThat(Arrays.copyOfRange(rgb.images(), 0, 6)).containsExactly(0, 0, (byte) 255, 0, 0, (byte) 255);
        assertThat(Arrays.copyOfRange(rgb.images(), 3 * rgb.pixels(), 3 * rgb.pixels() + 3)).containsExactly((byte) 255, 0, 0);
        assertThat(notes).anyMatch(n -> n.contains("3 channels"));

        Dataset grey = load(dir, new ImageFolder.Settings(0, 0, 1, false, false)).train();
        assertThat(grey.channels()).isEqualTo(1);
        assertThat(grey.images()[0] & 0xff).isEqualTo(29);                 // 0.114 * 255, blue's luminance
        assertThat(grey.images()[3 * grey.pixels()] & 0xff).isEqualTo(76);  // 0.299 * 255, red's
        assertThatThrownBy(() -> new ImageFolder.Settings(0, 0, 3, true, false)).hasMessageContaining("grey");
    }

    @Test
    void resizingAveragesTheAreaEachPixelCoversAndKeepsTheSameSizeExact() {
        int[] src = {0, 100, 200, 40};
        assertThat(Resize.grey(src, 2, 2, 1, 1)).containsExactly((byte) 85);
        assertThat(Resize.grey(src, 2, 2, 2, 2)).containsExactly((byte) 0, (byte) 100, (byte) 200, (byte) 40);
        assertThat(Resize.grey(new int[] {0, 255}, 2, 1, 4, 1)).containsExactly((byte) 0, (byte) 0, (byte) 255, (byte) 255);
        assertThat(Resize.grey(new int[] {0, 90, 180}, 3, 1, 2, 1)).containsExactly((byte) 30, (byte) 150);
    }

    @Test
    void normalizationIsMeasuredOnTheGivenImagesOnly() {
        Dataset d = new Dataset("t", 2, 1, 2, new byte[] {0, (byte) 255, (byte) 255, (byte) 255}, new byte[] {0, 1}, 2);
        Normalization first = Normalization.of(d, new int[] {0});
        assertThat(first.mean()).isEqualTo(0.5f);
        assertThat(first.std()).isEqualTo(0.5f);
        assertThat(Normalization.of(d, new int[] {1})).isEqualTo(new Normalization(1f, 1f));   // no spread: std 1
    }

    @Test
    void theDigitRecipePreparesPicturesAndSkipsBlankOnesWithTheirReason(@TempDir Path dir) throws IOException {
        writeClasses(dir.resolve("train"), 30, "0", "1");
        byte[] blank = new byte[50 * 50];
        writePicture(dir.resolve("train/1/blank.png"), blank, 50, 50, "png");
        assertThatThrownBy(() -> load(dir, new ImageFolder.Settings(0, 0, 0, true, false)))
                .isInstanceOf(DataException.class).hasMessageContaining("1 of the 61 files").hasMessageContaining("--skip-bad");
        assertThat(notes).anyMatch(n -> n.contains("train/1/blank.png") && n.contains("blank"));
        ImageFolder.Loaded d = load(dir, new ImageFolder.Settings(0, 0, 0, true, true));
        assertThat(d.train().rows()).isEqualTo(28);
        assertThat(d.train().n()).isEqualTo(60);
        assertThat(d.skipped()).isEqualTo(1);
        assertThatThrownBy(() -> new ImageFolder.Settings(32, 32, 0, true, false)).hasMessageContaining("28x28");
    }

    @Test
    void badFilesAreSkippedCountedAndListedAndRefusedOverOnePercent(@TempDir Path dir) throws IOException {
        writeClasses(dir.resolve("train"), 60, "a", "b");
        Files.writeString(dir.resolve("train/a/broken.png"), "not a png at all");
        ImageFolder.Loaded fine = load(dir, ImageFolder.Settings.DEFAULT);            // 1 of 121 files: under 1%
        assertThat(fine.train().n()).isEqualTo(120);
        assertThat(fine.skipped()).isEqualTo(1);
        assertThat(notes).anyMatch(n -> n.contains("skipped 1 of 121 files"));
        assertThat(notes).anyMatch(n -> n.contains("train/a/broken.png") && n.contains("not an image"));

        Files.writeString(dir.resolve("train/b/notes.txt"), "hello");
        for (int i = 0; i < 12; i++) Files.write(dir.resolve("train/b/cut" + i + ".png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        notes.clear();
        assertThatThrownBy(() -> load(dir, ImageFolder.Settings.DEFAULT))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("14 of the 134 files")
                .hasMessageContaining("--skip-bad");
        assertThat(notes).anyMatch(n -> n.contains("the first 10"));
        assertThat(notes.stream().filter(n -> n.startsWith("  train/"))).hasSize(10);
        assertThat(notes).anyMatch(n -> n.contains("train/b/notes.txt") && n.contains("not a picture"));
        // From the cache, the same report and the same refusal; --skip-bad goes on without them.
        notes.clear();
        assertThatThrownBy(() -> load(dir, ImageFolder.Settings.DEFAULT)).hasMessageContaining("14 of the 134 files");
        assertThat(notes).anyMatch(n -> n.contains("train/b/notes.txt"));
        ImageFolder.Loaded skipped = load(dir, new ImageFolder.Settings(0, 0, 0, false, true));
        assertThat(skipped.fromCache()).isTrue();
        assertThat(skipped.train().n()).isEqualTo(120);
        assertThat(skipped.skipped()).isEqualTo(14);
    }

    @Test
    void aClassWhosePicturesAreAllBadIsRefusedEvenWithSkipBad(@TempDir Path dir) throws IOException {
        writeClasses(dir.resolve("train"), 3, "a");
        Files.createDirectories(dir.resolve("train/b"));
        Files.writeString(dir.resolve("train/b/x.png"), "junk");
        assertThatThrownBy(() -> load(dir, new ImageFolder.Settings(0, 0, 0, false, true)))
                .isInstanceOf(DataException.class).hasMessageContaining("train/b").hasMessageContaining("no picture simdnet can read");
    }

    @Test
    void anEmptyClassFolderIsRefused(@TempDir Path dir) throws IOException {
        writeClasses(dir.resolve("train"), 3, "a", "b");
        Files.createDirectories(dir.resolve("train/c"));
        assertThatThrownBy(() -> load(dir, ImageFolder.Settings.DEFAULT))
                .isInstanceOf(DataException.class).hasMessageContaining("train/c holds no pictures");
    }

    @Test
    void aSingleClassIsRefused(@TempDir Path dir) throws IOException {
        writeClasses(dir.resolve("train"), 3, "only");
        assertThatThrownBy(() -> load(dir, ImageFolder.Settings.DEFAULT))
                .isInstanceOf(DataException.class).hasMessageContaining("only one class folder (only)");
    }

    @Test
    void aFolderWithoutPicturesIsRefused(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("train/a"));
        Files.createDirectories(dir.resolve("train/b"));
        assertThatThrownBy(() -> load(dir, ImageFolder.Settings.DEFAULT))
                .isInstanceOf(DataException.class).hasMessageContaining("train holds no pictures");
        Path flat = Files.createDirectories(dir.resolve("flat/train"));
        Files.writeString(flat.resolve("readme.txt"), "x");
        assertThatThrownBy(() -> load(dir.resolve("flat"), ImageFolder.Settings.DEFAULT))
                .isInstanceOf(DataException.class).hasMessageContaining("has no class folders");
    }

    @Test
    void differentClassSetsInTrainValAndTestAreRefused(@TempDir Path dir) throws IOException {
        writeClasses(dir.resolve("train"), 2, "cat", "dog");
        writeClasses(dir.resolve("val"), 2, "cat", "dog");
        writeClasses(dir.resolve("test"), 2, "cat", "emu");
        assertThatThrownBy(() -> load(dir, ImageFolder.Settings.DEFAULT))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("test does not hold the same class folders as train/")
                .hasMessageContaining("lacks dog")
                .hasMessageContaining("train/ lacks emu");
    }

    @Test
    void theLayoutIsRecognizedByItsTrainFolder(@TempDir Path dir) throws IOException {
        assertThat(ImageFolder.isImageFolder(dir)).isFalse();
        assertThat(ImageFolder.isImageFolder(null)).isFalse();
        Files.createDirectories(dir.resolve("train"));
        assertThat(ImageFolder.isImageFolder(dir)).isTrue();
    }
}
