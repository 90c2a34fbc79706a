package dev.simdnet.serve;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.model.Calibration;
import dev.simdnet.model.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /api/feedback}: what it stores and where, its bounds, and a 4xx for every malformed body. */
class FeedbackApiTest {
    @TempDir
    static Path dir;
    static HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static Server server;
    static Path corrections;

    record Reply(int status, String body) {
        Map<String, Object> json() throws Exception { return JSON.std.mapFrom(body); }
    }

    @BeforeAll
    static void start() throws Exception {
        Path tiny = TestModels.untrained(dir, "tiny", 1);
        // A calibrated copy whose threshold no untrained answer reaches: every answer "not sure".
        Path strict = dir.resolve("strict.safetensors");
        Model.load(tiny).withCalibration(new Calibration(1.5, 0.999, 0.995, "a test", 10)).save(strict);
        corrections = dir.resolve("corrections");
        server = start(corrections, new CorrectionStore.Bounds(1000, 50L << 20), tiny, strict);
    }

    static Server start(Path store, CorrectionStore.Bounds bounds, Path... models) throws Exception {
        List<ServedModel> served = new ArrayList<>();
        for (Path m : models) served.add(TestModels.served(m.getFileName().toString().replace(".safetensors", ""), m, 1));
        return Server.start(new ModelRegistry(served), "127.0.0.1", 0, Limits.DEFAULT, "test", line -> {},
                store == null ? null : new CorrectionStore(store, bounds));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static Reply post(Server s, String path, byte[] body) throws Exception {
        var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    static Reply post(Server s, Object json) throws Exception {
        return post(s, "/api/feedback", json instanceof String str ? str.getBytes() : JSON.std.asBytes(json));
    }

    /** A 1: one vertical stroke on a 280x280 canvas, moved right by {@code dx} so that each drawing differs. */
    static Map<String, Object> one(Object label, int dx) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", label);
        m.put("strokes", List.of(List.of(List.of(140 + dx, 40), List.of(141 + dx, 140), List.of(140 + dx, 240))));
        m.put("canvas", List.of(280, 280));
        return m;
    }

    static byte[] pngOfOne() throws Exception {
        BufferedImage img = StrokeRenderer.render(List.of(new StrokeRenderer.Stroke(new float[] {50, 50}, new float[] {10, 90})), 100, 100);
        return CorrectionStore.png(img);
    }

    static long files(Path root) throws Exception {
        if (!Files.isDirectory(root)) return 0;
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aCorrectionKeepsTheDrawingAndThe28x28InputUnderItsLabel() throws Exception {
        Reply r = post(server, one(7, 0));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Map<String, Object> a = r.json();
        assertThat(a).containsEntry("stored", true).containsEntry("label", "7");
        String input = (String) a.get("input"), original = (String) a.get("original");
        assertThat(input).matches("train/7/\\d{8}T\\d{6}\\.\\d{3}Z-[0-9a-f]{12}\\.png");
        assertThat(original).isEqualTo(input.replace("train/", "original/"));
        BufferedImage in = ImageIO.read(corrections.resolve(input).toFile()), orig = ImageIO.read(corrections.resolve(original).toFile());
        assertThat(in.getWidth()).isEqualTo(28);
        assertThat(in.getHeight()).isEqualTo(28);
        assertThat(orig.getWidth()).isEqualTo(280);
        // MNIST polarity: a bright digit on black, its ink in the middle columns.
        assertThat(in.getRaster().getSample(14, 14, 0)).isGreaterThan(128);
        assertThat(in.getRaster().getSample(1, 1, 0)).isZero();
        // No temporary file is left beside them.
        try (Stream<Path> s = Files.walk(corrections)) {
            assertThat(s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }

        // A picture, raw with ?label=, or as a data URL; a class name works as a label too.
        byte[] png = pngOfOne();
        Reply raw = post(server, "/api/feedback?label=1", png);
        assertThat(raw.status()).as(raw.body()).isEqualTo(200);
        assertThat(Files.readAllBytes(corrections.resolve((String) raw.json().get("original")))).isEqualTo(png);
        Reply url = post(server, Map.of("label", "1", "image", "data:image/png;base64," + Base64.getEncoder().encodeToString(png)));
        assertThat(url.status()).as(url.body()).isEqualTo(200);
        assertThat(url.json().get("input")).isNotEqualTo(raw.json().get("input")); // a new name: never overwritten
    }

    @Test
    void everyMalformedBodyIsA4xxAndStoresNothing() throws Exception {
        Path store = dir.resolve("malformed");
        Server s = start(store, CorrectionStore.Bounds.DEFAULT, TestModels.untrained(dir, "m", 3));
        try {
            Map<String, Object> both = one(3, 0);
            both.put("image", "data:image/png;base64," + Base64.getEncoder().encodeToString(pngOfOne()));
            Map<String, Object> noCanvas = one(3, 0);
            noCanvas.remove("canvas");
            Map<String, Object> unknown = one(3, 0);
            unknown.put("lable", 3);
            Map<String, Object> blank = one(3, 0);
            blank.put("strokes", List.of());
            Map<Object, Integer> bodies = new LinkedHashMap<>();
            bodies.put("", 400);
            bodies.put("   ", 415);
            bodies.put("nope", 415);
            bodies.put("[1, 2]", 415);
            bodies.put("{", 400);
            bodies.put("[]", 415);
            bodies.put("{}", 400);
            bodies.put("{\"label\": 3}", 400);
            bodies.put(both, 400);
            bodies.put(noCanvas, 400);
            bodies.put(unknown, 400);
            bodies.put(blank, 422);
            for (Object bad : new Object[] {null, 10, -1, 1.5, "x", "07", true, List.of(1), Map.of(), 1e300})
                bodies.put(one(bad, 0), 400);
            Map<String, Object> noLabel = one(0, 0);
            noLabel.remove("label");
            bodies.put(noLabel, 400);
            for (Object strokes : new Object[] {"x", List.of("x"), List.of(List.of(List.of(1))), List.of(List.of(List.of("a", "b"))), 5}) {
                Map<String, Object> m = one(3, 0);
                m.put("strokes", strokes);
                bodies.put(m, 400);
            }
            for (Object canvas : new Object[] {List.of(280), List.of(0, 280), List.of(280.5, 280), "280x280", List.of(100000, 100000)}) {
                Map<String, Object> m = one(3, 0);
                m.put("canvas", canvas);
                bodies.put(m, 400);
            }
            for (Object image : new Object[] {"data:image/png;base64,!!!", "http://example.com/a.png", 7,
                    "data:image/png;base64," + Base64.getEncoder().encodeToString("not a png".getBytes())}) {
                Map<String, Object> m = new LinkedHashMap<>(Map.of("label", 3, "image", image));
                bodies.put(m, image instanceof String str && str.startsWith("data:") ? 415 : 400); // decoded, and not a picture
            }
            Map<String, Object> badModel = one(3, 0);
            badModel.put("model", "nosuch");
            bodies.put(badModel, 404);
            Map<String, Object> modelNotString = one(3, 0);
            modelNotString.put("model", 5);
            bodies.put(modelNotString, 400);
            for (var e : bodies.entrySet()) {
                Reply r = post(s, e.getKey());
                assertThat(r.status()).as(e.getKey() + " -> " + r.body()).isEqualTo(e.getValue());
                assertThat(r.json()).as(String.valueOf(e.getKey())).containsKey("error");
            }
            // A picture without ?label=, or with a bad one; garbage bytes; the wrong method.
            assertThat(post(s, "/api/feedback", pngOfOne()).status()).isEqualTo(400);
            assertThat(post(s, "/api/feedback?label=11", pngOfOne()).status()).isEqualTo(400);
            assertThat(post(s, "/api/feedback", new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3}).status()).isBetween(400, 499);
            var get = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/api/feedback")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(files(store)).as("nothing stored").isZero();
        } finally {
            s.close();
        }
    }

    @Test
    void aFullFolderAnswers507AndKeepsWhatItHas() throws Exception {
        Path store = dir.resolve("full");
        Server s = start(store, new CorrectionStore.Bounds(3, 50L << 20), TestModels.untrained(dir, "f", 4));
        try {
            for (int i = 0; i < 3; i++) assertThat(post(s, one(1, i)).status()).isEqualTo(200);
            Reply full = post(s, one(1, 9));
            assertThat(full.status()).isEqualTo(507);
            assertThat((String) full.json().get("error")).contains("full").contains("3 corrections");
            assertThat(files(store)).isEqualTo(6);
        } finally {
            s.close();
        }
        // Counted again from the disk on a restart: still full.
        Server again = start(store, new CorrectionStore.Bounds(3, 50L << 20), TestModels.untrained(dir, "f2", 4));
        try {
            assertThat(post(again, one(1, 10)).status()).isEqualTo(507);
        } finally {
            again.close();
        }
        // Bounded in bytes too.
        Path small = dir.resolve("small");
        Server bytes = start(small, new CorrectionStore.Bounds(1000, 4096), TestModels.untrained(dir, "b", 4));
        try {
            int ok = 0, status;
            while ((status = post(bytes, one(2, ok)).status()) == 200) ok++;
            assertThat(status).isEqualTo(507);
            assertThat(ok).isBetween(1, 100);
            long total;
            try (Stream<Path> st = Files.walk(small)) {
                total = st.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            assertThat(total).isLessThanOrEqualTo(4096);
        } finally {
            bytes.close();
        }
    }

    @Test
    void concurrentCorrectionsAreEachKeptUnderTheirOwnName() throws Exception {
        Path store = dir.resolve("concurrent");
        Server s = start(store, CorrectionStore.Bounds.DEFAULT, TestModels.untrained(dir, "c", 5));
        try (var exec = Executors.newFixedThreadPool(8)) {
            List<Future<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int dx = i % 12; // pairs of identical drawings, posted at once
                replies.add(exec.submit((Callable<Reply>) () -> post(s, one(4, dx))));
            }
            int stored = 0;
            for (Future<Reply> f : replies) {
                Reply r = f.get();
                assertThat(r.status()).as(r.body()).isIn(200, 409);
                if (r.status() == 200) stored++;
            }
            assertThat(files(store.resolve("train"))).isEqualTo(stored);
            assertThat(files(store.resolve("original"))).isEqualTo(stored);
            assertThat(stored).isGreaterThanOrEqualTo(12);
        } finally {
            s.close();
        }
    }

    @Test
    void withoutACorrectionsFolderTheEndpointSaysHowToTurnItOn() throws Exception {
        Server s = start(null, null, TestModels.untrained(dir, "off", 6));
        try {
            Reply r = post(s, one(1, 0));
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).contains("--corrections");
            var models = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/api/models")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.std.mapFrom(models.body())).containsEntry("corrections", false);
        } finally {
            s.close();
        }
    }

    @Test
    void predictSaysSureOrNotAndKeepsTheTopGuessInDigit() throws Exception {
        Map<String, Object> drawing = one(1, 0);
        drawing.remove("label");
        Reply plain = post(server, "/api/predict", JSON.std.asBytes(drawing));
        assertThat(plain.json()).containsEntry("sure", true).containsKey("digit");
        drawing.put("model", "strict");
        Map<String, Object> strict = post(server, "/api/predict", JSON.std.asBytes(drawing)).json();
        assertThat(strict).containsEntry("sure", false);
        int digit = ((Number) strict.get("digit")).intValue(), second = ((Number) strict.get("second")).intValue();
        @SuppressWarnings("unchecked")
        List<Number> p = (List<Number>) strict.get("probabilities");
        assertThat(second).isNotEqualTo(digit);
        for (int c = 0; c < 10; c++) {
            assertThat(p.get(digit).doubleValue()).isGreaterThanOrEqualTo(p.get(c).doubleValue());
            if (c != digit) assertThat(p.get(second).doubleValue()).isGreaterThanOrEqualTo(p.get(c).doubleValue());
        }
        var models = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/models")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) JSON.std.mapFrom(models.body()).get("models");
        assertThat(list.get(0).get("calibration")).isNull();
        assertThat(list.get(1).get("calibration")).isEqualTo(Map.of("temperature", 1.5, "threshold", 0.999, "fitted_on", "a test"));
        Map<String, Object> blank = new LinkedHashMap<>(Map.of("strokes", List.of(), "canvas", List.of(280, 280), "model", "strict"));
        assertThat(post(server, "/api/predict", JSON.std.asBytes(blank)).json()).containsEntry("digit", null).doesNotContainKey("sure");
    }
}
