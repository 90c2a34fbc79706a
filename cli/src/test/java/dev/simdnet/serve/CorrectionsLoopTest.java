package dev.simdnet.serve;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.cli.Main;
import dev.simdnet.data.DataSource;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.DatasetKind;
import dev.simdnet.data.DatasetLoader;
import dev.simdnet.data.PenDigits;
import dev.simdnet.data.Subset;
import dev.simdnet.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole corrections loop of README ("Learning from corrections"): a writer whose 1s the model reads as 7s posts
 * 50 corrections through {@code /api/feedback}, {@code train --init --replay-mnist} fine-tunes on them, and the
 * served result reads that writer's other 1s, while MNIST's test accuracy stays.
 *
 * <p>The model is the bundled model from before the pen-digit training (a copy in the test resources), which reads
 * the flagged 1s of writers 6, 12, 16 and 28 as 7 most of the time: of 104 page renderings of each writer's 26 1s,
 * 63, 60, 75 and 81. Writer 16 is a training writer (1-16), so no held-out writer is touched. A writer has 26 1s:
 * the first 13 are posted (only renderings the served model reads as 7, the first 50 of them, so several renderings
 * of one trajectory), the other 13 are the test, 4 renderings each.
 */
class CorrectionsLoopTest {
    static final int WRITER = 16;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    static Path data() {
        return Path.of(System.getProperty("simdnet.test.data", "../../shared/data"));
    }

    /** The strokes of a digit placed on the page's 280x280 canvas, as the page sends them. */
    static Map<String, Object> drawing(PenDigits.PenDigit d, long seed) {
        PenDigits.Placed p = PenDigits.place(d, new PenDigits.RenderOptions(280, 20, 20, 0.45f, 0.8f), seed);
        List<List<List<Double>>> strokes = new ArrayList<>();
        for (float[] s : p.strokes()) {
            List<List<Double>> pts = new ArrayList<>();
            for (int i = 0; i < s.length; i += 2) pts.add(List.of((double) s[i], (double) s[i + 1]));
            strokes.add(pts);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("strokes", strokes);
        m.put("canvas", List.of(280, 280));
        return m;
    }

    static Map<String, Object> post(Server s, String path, Map<String, Object> body) throws Exception {
        var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.std.asBytes(body))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.std.mapFrom(r.body());
    }

    static Server serve(Path model, Path corrections) throws Exception {
        ServedModel m = new ServedModel("m", () -> Model.load(model), Files.size(model), 2, "auto");
        return Server.start(new ModelRegistry(List.of(m)), "127.0.0.1", 0, Limits.DEFAULT, "test", line -> {},
                corrections == null ? null : new CorrectionStore(corrections, CorrectionStore.Bounds.DEFAULT));
    }

    /** How many of the held-out 1s (4 renderings each) the served model reads as 1. */
    static int readAsOne(Server s, List<PenDigits.PenDigit> held) throws Exception {
        int right = 0;
        for (PenDigits.PenDigit d : held)
            for (int k = 0; k < 4; k++)
                if (((Number) post(s, "/api/predict", drawing(d, d.index() * 7919L + k)).get("digit")).intValue() == 1) right++;
        return right;
    }

    @Test
    void fiftyCorrectedOnesTeachTheModelThatWritersOnesWithoutForgettingMnist() throws Exception {
        Path before = dir.resolve("before.safetensors"), after = dir.resolve("after.safetensors"), corrections = dir.resolve("corrections");
        try (InputStream in = CorrectionsLoopTest.class.getResourceAsStream("digits-before-pen-training.safetensors")) {
            Files.copy(in, before);
        }
        List<PenDigits.PenDigit> ones = PenDigits.load(data().resolve("pendigits/pendigits-train.unipen")).stream()
                .filter(d -> d.writer() == WRITER && d.label() == 1).toList();
        assertThat(ones).hasSize(26);
        List<PenDigits.PenDigit> posted = ones.subList(0, 13), held = ones.subList(13, 26);

        // 1. The user draws, the page reads 7, the user answers "wrong? it was: 1" (50 times).
        int heldBefore, sent = 0;
        Server first = serve(before, corrections);
        try {
            heldBefore = readAsOne(first, held);
            for (int k = 0; k < 8 && sent < 50; k++)
                for (PenDigits.PenDigit d : posted) {
                    if (sent == 50) break;
                    Map<String, Object> drawing = drawing(d, d.index() * 7919L + 100 + k);
                    if (((Number) post(first, "/api/predict", drawing).get("digit")).intValue() != 7) continue;
                    drawing.put("label", 1);
                    assertThat(post(first, "/api/feedback", drawing)).containsEntry("stored", true);
                    sent++;
                }
        } finally {
            first.close();
        }
        assertThat(sent).as("flagged 1s read as 7").isEqualTo(50);
        assertThat(heldBefore).as("the held-out 1s the model read as 1 before").isLessThan(26);

        // 2. Fine-tune on the corrections, with MNIST replayed (README's command; seconds, most of it the JIT's warm-up).
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("train", "--init", before.toString(), "--data-dir", corrections.toString(), "--replay-mnist", "4000",
                "--replay-dir", data().resolve("mnist").toString(), "--epochs", "2", "--lr", "0.02", "--threads", "2",
                "--output", after.toString(), "--no-track");
        assertThat(exit).as(err.toString()).isZero();
        Map<String, Object> result = JSON.std.mapFrom(out.toString());
        assertThat(result).containsEntry("corrections", 50).containsEntry("replay_mnist", 4000);

        // 3. Serve the new model: it reads the writer's other 1s, and MNIST as before.
        Server second = serve(after, null);
        int heldAfter;
        try {
            heldAfter = readAsOne(second, held);
        } finally {
            second.close();
        }
        assertThat(heldAfter / 52.0).as("held-out 1s read as 1 after (before: " + heldBefore + " of 52)").isGreaterThanOrEqualTo(0.95);
        Dataset test = DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, DataSource.offline(data().resolve("mnist")));
        double mnist = Model.load(after).evaluate(test, test.all(), 500).accuracy();
        assertThat(mnist).as("MNIST test accuracy after").isGreaterThanOrEqualTo(0.993);
        assertThat(((Number) result.get("test_accuracy")).doubleValue()).isEqualTo(mnist, org.assertj.core.api.Assertions.within(1e-6));
    }
}
