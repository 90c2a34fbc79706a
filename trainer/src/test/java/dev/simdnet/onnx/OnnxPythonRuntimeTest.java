package dev.simdnet.onnx;

import dev.simdnet.data.TestData;
import dev.simdnet.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Exported models in Python's onnxruntime, the runtime most users take an ONNX file to: {@code fast}, {@code lenet}
 * and {@code best} (seeded, with drawn batch-norm statistics) and the bundled (calibrated) model, each exported and
 * run by {@code benchmarks/onnx/make_torch_fixture.py --check} on the first 1,000 MNIST test images, against
 * simdnet's probabilities written beside each file: the same top class on all of them, probabilities within 1e-4.
 *
 * <p>{@code .ci/run} installs onnxruntime with pip and then sets {@code -Dsimdnet.python.onnxruntime=required}, so
 * there a missing runtime fails; elsewhere ({@code auto}, the default) the test is skipped with the command that
 * installs it. {@link OnnxExportTest} checks the same exports with onnxruntime's Java binding in every build.
 */
class OnnxPythonRuntimeTest {
    static final int N = 1000;

    @Test
    void exportsAgreeWithPythonsOnnxRuntime(@TempDir Path dir) throws Exception {
        String python = System.getProperty("simdnet.python", "python3");
        boolean required = "required".equals(System.getProperty("simdnet.python.onnxruntime", "auto"));
        String missing = run(List.of(python, "-c", "import onnxruntime, numpy"), dir, 60).exit == 0 ? null
                : python + " cannot import onnxruntime and numpy (pip install onnxruntime numpy)";
        if (required) assertThat(missing).as("-Dsimdnet.python.onnxruntime=required").isNull();
        assumeTrue(missing == null, missing);

        Path script = Path.of("..", "benchmarks", "onnx", "make_torch_fixture.py").toAbsolutePath().normalize();
        assertThat(script).exists();
        float[] x = OnnxTesting.images(TestData.mnistTest(), N);
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--mnist", TestData.root().resolve("mnist").toString(), "--check"));
        List<Model> models = List.of(OnnxTesting.seeded("fast", 28, 28, 1, 42), OnnxTesting.seeded("lenet", 28, 28, 1, 42),
                OnnxTesting.seeded("best", 28, 28, 1, 42), Model.bundled());
        String[] names = {"fast", "lenet", "best", "bundled"};
        for (int k = 0; k < models.size(); k++) {
            Path onnx = dir.resolve(names[k] + ".onnx");
            OnnxExport.write(models.get(k), onnx);
            OnnxTesting.writeFloats(dir.resolve(names[k] + ".onnx.probabilities.bin"), models.get(k).probabilities(x, N));
            cmd.add(onnx.toString());
        }
        Result r = run(cmd, dir, 300);
        System.out.print(r.output);
        assertThat(r.output).as("one line per file").contains("\"ok\": true");
        for (String name : names)
            assertThat(r.output.lines().filter(l -> l.contains(name + ".onnx\"") && l.contains("\"top_class_disagreements\": 0")
                    && l.contains("\"ok\": true"))).as(name + " in onnxruntime (Python)").hasSize(1);
        assertThat(r.exit).as("the check's exit code\n" + r.output).isZero();
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> cmd, Path dir, int seconds) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
