package dev.simdnet.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.data.Normalization;
import dev.simdnet.model.Model;
import dev.simdnet.model.ModelSpec;
import dev.simdnet.model.Models;
import dev.simdnet.onnx.OnnxExport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code export --web DIR [CKPT]}: the folder it writes, and one clear line for each thing it refuses. */
class ExportWebCliTest {
    @TempDir
    Path dir;

    @Test
    void writesTheWholeAppForTheBundledModel() throws Exception {
        Path site = dir.resolve("site");
        Cli r = Cli.run("export", "--web", site.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("wrote the web app to " + site, "static file server");
        for (String f : List.of("index.html", "app.js", "local.js", "preprocess.js", "app.css", "model.json", "model.onnx",
                "ort/ort.wasm-core.min.js", "ort/ort-wasm.wasm", "ort/onnxruntime-web.json"))
            assertThat(site.resolve(f)).as(f).isNotEmptyFile();
        // The model is export --format onnx's, byte for byte; the page loads the files it ships, by these names.
        assertThat(Files.readAllBytes(site.resolve("model.onnx"))).isEqualTo(OnnxExport.toBytes(Model.bundled()));
        String html = Files.readString(site.resolve("index.html"));
        assertThat(html).contains("src=\"ort/ort.wasm-core.min.js\"", "src=\"preprocess.js\"", "src=\"local.js\"", "src=\"app.js\"", "href=\"app.css\"")
                .doesNotContain("http://", "https://");
        // The served page's own script, answered in the browser; model.json as the server's /api/models.
        try (var served = ExportWebCliTest.class.getResourceAsStream("/dev/simdnet/serve/app.js")) {
            assertThat(Files.readAllBytes(site.resolve("app.js"))).isEqualTo(served.readAllBytes());
        }
        Map<String, Object> list = JSON.std.mapFrom(Files.readString(site.resolve("model.json")));
        assertThat(list).containsEntry("default", "default").containsKey("brush");
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) ((List<?>) list.get("models")).getFirst();
        assertThat(meta).containsEntry("name", "default").containsEntry("architecture", "fast").containsEntry("parameters", 29290)
                .containsEntry("classes", List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")).containsEntry("runtime", "onnxruntime-web 1.10.0");
        // The runtime is the one the build checked against the pinned npm integrity.
        Map<String, Object> stamp = JSON.std.mapFrom(Files.readString(site.resolve("ort/onnxruntime-web.json")));
        assertThat(stamp).containsEntry("package", "onnxruntime-web").containsEntry("version", "1.10.0");
        assertThat(((Map<?, ?>) stamp.get("sha256")).get("ort-wasm.wasm")).isEqualTo(sha256(site.resolve("ort/ort-wasm.wasm")));

        // Again into the same folder: an earlier app is replaced.
        Files.writeString(site.resolve("model.onnx"), "stale");
        assertThat(Cli.run("export", "--web", site.toString()).exit()).isZero();
        assertThat(Files.readAllBytes(site.resolve("model.onnx"))).isEqualTo(OnnxExport.toBytes(Model.bundled()));
    }

    static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @Test
    void writesACheckpointNamedOnTheCommandLine() throws Exception {
        ModelSpec spec = ModelSpec.mnist("fast", 0f);
        Path ckpt = dir.resolve("mine.safetensors");
        Model.of(spec, Models.build(spec, 3), new Model.Input(28, 28, 1, Normalization.MNIST, Model.Preprocess.DIGITS), Model.numberedClasses(10)).save(ckpt);
        Cli r = Cli.run("export", "--web", dir.resolve("site").toString(), ckpt.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readString(dir.resolve("site/model.json"))).contains("\"default\" : \"mine\"");
        assertThat(Files.readAllBytes(dir.resolve("site/model.onnx"))).isEqualTo(OnnxExport.toBytes(Model.load(ckpt)));
    }

    @Test
    void refusesWhatItCannotWriteWithOneLine() throws Exception {
        // A folder with other files in it: nothing is overwritten.
        Path busy = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(busy.resolve("index.html"), "mine");
        Cli r = Cli.run("export", "--web", busy.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.oneLineError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("is not empty", "new or empty folder");
        assertThat(Files.readString(busy.resolve("index.html"))).isEqualTo("mine");
        assertThat(Files.list(busy).count()).isEqualTo(1);

        // A file where the folder should be.
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        r = Cli.run("export", "--web", file.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.oneLineError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("is a file");

        // A model whose pictures are not drawn digits: the page cannot make its input.
        ModelSpec spec = ModelSpec.mnist("fast", 0f);
        Path resize = dir.resolve("resize.safetensors");
        Model.of(spec, Models.build(spec, 1), new Model.Input(28, 28, 1, Normalization.MNIST, Model.Preprocess.RESIZE), Model.numberedClasses(10)).save(resize);
        r = Cli.run("export", "--web", dir.resolve("site").toString(), resize.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.oneLineError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("MNIST's recipe", "--format onnx");
        assertThat(dir.resolve("site")).doesNotExist();

        // Usage errors: an OUT file with --web, nothing to export without it.
        r = Cli.run("export", "--web", dir.resolve("site").toString(), resize.toString(), "out.onnx");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--web writes a folder");
        r = Cli.run("export");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("export --web DIR [CKPT]");
    }
}
