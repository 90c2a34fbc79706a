package dev.simdnet.web;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.data.DigitPreprocessor;
import dev.simdnet.model.Model;
import dev.simdnet.nn.Parameter;
import dev.simdnet.onnx.OnnxExport;
import dev.simdnet.serve.StrokeRenderer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The draw-a-digit page as a static folder that runs in the browser alone ({@code simdnet export --web DIR}):
 * the served page itself ({@code app.js}, {@code app.css}, and an {@code index.html} of the same elements) with
 * {@code local.js}, which answers it in place of the server: MNIST's preprocessing in JavaScript
 * ({@code preprocess.js}, the twin of {@link DigitPreprocessor}), then the model as ONNX ({@code model.onnx}, pixels
 * in [0, 1], outputs {@code probabilities} and {@code logits}) run by onnxruntime-web's WebAssembly build
 * ({@code ort/}), which the build took from the npm registry and this jar carries. {@code model.json} is what the
 * server's {@code /api/models} would say. Any static file server serves the folder; the page fetches nothing else.
 */
public final class WebApp {
    /** Where the page's own files are in this jar, and the runtime the build put beside them. */
    static final String PAGE = "/dev/simdnet/web/", SERVED_PAGE = "/dev/simdnet/serve/", RUNTIME = PAGE + "ort/";
    static final List<String> PAGE_FILES = List.of("index.html", "local.js", "preprocess.js"), SERVED_FILES = List.of("app.js", "app.css");
    /** The runtime's files: the wasm backend's script, its one WebAssembly build, and what the build checked of them. */
    static final List<String> RUNTIME_FILES = List.of("ort.wasm-core.min.js", "ort-wasm.wasm", "onnxruntime-web.json");

    private WebApp() {}

    /** What {@link #write} wrote: the folder and the size of every file in it, by path relative to it. */
    public record Written(Path dir, Map<String, Long> files) {
        public long bytes() { return files.values().stream().mapToLong(Long::longValue).sum(); }
    }

    /**
     * Checks that the page can read drawings for this model: it takes 28x28 grey pictures prepared by MNIST's recipe
     * (the only input the page makes). Throws with what is wrong otherwise.
     */
    public static void requireDigitModel(Model model) {
        Model.Input in = model.input();
        if (in.height() != DigitPreprocessor.SIDE || in.width() != DigitPreprocessor.SIDE || in.channels() != 1
                || in.preprocess() != Model.Preprocess.DIGITS)
            throw new IllegalArgumentException("the web app reads drawn digits for models of 28x28 grey pictures prepared by MNIST's recipe; "
                    + model.spec().name() + " takes " + in.height() + "x" + in.width() + "x" + in.channels() + " pictures ("
                    + in.preprocess().name().toLowerCase() + "): export it with --format onnx instead");
    }

    /**
     * Writes the app for {@code model} into {@code dir}: the model exported by {@link OnnxExport}, then {@link #write};
     * {@code name} is the model's name on the page.
     */
    public static Written export(Model model, String name, Path dir) throws IOException {
        requireDigitModel(model);
        return write(model, name, OnnxExport.toBytes(model), dir);
    }

    /**
     * Writes the app into {@code dir} (created if absent), with {@code onnx}, the model exported to ONNX. The folder
     * must be new, empty, or one this method wrote before (its files are replaced); anything else is refused, so
     * that no unrelated file is overwritten.
     */
    static Written write(Model model, String name, byte[] onnx, Path dir) throws IOException {
        requireDigitModel(model);
        requireWritable(dir);
        Files.createDirectories(dir.resolve("ort"));
        Map<String, Long> files = new LinkedHashMap<>();
        for (String f : PAGE_FILES) files.put(f, copy(PAGE + f, dir.resolve(f)));
        for (String f : SERVED_FILES) files.put(f, copy(SERVED_PAGE + f, dir.resolve(f)));
        for (String f : RUNTIME_FILES) files.put("ort/" + f, copy(RUNTIME + f, dir.resolve("ort").resolve(f)));
        Files.write(dir.resolve("model.onnx"), onnx);
        files.put("model.onnx", (long) onnx.length);
        byte[] json = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asBytes(describe(model, name, onnx.length));
        Files.write(dir.resolve("model.json"), json);
        files.put("model.json", (long) json.length);
        return new Written(dir, files);
    }

    /** The model list as the server's {@code /api/models} gives it (the served page reads it), of this one model. */
    static Map<String, Object> describe(Model model, String name, long onnxBytes) {
        long params = 0;
        for (Parameter p : model.network().parameters()) params += p.value().size();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("architecture", model.spec().name());
        String acc = model.metadata().get("test_accuracy");
        try {
            m.put("test_accuracy", acc == null ? null : Double.valueOf(acc));
        } catch (NumberFormatException e) {
            m.put("test_accuracy", null);
        }
        m.put("file_bytes", onnxBytes);
        m.put("parameters", params);
        m.put("classes", model.classNames());
        m.put("runtime", "onnxruntime-web " + runtimeVersion());
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("default", name);
        list.put("brush", StrokeRenderer.BRUSH_FRACTION);
        list.put("models", List.of(m));
        return list;
    }

    /** The onnxruntime-web version in this jar (from the stamp the build wrote), or a message if the build has none. */
    static String runtimeVersion() {
        try (InputStream in = resource(RUNTIME + "onnxruntime-web.json")) {
            return String.valueOf(JSON.std.mapFrom(in).get("version"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireWritable(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IOException(dir + " is a file: name a folder for the web app");
        if (!Files.isDirectory(dir)) return;
        boolean empty;
        try (Stream<Path> s = Files.list(dir)) {
            empty = s.findAny().isEmpty();
        }
        boolean earlier = Files.isRegularFile(dir.resolve("model.json")) && Files.isRegularFile(dir.resolve("index.html"))
                && Files.isRegularFile(dir.resolve("ort").resolve("onnxruntime-web.json"));
        if (!empty && !earlier)
            throw new IOException(dir + " is not empty and holds no web app written before: name a new or empty folder");
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = WebApp.class.getResourceAsStream(name);
        if (in == null)
            throw new IOException("this build has no " + name + " (the build takes onnxruntime-web from the npm registry: rebuild with npm installed)");
        return in;
    }

    private static long copy(String name, Path to) throws IOException {
        try (InputStream in = resource(name)) {
            return Files.copy(in, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
