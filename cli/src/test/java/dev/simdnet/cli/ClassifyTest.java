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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** classify on real MNIST test digits drawn as ordinary pictures, with a small model trained for the test. */
class ClassifyTest {
    @TempDir
    static Path dir;
    static Path model;
    static Dataset test;

    @BeforeAll
    static void trainASmallModel() {
        model = dir.resolve("mlp.safetensors");
        Cli r = Cli.run("train", "--preset", "baseline", "--epochs", "0.3", "--validation", "1000", "--data-dir", Cli.mnist(),
                "--offline", "--output", model.toString(), "--state-dir", dir.resolve("state").toString(), "--no-track");
        assertThat(r.exit()).as(r.err()).isZero();
        test = DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, DataSource.offline(Cli.data()));
    }

    /** Test digit i as a picture: 10x larger, dark ink on white paper, off-centre, as a scan would be. */
    static BufferedImage darkOnLight(int i) {
        BufferedImage img = new BufferedImage(400, 330, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) img.setRGB(x, y, 0xFFFFFF);
        for (int y = 0; y < 280; y++)
            for (int x = 0; x < 280; x++) {
                int v = 255 - (test.images()[i * 784 + (y / 10) * 28 + x / 10] & 0xFF);
                img.setRGB(x + 100, y + 20, v << 16 | v << 8 | v);
            }
        return img;
    }

    /** Test digit i as white ink on a transparent background (what a canvas exports). */
    static BufferedImage inkOnAlpha(int i) {
        BufferedImage img = new BufferedImage(56, 56, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 56; y++)
            for (int x = 0; x < 56; x++) img.setRGB(x, y, (test.images()[i * 784 + (y / 2) * 28 + x / 2] & 0xFF) << 24);
        return img;
    }

    @Test
    void readsDigitsInAnyPolarityAndSizeAndSkipsBadFiles() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in/nested"));
        int n = 40;
        for (int i = 0; i < n; i++) {
            ImageIO.write(i % 2 == 0 ? darkOnLight(i) : inkOnAlpha(i), "png", in.resolve(String.format("d%02d.png", i)).toFile());
        }
        BufferedImage blank = new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 100; y++) for (int x = 0; x < 100; x++) blank.setRGB(x, y, 0xFFFFFF);
        ImageIO.write(blank, "png", in.resolve("blank.png").toFile());
        Files.writeString(in.resolve("broken.png"), "this is not a picture");
        Path saved = dir.resolve("seen");

        Cli r = Cli.run("classify", dir.resolve("in").toString(), "--model", model.toString(), "--json", "--top", "3",
                "--save-input", saved.toString());
        assertThat(r.exit()).as("one bad file makes the exit code non-zero").isEqualTo(1);
        assertThat(r.err()).contains("broken.png").doesNotContain("\tat ");

        List<Map<String, Object>> lines = jsonLines(r.out());
        assertThat(lines).hasSize(n + 1);
        int correct = 0;
        for (Map<String, Object> m : lines) {
            String file = (String) m.get("file");
            if (file.endsWith("blank.png")) {
                assertThat(m.get("digit")).isNull();
                assertThat((String) m.get("reason")).contains("no digit");
                continue;
            }
            int i = Integer.parseInt(file.replaceAll(".*d(\\d+)\\.png", "$1"));
            if (((Number) m.get("digit")).intValue() == test.label(i)) correct++;
            assertThat((List<?>) m.get("top")).hasSize(3);
            assertThat(((Number) m.get("probability")).doubleValue()).isBetween(0.0, 1.0);
        }
        assertThat(correct).as("correct of " + n).isGreaterThanOrEqualTo(n * 8 / 10);
        try (var s = Files.list(saved)) {
            assertThat(s.count()).isEqualTo(n);
        }
    }

    @Test
    void plainTextOutputAndErrors() throws Exception {
        Path one = dir.resolve("seven.png");
        ImageIO.write(darkOnLight(0), "png", one.toFile()); // the first test digit is a 7
        Cli r = Cli.run("classify", one.toString(), "--model", model.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith(one + ": 7 (");

        Cli missing = Cli.run("classify", dir.resolve("nothing.png").toString(), "--model", model.toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("nothing.png");

        Cli badTop = Cli.run("classify", one.toString(), "--model", model.toString(), "--top", "11");
        assertThat(badTop.exit()).isEqualTo(2);

        Path notAModel = Files.writeString(dir.resolve("model.txt"), "no");
        Cli badModel = Cli.run("classify", one.toString(), "--model", notAModel.toString());
        assertThat(badModel.exit()).isEqualTo(1);
        assertThat(badModel.oneLineError()).as(badModel.err()).isTrue();
    }

    /**
     * More files than one chunk: the network warms up and runs chunk after chunk while the next ones are
     * decoded; the lines still come in file order, one per file.
     */
    @Test
    void manyFilesComeOutInOrder() throws Exception {
        Path in = Files.createDirectories(dir.resolve("many"));
        int n = 1100; // three chunks
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, 28, 28, java.util.Arrays.copyOfRange(test.images(), i * 784, (i + 1) * 784));
            ImageIO.write(img, "png", in.resolve(String.format("d%04d.png", i)).toFile());
        }
        Cli r = Cli.run("classify", in.toString(), "--model", model.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        List<Map<String, Object>> lines = jsonLines(r.out());
        assertThat(lines).hasSize(n);
        int correct = 0;
        for (int i = 0; i < n; i++) {
            Map<String, Object> m = lines.get(i);
            assertThat((String) m.get("file")).endsWith(String.format("d%04d.png", i));
            if (m.get("digit") instanceof Number d && d.intValue() == test.label(i)) correct++;
        }
        assertThat(correct).as("correct of " + n).isGreaterThanOrEqualTo(n * 8 / 10);
    }

    @Test
    void classesComeMostLikelyFirstTiesInClassOrder() {
        float[] probs = {9, 9, 9, 0.1f, 0.3f, 0.3f, 0.05f, 0.1f, 0f, 0.15f}; // the first three belong to another item
        assertThat(dev.simdnet.model.Model.mostLikelyFirst(probs, 3, 7)).containsExactly(1, 2, 6, 0, 4, 3, 5);
    }

    @Test
    void rendersPenDigitsForTheHandwritingBenchmark() throws Exception {
        Path out = dir.resolve("pen");
        Cli r = Cli.run("render-pendigits", "--input", Cli.data().resolve("pendigits/pendigits-train.unipen").toString(),
                "--output", out.toString(), "--count", "20");
        assertThat(r.exit()).as(r.err()).isZero();
        try (var s = Files.walk(out)) {
            assertThat(s.filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(20);
        }
    }

    /** The report writers only, in the styles the pen-digit benchmark reads: each the same drawing, read the same. */
    @Test
    void rendersTheReportWritersInEveryStyle() throws Exception {
        String input = Cli.data().resolve("pendigits/pendigits-train.unipen").toString();
        Map<String, List<Map<String, Object>>> read = new java.util.HashMap<>();
        for (String style : List.of("dark-on-light", "light-on-dark", "transparent")) {
            Path out = dir.resolve(style);
            Cli r = Cli.run("render-pendigits", "--input", input, "--output", out.toString(), "--count", "120", "--writers", "23-30", "--style", style);
            assertThat(r.exit()).as(r.err()).isZero();
            List<Path> files;
            try (var s = Files.walk(out)) {
                files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
            }
            assertThat(files).as("the first 120 digits hold some of writers 23-30, not all").isNotEmpty().hasSizeLessThan(120);
            for (Path f : files) {
                int writer = Integer.parseInt(f.getFileName().toString().split("_")[0]);
                assertThat(writer).isBetween(23, 30);
            }
            java.awt.image.BufferedImage img = ImageIO.read(files.getFirst().toFile());
            assertThat(img.getColorModel().hasAlpha()).as(style).isEqualTo(style.equals("transparent"));
            int corner = img.getRGB(0, 0);
            assertThat(style.equals("transparent") ? corner >>> 24 : corner & 0xff).as(style + ": the background")
                    .isEqualTo(style.equals("dark-on-light") ? 255 : 0);
            Cli c = Cli.run("classify", "--json", out.toString());
            assertThat(c.exit()).as(c.err()).isZero();
            read.put(style, jsonLines(c.out()));
        }
        // The same ink in three polarities: the same 28x28 input, so the same answers.
        for (int i = 0; i < read.get("dark-on-light").size(); i++)
            for (String style : List.of("light-on-dark", "transparent"))
                assertThat(read.get(style).get(i).get("digit")).isEqualTo(read.get("dark-on-light").get(i).get("digit"));
        Cli bad = Cli.run("render-pendigits", "--input", input, "--output", dir.resolve("x").toString(), "--style", "pink");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("unknown --style 'pink'");
        Cli badWriters = Cli.run("render-pendigits", "--input", input, "--output", dir.resolve("x").toString(), "--writers", "30-23");
        assertThat(badWriters.exit()).isEqualTo(2);
    }

    /** One map per line of {@code --json} output. */
    private static List<Map<String, Object>> jsonLines(String out) {
        return out.lines().map(l -> {
            try {
                return JSON.std.mapFrom(l);
            } catch (java.io.IOException e) {
                throw new AssertionError(l, e);
            }
        }).toList();
    }
}
