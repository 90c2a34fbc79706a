package dev.simdnet.serve;

import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The API through the real server on a free port: answers, and a clear 4xx for every bad input. */
class ServerApiTest {
    @TempDir
    static Path dir;
    static Server server;
    static HttpClient client;

    record Reply(int status, String body) {
        Map<String, Object> json() throws IOException {
            return JSON.std.mapFrom(body);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Path a = TestModels.untrained(dir, "tiny", 1), b = TestModels.untrained(dir, "other", 2);
        ModelRegistry models = new ModelRegistry(List.of(TestModels.served("tiny", a, 2), TestModels.served("other", b, 1)));
        server = Server.start(models, "127.0.0.1", 0, Limits.DEFAULT, "test", line -> {});
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static Reply get(String path) throws Exception {
        var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    static Reply post(String path, byte[] body) throws Exception {
        var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    static Reply post(String path, Object json) throws Exception {
        return post(path, JSON.std.asBytes(json));
    }

    static Reply post(String path, String raw) throws Exception {
        return post(path, raw.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** An infer request of one tensor. */
    static Map<String, Object> infer(List<?> shape, String datatype, Object data) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", "input");
        input.put("shape", shape);
        input.put("datatype", datatype);
        input.put("data", data);
        return Map.of("inputs", List.of(input));
    }

    static List<Double> pixels(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Double> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(r.nextDouble() < 0.8 ? 0.0 : r.nextInt(256) / 255.0);
        return l;
    }

    /** A "7" drawn as strokes on a 280x280 canvas. */
    static Map<String, Object> seven() {
        List<List<List<Integer>>> strokes = List.of(List.of(List.of(70, 60), List.of(140, 58), List.of(210, 60), List.of(170, 140), List.of(130, 230)));
        return new LinkedHashMap<>(Map.of("strokes", strokes, "canvas", List.of(280, 280)));
    }

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static List<?> floats(Object o) {
        return (List<?>) o;
    }

    // ------------------------------------------------------------------ good requests

    @Test
    void healthServerAndModelMetadata() throws Exception {
        assertThat(get("/v2/health/live").json()).containsEntry("live", true);
        assertThat(get("/v2/health/ready").json()).containsEntry("ready", true);
        assertThat(get("/v2").json()).containsEntry("name", "simdnet");
        Map<String, Object> meta = get("/v2/models/tiny").json();
        assertThat(meta).containsEntry("name", "tiny");
        assertThat(meta.get("inputs").toString()).contains("FP32").contains("28");
        assertThat(get("/v2/models/other/ready").json()).containsEntry("ready", true);
        assertThat(get("/v2/models/tiny/versions/1/ready").status()).isEqualTo(200);
        Map<String, Object> list = get("/api/models").json();
        assertThat(list).containsEntry("default", "tiny");
        assertThat(list.get("models").toString()).contains("tiny").contains("other").contains("test_accuracy");
        assertThat(((Number) list.get("brush")).doubleValue()).isEqualTo(StrokeRenderer.BRUSH_FRACTION);
    }

    @Test
    void inferAnswersProbabilitiesWithTheRequestsId() throws Exception {
        Map<String, Object> req = new LinkedHashMap<>(infer(List.of(1, 1, 28, 28), "FP32", pixels(784, 1)));
        req.put("id", "req-42");
        Reply r = post("/v2/models/tiny/infer", req);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Map<String, Object> m = r.json();
        assertThat(m).containsEntry("id", "req-42").containsEntry("model_name", "tiny");
        Map<?, ?> out = (Map<?, ?>) ((List<?>) m.get("outputs")).getFirst();
        assertThat(out.get("shape")).isEqualTo(List.of(1, 10));
        assertThat(out.get("datatype")).isEqualTo("FP32");
        double sum = 0;
        for (Object p : floats(out.get("data"))) sum += ((Number) p).doubleValue();
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void uint8AndFp32BatchesAgreeAndABatchEqualsSingleImages() throws Exception {
        int n = 70; // split over the two replicas
        List<Double> fp = pixels(n * 784, 3);
        List<Integer> u8 = fp.stream().map(v -> (int) Math.round(v * 255)).toList();
        List<?> a = floats(((Map<?, ?>) ((List<?>) post("/v2/models/tiny/infer", infer(List.of(n, 784), "FP32", fp)).json().get("outputs")).getFirst()).get("data"));
        List<?> b = floats(((Map<?, ?>) ((List<?>) post("/v2/models/tiny/infer", infer(List.of(n, 1, 28, 28), "UINT8", u8)).json().get("outputs")).getFirst()).get("data"));
        assertThat(a).hasSize(n * 10);
        for (int i = 0; i < a.size(); i++)
            assertThat(((Number) a.get(i)).doubleValue()).isCloseTo(((Number) b.get(i)).doubleValue(), org.assertj.core.data.Offset.offset(1e-5));
        // Image 37 alone, nested as [1][1][28][28], gives the batch's row 37.
        List<Object> rows = new ArrayList<>();
        for (int y = 0; y < 28; y++) rows.add(fp.subList(37 * 784 + y * 28, 37 * 784 + y * 28 + 28));
        List<?> single = floats(((Map<?, ?>) ((List<?>) post("/v2/models/tiny/infer", infer(List.of(1, 1, 28, 28), "FP32", List.of(List.of(rows)))).json().get("outputs")).getFirst()).get("data"));
        for (int c = 0; c < 10; c++)
            assertThat(((Number) single.get(c)).doubleValue()).isCloseTo(((Number) a.get(370 + c)).doubleValue(), org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void predictReadsStrokesPngAndDataUrlAlike() throws Exception {
        Reply s = post("/api/predict", seven());
        assertThat(s.status()).as(s.body()).isEqualTo(200);
        Map<String, Object> strokes = s.json();
        assertThat(strokes.get("digit")).isInstanceOf(Integer.class);
        assertThat(strokes.get("class")).isEqualTo(strokes.get("digit").toString()); // the model's class name, "0" to "9"
        assertThat(floats(strokes.get("probabilities"))).hasSize(10);
        assertThat(floats(strokes.get("input"))).hasSize(784);

        // The same drawing rendered by the server's brush and sent as a PNG: the same 28x28 input.
        @SuppressWarnings("unchecked")
        List<List<List<Integer>>> pts = (List<List<List<Integer>>>) seven().get("strokes");
        List<StrokeRenderer.Stroke> list = new ArrayList<>();
        for (var st : pts) {
            float[] xs = new float[st.size()], ys = new float[st.size()];
            for (int i = 0; i < st.size(); i++) {
                xs[i] = st.get(i).get(0);
                ys[i] = st.get(i).get(1);
            }
            list.add(new StrokeRenderer.Stroke(xs, ys));
        }
        byte[] png = png(StrokeRenderer.render(list, 280, 280));
        Map<String, Object> raw = post("/api/predict", png).json();
        Map<String, Object> url = post("/api/predict?model=other", Map.of("image", "data:image/png;base64," + Base64.getEncoder().encodeToString(png))).json();
        assertThat(raw.get("input")).isEqualTo(strokes.get("input"));
        assertThat(raw.get("digit")).isEqualTo(strokes.get("digit"));
        assertThat(url.get("input")).as(url.toString()).isEqualTo(strokes.get("input"));
        assertThat(url).containsEntry("model", "other");
    }

    @Test
    void predictWithFeaturesGivesEachConvLayersMaps() throws Exception {
        Map<String, Object> req = seven();
        req.put("features", true);
        Map<String, Object> r = post("/api/predict", req).json();
        List<?> maps = (List<?>) r.get("features");
        assertThat(maps).hasSize(3); // the 'fast' network: conv1 (28x28x16), conv2 (14x14x32), conv3 (7x7x64)
        Map<?, ?> first = (Map<?, ?>) maps.getFirst();
        assertThat(first.get("layer")).isEqualTo("conv1");
        assertThat(List.of(first.get("height"), first.get("width"), first.get("channels"))).isEqualTo(List.of(28, 28, 16));
        assertThat(Base64.getDecoder().decode((String) first.get("data"))).hasSize(28 * 28 * 16);
    }

    @Test
    void blankDrawingsAreNoDigit() throws Exception {
        Map<String, Object> none = post("/api/predict", Map.of("strokes", List.of(), "canvas", List.of(280, 280))).json();
        assertThat(none).containsEntry("digit", null).containsEntry("reason", "no digit");
        BufferedImage white = new BufferedImage(100, 100, BufferedImage.TYPE_BYTE_GRAY);
        white.getGraphics().fillRect(0, 0, 100, 100);
        assertThat(post("/api/predict", png(white)).json()).containsEntry("digit", null).containsEntry("reason", "no digit");
    }

    @Test
    void thePageIsServed() throws Exception {
        Reply page = get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<canvas");
        assertThat(get("/app.js").status()).isEqualTo(200);
        assertThat(get("/app.css").status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ bad requests

    /** A 4xx of the expected status with a JSON error message, and the server still answers. */
    static void refused(Reply r, int status, String... words) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        Map<String, Object> m = r.json();
        assertThat(m.get("error")).as(r.body()).isInstanceOf(String.class);
        for (String w : words) assertThat((String) m.get("error")).containsIgnoringCase(w);
        assertThat(get("/v2/health/live").status()).isEqualTo(200);
    }

    @Test
    void inferRefusesBadTensors() throws Exception {
        String url = "/v2/models/tiny/infer";
        List<Double> one = pixels(784, 5);
        refused(post(url, infer(List.of(1, 28, 28), "FP32", one)), 400, "shape");
        refused(post(url, infer(List.of(1, 3, 28, 28), "FP32", Collections.nCopies(3 * 784, 0.5))), 400, "shape");
        refused(post(url, infer(List.of(1, 783), "FP32", one.subList(0, 783))), 400, "shape");
        refused(post(url, infer(List.of(1.5, 784), "FP32", one)), 400, "whole numbers");
        refused(post(url, infer(List.of(0, 784), "FP32", List.of())), 400, "batch size");
        refused(post(url, infer(List.of(1025, 784), "FP32", one)), 400, "batch size");
        refused(post(url, infer(List.of(2, 784), "FP32", one)), 400, "784 values", "1568");
        List<Double> tooMany = new ArrayList<>(one);
        tooMany.add(0.0);
        refused(post(url, infer(List.of(1, 784), "FP32", tooMany)), 400, "785 values");
        refused(post(url, infer(List.of(1, 784), "FP64", one)), 400, "datatype");
        refused(post(url, infer(List.of(1, 784), "BYTES", one)), 400, "datatype");
        refused(post(url, infer(List.of(1, 784), null, one)), 400, "datatype");
        List<Object> strings = new ArrayList<>(one);
        strings.set(3, "0.5");
        refused(post(url, infer(List.of(1, 784), "FP32", strings)), 400, "numbers");
        List<Double> big = new ArrayList<>(one);
        big.set(10, 1.5);
        refused(post(url, infer(List.of(1, 784), "FP32", big)), 400, "[0, 1]");
        refused(post(url, uint8With(256)), 400, "0 to 255");
        refused(post(url, uint8With(-1)), 400, "0 to 255");
        refused(post(url, uint8With(1.5)), 400, "0 to 255");
        // JSON has no NaN; 1e999 parses as infinity.
        String body = JSON.std.asString(infer(List.of(1, 784), "FP32", one));
        refused(post(url, body.replaceFirst("\"data\":\\[0\\.0", "\"data\":[1e999")), 400, "not finite");
        refused(post(url, body.replaceFirst("\"data\":\\[0\\.0", "\"data\":[NaN")), 400, "JSON");
        refused(post(url, "hello"), 400, "JSON");
        refused(post(url, ""), 400, "empty");
        refused(post(url, "[1, 2]"), 400, "object");
        refused(post(url, "{\"inputs\": 3}"), 400, "inputs");
        refused(post(url, Map.of("inputs", List.of())), 400, "exactly one");
        refused(post(url, Map.of("inputs", List.of(infer(List.of(1, 784), "FP32", one), infer(List.of(1, 784), "FP32", one)))), 400, "exactly one");
        Map<String, Object> badId = new LinkedHashMap<>(infer(List.of(1, 784), "FP32", one));
        badId.put("id", 7);
        refused(post(url, badId), 400, "id");
    }

    static Map<String, Object> uint8With(Number bad) {
        List<Number> px = new ArrayList<>(Collections.nCopies(784, 0));
        px.set(100, bad);
        return infer(List.of(1, 784), "UINT8", px);
    }

    @Test
    void unknownModelsPathsAndMethodsAreRefused() throws Exception {
        Object ok = infer(List.of(1, 784), "FP32", pixels(784, 9));
        refused(post("/v2/models/nosuch/infer", ok), 404, "unknown model", "tiny");
        refused(get("/v2/models/nosuch"), 404, "unknown model");
        refused(get("/v2/models/../../etc/passwd/ready"), 400, "invalid model name");
        refused(get("/v2/models/..%2F..%2Fetc%2Fpasswd/ready"), 400, "invalid model name");
        refused(get("/v2/models/.hidden"), 400, "invalid model name");
        refused(post("/api/predict?model=..%2Ftiny", seven()), 400, "invalid model name");
        refused(post("/api/predict?model=nosuch", seven()), 404, "unknown model");
        refused(get("/v2/models/tiny/versions/2/ready"), 404, "version");
        refused(get("/v2/models/tiny/infer"), 405, "POST");
        var allow = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/predict")).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(allow.headers().firstValue("Allow")).contains("POST");
        refused(post("/v2/health/live", "{}"), 405, "GET");
        refused(get("/api/predict"), 405, "POST");
        refused(get("/etc/passwd"), 404);
        refused(get("/../pom.xml"), 404);
        refused(get("/v2/nothing"), 404);
    }

    @Test
    void predictRefusesBadPicturesAndStrokes() throws Exception {
        refused(post("/api/predict", "hello"), 415, "PNG");
        refused(post("/api/predict", "{not json"), 400, "JSON");
        refused(post("/api/predict", "{}"), 400, "neither");
        Map<String, Object> both = seven();
        both.put("image", "data:image/png;base64,AAAA");
        refused(post("/api/predict", both), 400, "both");
        refused(post("/api/predict", Map.of("image", "data:image/gif;base64,AAAA")), 400, "data URL");
        refused(post("/api/predict", Map.of("image", 12)), 400, "data URL");
        refused(post("/api/predict", Map.of("image", "data:image/png;base64,!!!notbase64")), 400, "base64");
        refused(post("/api/predict", Map.of("image", "data:image/png;base64,AAAA")), 415, "PNG");
        byte[] garbage = new byte[500];
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}, 0, garbage, 0, 8);
        refused(post("/api/predict", garbage), 400, "image");
        refused(post("/api/predict", png(new BufferedImage(4097, 1, BufferedImage.TYPE_BYTE_GRAY))), 413, "4096");
        byte[] wide = png(new BufferedImage(1, 5000, BufferedImage.TYPE_BYTE_GRAY));
        refused(post("/api/predict", Map.of("image", "data:image/png;base64," + Base64.getEncoder().encodeToString(wide))), 413, "4096");

        List<List<List<Integer>>> many = Collections.nCopies(65, List.of(List.of(10, 10)));
        refused(post("/api/predict", Map.of("strokes", many, "canvas", List.of(280, 280))), 413, "strokes");
        List<List<List<Integer>>> points = List.of(Collections.nCopies(10_001, List.of(10, 10)));
        refused(post("/api/predict", Map.of("strokes", points, "canvas", List.of(280, 280))), 413, "points");
        refused(post("/api/predict", Map.of("strokes", List.of(), "canvas", List.of(280))), 400, "canvas");
        refused(post("/api/predict", Map.of("strokes", List.of(), "canvas", List.of(0, 280))), 400, "canvas");
        refused(post("/api/predict", Map.of("strokes", List.of(), "canvas", List.of(100_000, 100_000))), 400, "canvas");
        refused(post("/api/predict", Map.of("strokes", List.of(), "canvas", List.of(280.5, 280))), 400, "canvas");
        refused(post("/api/predict", Map.of("strokes", "many", "canvas", List.of(280, 280))), 400, "strokes");
        refused(post("/api/predict", Map.of("strokes", List.of(List.of(List.of(1, 2, 3))), "canvas", List.of(280, 280))), 400, "point");
        refused(post("/api/predict", Map.of("strokes", List.of(List.of("a")), "canvas", List.of(280, 280))), 400, "point");
        refused(post("/api/predict", "{\"strokes\": [[[1e999, 3]]], \"canvas\": [280, 280]}"), 400, "finite");
        Map<String, Object> badFeatures = seven();
        badFeatures.put("features", "yes");
        refused(post("/api/predict", badFeatures), 400, "features");
        // Points far off the canvas are drawn nowhere, not refused.
        Map<String, Object> off = Map.of("strokes", List.of(List.of(List.of(-1e9, 1e9), List.of(5e8, 3))), "canvas", List.of(280, 280));
        assertThat(post("/api/predict", off).status()).isEqualTo(200);
    }

    @Test
    void oversizedBodiesAreRefusedWith413() throws Exception {
        byte[] big = new byte[Limits.DEFAULT.maxBodyBytes() + 1];
        big[0] = '{';
        refused(post("/api/predict", big), 413, "limit");
        refused(post("/v2/models/tiny/infer", big), 413, "limit");
    }

    /**
     * The JDK's server reads a body cut short of its Content-Length as a dropped connection: no answer on it (never
     * a 500 or a hang), and the server goes on serving.
     */
    @Test
    void aBodyShorterThanItsContentLengthIsDroppedAndServingGoesOn() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            String head = "POST /v2/models/tiny/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
            s.getOutputStream().write((head + "{\"inputs\": [").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.shutdownOutput(); // 13 of the 100 bytes promised
            String reply = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(reply).doesNotContain(" 500 ");
            assertThat(reply).satisfiesAnyOf(r -> assertThat(r).isEmpty(), r -> assertThat(r).startsWith("HTTP/1.1 400"));
        }
        assertThat(get("/v2/health/ready").status()).isEqualTo(200);
    }
}
