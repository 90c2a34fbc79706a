package dev.simdnet.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.simdnet.data.DataException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The prediction server: the Open Inference Protocol (KServe V2 REST) under {@code /v2}, {@code /api/predict}
 * and {@code /api/models} for the page, and the page itself. One handler routes every path; each request runs
 * on its own virtual thread. A refused request gets a 4xx with {@code {"error": "..."}}; an unexpected failure
 * is logged and answered 500, and the server goes on.
 */
public final class Server implements AutoCloseable {
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/app.css", "app.css");

    private final HttpServer http;
    private final ExecutorService executor;
    private final ModelRegistry models;
    private final Limits limits;
    private final PredictApi predict;
    /** Null when corrections are off (serve without --corrections). */
    private final FeedbackApi feedback;
    private final Consumer<String> log;
    private final String version;
    private final Map<String, byte[]> assets = new LinkedHashMap<>();

    private Server(HttpServer http, ModelRegistry models, Limits limits, String version, Consumer<String> log, CorrectionStore corrections) {
        this.http = http;
        this.models = models;
        this.limits = limits;
        this.version = version;
        this.log = log;
        this.predict = new PredictApi(models, limits);
        this.feedback = corrections == null ? null : new FeedbackApi(models, predict, corrections);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        for (String name : STATIC.values()) assets.computeIfAbsent(name, Server::resource);
    }

    /**
     * Starts serving {@code models} on {@code host:port} (port 0: any free port). The server owns the models and
     * closes them on {@link #close()}.
     */
    public static Server start(ModelRegistry models, String host, int port, Limits limits, String version, Consumer<String> log) throws IOException {
        return start(models, host, port, limits, version, log, null);
    }

    /** As above, keeping the page's corrections in {@code corrections} ({@code POST /api/feedback}); null: corrections off. */
    public static Server start(ModelRegistry models, String host, int port, Limits limits, String version, Consumer<String> log,
                               CorrectionStore corrections) throws IOException {
        // Answers are small: send them at once rather than waiting for Nagle's algorithm. The JDK's server reads
        // this property once, when its first instance is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 1024);
        Server s = new Server(http, models, limits, version, log, corrections);
        http.createContext("/", s::handle);
        http.setExecutor(s.executor);
        http.start();
        return s;
    }

    public int port() { return http.getAddress().getPort(); }

    /** The address to open in a browser. */
    public URI address() {
        String host = http.getAddress().getHostString();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + port() + "/");
    }

    private static byte[] resource(String name) {
        try (InputStream in = Server.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("the page's resource " + name + " is missing from this build");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            try {
                route(ex);
            } catch (ApiException e) {
                Http.error(ex, e.status(), e.getMessage());
            } catch (DataException | IllegalArgumentException e) {
                Http.error(ex, 400, e.getMessage() == null ? "bad request" : e.getMessage());
            } catch (OutOfMemoryError e) {
                Http.error(ex, 503, "the server is out of memory: send a smaller request");
            } catch (IOException e) {
                throw e; // the connection is gone: nothing to answer
            } catch (Exception | Error e) {
                log.accept("error: " + ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + ": " + e);
                Http.error(ex, 500, "internal error: " + e.getClass().getSimpleName());
            }
        } catch (IOException | RuntimeException e) {
            // The client went away, or answering failed after the headers were sent: drop the connection only.
        }
    }

    private void route(HttpExchange ex) throws Exception {
        String path = ex.getRequestURI().getRawPath();
        if (path.startsWith("/v2")) {
            kserve(ex, path);
            return;
        }
        switch (path) {
            case "/api/predict" -> {
                allow(ex, "POST");
                Http.json(ex, 200, predict.predict(Http.body(ex, limits.maxBodyBytes()), Http.query(ex)));
            }
            case "/api/feedback" -> {
                if (feedback == null) throw new ApiException(404, "corrections are off: start serve with --corrections DIR to keep them");
                allow(ex, "POST");
                Http.json(ex, 200, feedback.feedback(Http.body(ex, limits.maxBodyBytes()), Http.query(ex)));
            }
            case "/api/models" -> {
                allow(ex, "GET");
                Http.json(ex, 200, modelList());
            }
            default -> {
                String asset = STATIC.get(path);
                if (asset == null) throw new ApiException(404, "no such page or endpoint: " + Json.clip(path));
                allow(ex, "GET");
                String type = asset.endsWith(".js") ? "text/javascript; charset=utf-8"
                        : asset.endsWith(".css") ? "text/css; charset=utf-8" : "text/html; charset=utf-8";
                ex.getResponseHeaders().set("Cache-Control", "no-cache");
                Http.send(ex, 200, type, assets.get(asset));
            }
        }
    }

    /** {@code /v2...}: health, server and model metadata, readiness and inference. */
    private void kserve(HttpExchange ex, String path) throws Exception {
        String[] p = path.split("/", -1); // "", "v2", ...
        int n = p.length;
        if (n == 2 || (n == 3 && p[2].isEmpty())) { // /v2
            allow(ex, "GET");
            Http.json(ex, 200, InferenceProtocol.server(version));
            return;
        }
        if (n == 4 && p[2].equals("health") && (p[3].equals("live") || p[3].equals("ready"))) {
            allow(ex, "GET");
            Http.json(ex, 200, Map.of(p[3], true));
            return;
        }
        if (n >= 4 && p[2].equals("models")) {
            ServedModel m = models.get(p[3]);
            String rest = String.join("/", java.util.Arrays.copyOfRange(p, 4, n));
            if (rest.startsWith("versions/")) { // /v2/models/{name}/versions/1/...: the one version there is
                String[] v = rest.split("/", 3);
                if (!v[1].equals("1")) throw new ApiException(404, "model '" + m.info().name() + "' has only version 1");
                rest = v.length > 2 ? v[2] : "";
            }
            switch (rest) {
                case "" -> {
                    allow(ex, "GET");
                    Http.json(ex, 200, InferenceProtocol.metadata(m));
                }
                case "ready" -> {
                    allow(ex, "GET");
                    Http.json(ex, 200, Map.of("name", m.info().name(), "ready", true));
                }
                case "infer" -> {
                    allow(ex, "POST");
                    InferenceProtocol.Request req = InferenceProtocol.parse(Http.body(ex, limits.maxBodyBytes()), limits);
                    float[] probs = m.probabilities(req.pixels(), req.count());
                    Http.send(ex, 200, "application/json", InferenceProtocol.answer(m, req, probs));
                }
                default -> throw new ApiException(404, "no such endpoint: " + Json.clip(path));
            }
            return;
        }
        throw new ApiException(404, "no such endpoint: " + Json.clip(path));
    }

    private static void allow(HttpExchange ex, String allowed) {
        String method = ex.getRequestMethod();
        if (method.equals(allowed)) return;
        ex.getResponseHeaders().set("Allow", allowed);
        throw new ApiException(405, "use " + allowed + " here, not " + Json.clip(method));
    }

    private Map<String, Object> modelList() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (ServedModel m : models.all()) {
            ServedModel.Info i = m.info();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", i.name());
            e.put("architecture", i.architecture());
            e.put("test_accuracy", i.testAccuracy());
            e.put("file_bytes", i.fileBytes());
            e.put("parameters", i.parameters());
            dev.simdnet.model.Calibration c = m.calibration();
            // null: never calibrated (always sure); else what "not sure" means for this model.
            e.put("calibration", c.isNone() ? null : Map.of("temperature", c.temperature(), "threshold", c.threshold(), "fitted_on", c.fittedOn()));
            list.add(e);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("default", models.defaultModel().info().name());
        r.put("brush", StrokeRenderer.BRUSH_FRACTION);
        r.put("corrections", feedback != null);
        r.put("models", list);
        return r;
    }

    @Override
    public void close() {
        http.stop(0);
        executor.close();
        models.close();
    }
}
