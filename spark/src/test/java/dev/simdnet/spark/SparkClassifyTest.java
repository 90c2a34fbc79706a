package dev.simdnet.spark;

import dev.simdnet.data.PenDigits;
import dev.simdnet.model.Model;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Batch classification in local[2] of rendered pen digits and a few damaged files, against Model.predict file by file. */
class SparkClassifyTest {
    @TempDir static Path dir;
    static Path pictures;
    static final int DIGITS = 120;
    static final List<String> DAMAGED = List.of("3/truncated.png", "3/not-a-picture.png", "7/empty.jpg", "blank.png");

    @BeforeAll
    static void render() throws Exception {
        pictures = dir.resolve("pictures");
        List<PenDigits.PenDigit> digits = PenDigits.load(TestSpark.data().resolve("pendigits").resolve(PenDigits.TRAIN_FILE));
        for (int i = 0; i < DIGITS; i++) {
            PenDigits.PenDigit d = digits.get(i * 17);
            Path f = pictures.resolve(Integer.toString(d.label())).resolve("w" + d.writer() + "_" + i + ".png");
            Files.createDirectories(f.getParent());
            ImageIO.write(PenDigits.render(d, PenDigits.RenderOptions.CANVAS_280, i), "png", f.toFile());
        }
        byte[] good = Files.readAllBytes(Files.list(pictures.resolve("3")).findFirst().orElseThrow());
        Files.write(pictures.resolve(DAMAGED.get(0)), java.util.Arrays.copyOf(good, good.length / 2));
        Files.writeString(pictures.resolve(DAMAGED.get(1)), "this is no picture");
        Files.createDirectories(pictures.resolve("7"));
        Files.write(pictures.resolve(DAMAGED.get(2)), new byte[0]);
        BufferedImage white = new BufferedImage(100, 100, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 100; y++) for (int x = 0; x < 100; x++) white.getRaster().setSample(x, y, 0, 255);
        ImageIO.write(white, "png", pictures.resolve(DAMAGED.get(3)).toFile());
        Files.writeString(pictures.resolve("notes.txt"), "not an image name: not read");
        TestSpark.session();
    }

    private static int run(StringWriter out, StringWriter err, String... args) {
        var cl = Main.commandLine(TestSpark.session());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** A minimal RFC 4180 reader: quoted fields with doubled quotes. */
    static List<List<String>> csv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') { f.append('"'); i++; }
                else if (c == '"') quoted = false;
                else f.append(c);
            } else if (c == '"') quoted = true;
            else if (c == ',') { row.add(f.toString()); f.setLength(0); }
            else if (c == '\n') { row.add(f.toString()); f.setLength(0); rows.add(row); row = new ArrayList<>(); }
            else f.append(c);
        }
        return rows;
    }

    @Test
    void everyFileIsAccountedForAndReadAsModelPredictReadsIt() throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        Path csvFile = dir.resolve("out.csv");
        assertThat(run(out, err, "classify", "--input", pictures.toString(), "--output", csvFile.toString())).as(err.toString()).isZero();
        assertThat(err.toString()).contains("read " + (DIGITS + 4) + " pictures: " + (DIGITS - 0) + " classified, 1 without a digit, 3 failed");
        List<List<String>> rows = csv(Files.readString(csvFile, StandardCharsets.UTF_8));
        assertThat(rows.get(0)).containsExactly("path", "class", "probability", "error");
        assertThat(rows).hasSize(DIGITS + 4 + 1);
        Model model = Model.bundled();
        Map<String, List<String>> byFile = new HashMap<>();
        for (List<String> r : rows.subList(1, rows.size())) byFile.put(Path.of(java.net.URI.create(r.get(0))).toString(), r);
        int checked = 0;
        try (var files = Files.walk(pictures)) {
            for (Path f : files.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".txt")).toList()) {
                List<String> r = byFile.get(f.toString());
                assertThat(r).as(f.toString()).isNotNull();
                String rel = pictures.relativize(f).toString();
                if (DAMAGED.contains(rel)) {
                    assertThat(r.get(1)).as(rel).isEmpty();
                    assertThat(r.get(3)).as(rel).isNotEmpty();
                    if (rel.equals("blank.png")) assertThat(r.get(3)).startsWith("no digit");
                    continue;
                }
                Model.Prediction p = model.predict(f);
                assertThat(r.get(1)).as(rel).isEqualTo(p.label());
                assertThat(Float.parseFloat(r.get(2))).as(rel).isEqualTo(p.probability());
                assertThat(r.get(3)).isEmpty();
                checked++;
            }
        }
        assertThat(checked).isEqualTo(DIGITS);
        assertThat(out.toString()).contains("\"read\":" + (DIGITS + 4), "\"failed\":3");
    }

    @Test
    void aMissingModelOrInputIsOneLineBeforeAnyTask() throws Exception {
        var cl = Main.commandLine(null);                                 // no session: each refusal comes before one is made
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("classify", "--input", pictures.toString(), "--output", dir.resolve("x.csv").toString(),
                "--model", dir.resolve("nope.safetensors").toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("error: model " + dir.resolve("nope.safetensors") + " not found: train one, or leave out --model for the bundled one"
                + System.lineSeparator());
        Path damaged = dir.resolve("damaged.safetensors");
        Files.writeString(damaged, "not a model");
        err.getBuffer().setLength(0);
        assertThat(cl.execute("classify", "--input", pictures.toString(), "--output", dir.resolve("x.csv").toString(), "--model", damaged.toString()))
                .isEqualTo(1);
        assertThat(err.toString().lines().toList()).hasSize(1).allMatch(l -> l.startsWith("error: ") && l.contains(damaged.toString()));
        err.getBuffer().setLength(0);
        assertThat(cl.execute("classify", "--input", dir.resolve("no-such-folder").toString(), "--output", dir.resolve("x.csv").toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("error: --input " + dir.resolve("no-such-folder") + ": no such file or folder" + System.lineSeparator());
        err.getBuffer().setLength(0);
        assertThat(cl.execute("classify", "--input", pictures.toString(), "--output", dir.resolve("x.csv").toString(), "--master", "lokal[2]")).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: unknown --master 'lokal[2]'");
        assertThat(dir.resolve("x.csv")).doesNotExist();
    }

    @Test
    void parquetInAndOutGiveTheSameRows() throws Exception {
        // The pictures as a Parquet table of path and bytes (what binaryFile gives), then classified from there.
        Path table = dir.resolve("pictures.parquet");
        TestSpark.session().read().format("binaryFile").option("recursiveFileLookup", "true").load(pictures.toString())
                .select("path", "content").write().parquet(table.toString());
        StringWriter out = new StringWriter(), err = new StringWriter();
        Path result = dir.resolve("result");
        assertThat(run(out, err, "classify", "--input", table.toString(), "--output", result.toString(), "--top", "3")).as(err.toString()).isZero();
        List<Row> rows = TestSpark.session().read().parquet(result.toString()).collectAsList();
        // Every row of the table (binaryFile left the empty file out of it; notes.txt is in: a table is read whole).
        assertThat(rows).hasSize(DIGITS + 4);
        Model model = Model.bundled();
        for (Row r : rows) {
            Path f = Path.of(java.net.URI.create(r.getString(0)));
            if (f.toString().endsWith(".txt") || DAMAGED.contains(pictures.relativize(f).toString())) {
                assertThat(r.isNullAt(1)).isTrue();
                assertThat(r.getString(3)).isNotEmpty();
                continue;
            }
            Model.Prediction p = model.predict(f);
            assertThat(r.getString(1)).isEqualTo(p.label());
            assertThat(r.getFloat(2)).isEqualTo(p.probability());
            assertThat(r.getString(4)).startsWith(p.label() + ":").contains(" ");
        }
    }
}
