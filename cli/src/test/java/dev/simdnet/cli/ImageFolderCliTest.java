package dev.simdnet.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.data.DataSource;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.DatasetKind;
import dev.simdnet.data.DatasetLoader;
import dev.simdnet.data.Subset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code train --data-dir DIR} on the image-folder layout, its options, and its refusals. */
class ImageFolderCliTest {
    static Dataset digits;

    @BeforeAll
    static void load() {
        digits = DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, DataSource.offline(Cli.data()));
    }

    /** {@code perClass} MNIST test digits of each class c, as {@code root/<names[c]>/<k>.png}. */
    static void writeClasses(Path root, int perClass, String... names) throws IOException {
        for (int c = 0; c < names.length; c++) {
            Files.createDirectories(root.resolve(names[c]));
            for (int k = 0, i = 0; k < perClass; i++) {
                if (digits.label(i) != c) continue;
                BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                img.getRaster().setDataElements(0, 0, 28, 28, Arrays.copyOfRange(digits.images(), i * 784, (i + 1) * 784));
                ImageIO.write(img, "png", root.resolve(names[c]).resolve(k++ + ".png").toFile());
            }
        }
    }

    private static Cli train(Path dir, Path folder, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--data-dir", folder.toString(), "--preset", "baseline", "--epochs", "1",
                "--batch", "16", "--threads", "2", "--no-track", "--output", dir.resolve("m.safetensors").toString()));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    /** The {@code __metadata__} of a safetensors file: an 8-byte little-endian header length, then the JSON header. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> metadata(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int n = (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return (Map<String, Object>) JSON.std.mapFrom(new String(b, 8, n, StandardCharsets.UTF_8)).get("__metadata__");
    }

    @Test
    void trainsOnAFolderWithoutTestSavesTheClassNamesAndReadsTheCacheNextTime(@TempDir Path dir) throws IOException {
        Path folder = dir.resolve("digits");
        writeClasses(folder.resolve("train"), 60, "zero", "one", "two");
        Cli first = train(dir, folder, "--input-size", "16");
        assertThat(first.exit()).as(first.err()).isZero();
        Map<String, Object> r = JSON.std.mapFrom(first.out().strip());
        assertThat(r).containsEntry("dataset", "folder").containsEntry("input_size", "16x16").containsEntry("classes", 3)
                .containsEntry("validation_images", 18).containsEntry("test_images", 0).doesNotContainKey("test_accuracy");
        assertThat((String) r.get("test_set")).contains("no test/ folder");
        assertThat(((Number) r.get("best_val_accuracy")).doubleValue()).isGreaterThan(1 / 3.0);   // better than chance
        assertThat(first.err()).contains("decoded 180 pictures");
        Map<String, Object> meta = metadata(dir.resolve("m.safetensors"));
        assertThat(JSON.std.listFrom((String) meta.get("classes"))).containsExactly("one", "two", "zero");
        assertThat((String) meta.get("model")).contains("16x16x1 classes=3");
        assertThat(meta).doesNotContainKey("test_accuracy");

        Cli second = train(dir, folder, "--input-size", "16");
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.err()).contains("from the cache").doesNotContain("decoded 180");
        assertThat(JSON.std.mapFrom(second.out().strip())).containsEntry("decode_cached", true);
    }

    @Test
    void theDigitRecipeAndAValFolderAreUsed(@TempDir Path dir) throws IOException {
        Path folder = dir.resolve("digits");
        writeClasses(folder.resolve("train"), 40, "0", "1");
        writeClasses(folder.resolve("val"), 10, "0", "1");
        writeClasses(folder.resolve("test"), 10, "0", "1");
        Cli r = train(dir, folder, "--preprocess", "digits");
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Object> result = JSON.std.mapFrom(r.out().strip());
        assertThat(result).containsEntry("input_size", "28x28").containsEntry("validation_from", "val/")
                .containsEntry("validation_images", 20).containsEntry("test_images", 20).containsKey("test_accuracy");
        assertThat(metadata(dir.resolve("m.safetensors"))).containsEntry("preprocess", "digits");
    }

    @Test
    void colourPicturesTrainOnThreeChannelsWithoutAugmentation(@TempDir Path dir) throws IOException {
        Path folder = dir.resolve("colours");
        java.util.Random rng = new java.util.Random(1);
        for (String[] c : new String[][] {{"red", "0"}, {"green", "1"}})
            for (int k = 0; k < 40; k++) {
                BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
                int shift = 16 - 8 * Integer.parseInt(c[1]);
                for (int y = 0; y < 12; y++) for (int x = 0; x < 12; x++) img.setRGB(x, y, (100 + rng.nextInt(156)) << shift);
                Files.createDirectories(folder.resolve("train").resolve(c[0]));
                ImageIO.write(img, "png", folder.resolve("train").resolve(c[0]).resolve(k + ".png").toFile());
            }
        Cli r = train(dir, folder);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(JSON.std.mapFrom(r.out().strip())).containsEntry("channels", 3).containsEntry("input_size", "12x12");
        assertThat((String) metadata(dir.resolve("m.safetensors")).get("model")).contains("12x12x3 classes=2");
        Cli grey = train(dir, folder, "--channels", "1");
        assertThat(grey.exit()).as(grey.err()).isZero();
        assertThat(JSON.std.mapFrom(grey.out().strip())).containsEntry("channels", 1);

        Cli augmented = train(dir, folder, "--augment", "light");
        assertThat(augmented.exit()).isEqualTo(1);
        assertThat(augmented.oneLineError()).as(augmented.err()).isTrue();
        assertThat(augmented.err()).contains("grey images only");
    }

    @Test
    void colourPicturesTrainTheCnn32WithCropsAndMirrorsAndDigitsAreNeverMirrored(@TempDir Path dir) throws IOException {
        // 32x32 colour pictures of noise with a square: red in the left half (class "left"), blue in the right half
        // ("right"). Mirrors move the squares, so the network must learn the colour, as crops and flips intend.
        Path folder = dir.resolve("squares");
        java.util.Random rng = new java.util.Random(2);
        for (String cls : new String[] {"left", "right"})
            for (int k = 0; k < 64; k++) {
                BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) img.setRGB(x, y, rng.nextInt(60) * 0x010101);
                int x0 = (cls.equals("left") ? 2 : 18) + rng.nextInt(8), y0 = 4 + rng.nextInt(16), colour = cls.equals("left") ? 0xE02020 : 0x2020E0;
                for (int y = y0; y < y0 + 8; y++) for (int x = x0; x < Math.min(32, x0 + 8); x++) img.setRGB(x, y, colour);
                Files.createDirectories(folder.resolve("train").resolve(cls));
                ImageIO.write(img, "png", folder.resolve("train").resolve(cls).resolve(k + ".png").toFile());
            }
        Cli r = Cli.run("train", "--data-dir", folder.toString(), "--model", "cnn32", "--augment", "crop-flip", "--epochs", "6",
                "--batch", "16", "--lr", "0.05", "--validation", "32", "--threads", "2", "--no-track", "--output", dir.resolve("c.safetensors").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Object> result = JSON.std.mapFrom(r.out().strip());
        assertThat(result).containsEntry("channels", 3).containsEntry("input_size", "32x32").containsEntry("model", "cnn32");
        assertThat(((Number) result.get("best_val_accuracy")).doubleValue()).isGreaterThanOrEqualTo(0.9);
        assertThat(dev.simdnet.model.Model.load(dir.resolve("c.safetensors")).classNames()).containsExactly("left", "right");
        // classify reads a picture of another size with the model's own recipe (resized, colour) and names its class.
        BufferedImage big = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 20; y < 36; y++) for (int x = 8; x < 24; x++) big.setRGB(x, y, 0xE02020);
        Path picture = dir.resolve("a-left-one.png");
        ImageIO.write(big, "png", picture.toFile());
        Cli cls = Cli.run("classify", "--model", dir.resolve("c.safetensors").toString(), "--json", picture.toString());
        assertThat(cls.exit()).as(cls.err()).isZero();
        assertThat(JSON.std.mapFrom(cls.out().strip())).containsEntry("class", "left").containsEntry("digit", 0);

        Cli digitsMirrored = Cli.run("train", "--augment", "crop-flip", "--epochs", "0.05", "--data-dir", Cli.mnist(), "--offline", "--no-track",
                "--output", dir.resolve("d.safetensors").toString());
        assertThat(digitsMirrored.exit()).isNotZero();
        assertThat(digitsMirrored.oneLineError()).as(digitsMirrored.err()).isTrue();
        assertThat(digitsMirrored.err()).contains("a mirrored digit is no digit");
    }

    @Test
    void badDataIsOneLineAndExitOne(@TempDir Path dir) throws IOException {
        Path single = dir.resolve("single");
        writeClasses(single.resolve("train"), 5, "only");
        Cli one = train(dir, single);
        assertThat(one.exit()).isEqualTo(1);
        assertThat(one.oneLineError()).as(one.err()).isTrue();
        assertThat(one.err()).contains("only one class folder");

        Path broken = dir.resolve("broken");
        writeClasses(broken.resolve("train"), 30, "a", "b");
        for (int i = 0; i < 12; i++) Files.writeString(broken.resolve("train/a/bad" + i + ".png"), "junk");
        Cli refused = train(dir, broken);
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.oneLineError()).as(refused.err()).isTrue();
        assertThat(refused.err()).contains("skipped 12 of 72 files").contains("train/a/bad0.png").contains("--skip-bad");
        Cli skipping = train(dir, broken, "--skip-bad");
        assertThat(skipping.exit()).as(skipping.err()).isZero();
        assertThat(JSON.std.mapFrom(skipping.out().strip())).containsEntry("files_skipped", 12);
    }

    @Test
    void folderOptionsAreCheckedAsUsageAndDocumented(@TempDir Path dir) throws IOException {
        Path folder = dir.resolve("f");
        writeClasses(folder.resolve("train"), 2, "a", "b");
        for (String[] bad : List.of(new String[] {"--input-size", "big"}, new String[] {"--input-size", "0x5"},
                new String[] {"--input-size", "5000"}, new String[] {"--channels", "2"}, new String[] {"--preprocess", "sharpen"},
                new String[] {"--preprocess", "digits", "--input-size", "32"})) {
            Cli r = train(dir, folder, bad);
            assertThat(r.exit()).as(String.join(" ", bad) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", bad)).contains("error:").doesNotContain("Exception");
        }
        Cli notAFolder = Cli.run("train", "--data-dir", Cli.mnist(), "--input-size", "32", "--no-track");
        assertThat(notAFolder.exit()).isEqualTo(2);
        assertThat(notAFolder.err()).contains("--input-size applies to image folders only");
        assertThat(Cli.run("train", "--data-dir", Cli.mnist(), "--skip-bad", "--no-track").err()).contains("--skip-bad applies to image folders only");

        String help = Cli.run("train", "--help").out();
        assertThat(help).contains("--input-size=H[xW]").contains("--channels=N").contains("--preprocess=RECIPE").contains("--skip-bad")
                .contains("train/<class>/");
    }

    @Test
    void aNamedDataFolderThatDoesNotExistIsAnErrorAndIsNotCreated(@TempDir Path dir) {
        Path missing = dir.resolve("no/such/dir");
        Cli r = Cli.run("train", "--data-dir", missing.toString(), "--output", dir.resolve("m.safetensors").toString(), "--no-track");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.oneLineError()).as(r.err()).isTrue();
        assertThat(r.err()).contains(missing.toString()).contains("does not exist");
        assertThat(dir.resolve("no")).doesNotExist();
    }
}
