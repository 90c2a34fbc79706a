package dev.simdnet.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.TestData;
import dev.simdnet.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The figures of BENCHMARKS.md's ONNX section, run by {@code benchmarks/run-onnx.sh} (not part of the suite: it
 * runs only with {@code -Dsimdnet.onnx.report=DIR}). For each model named in {@code -Dsimdnet.onnx.models}
 * (checkpoint paths, {@code bundled}, or {@code seeded:NAME}): the export against onnxruntime on the first 1,000
 * MNIST test images, the import against the native model, and for the fast-shaped ones the inference speed of the
 * imported model against the native checkpoint, measured alternately (ABAB). It writes {@code DIR/report.md}, and
 * {@code DIR/NAME.onnx} with simdnet's probabilities beside it ({@code NAME.onnx.probabilities.bin}, float32 LE) for
 * {@code make_torch_fixture.py --check}.
 */
@EnabledIfSystemProperty(named = "simdnet.onnx.report", matches = ".+")
class OnnxReport {
    static final int N = 1000;

    @Test
    void report() throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("simdnet.onnx.report")));
        int rounds = Integer.getInteger("simdnet.onnx.rounds", 7);
        Dataset test = TestData.mnistTest();
        float[] x = OnnxTesting.images(test, N);
        List<String> rows = new ArrayList<>(), speed = new ArrayList<>();
        for (String spec : System.getProperty("simdnet.onnx.models", "bundled").split(",")) {
            Model m = spec.equals("bundled") ? Model.bundled()
                    : spec.startsWith("seeded:") ? OnnxTesting.seeded(spec.substring(7), 28, 28, 1, 42) : Model.load(Path.of(spec));
            String name = spec.equals("bundled") ? "bundled" : spec.startsWith("seeded:") ? spec.substring(7) + "-seeded"
                    : Path.of(spec).getFileName().toString().replaceFirst("\\.safetensors$", "");
            Path onnx = dir.resolve(name + ".onnx");
            OnnxExport.write(m, onnx);
            byte[] bytes = Files.readAllBytes(onnx);
            float[] ours = probabilities(m, x);
            OnnxTesting.writeFloats(dir.resolve(name + ".onnx.probabilities.bin"), ours);
            float[] ort = OnnxTesting.runOrt(bytes, OnnxExport.PROBABILITIES, x, N, 1, 28, 28);
            Model imported = Model.load(onnx);
            float[] back = probabilities(imported, x);
            rows.add(String.format(Locale.ROOT, "| %s | %s | %,d | %d | %.1e | %d | %.1e |", name, m.spec().name(), bytes.length,
                    OnnxTesting.topDisagreements(ours, ort, N, 10), OnnxTesting.maxDiff(ours, ort),
                    OnnxTesting.topDisagreements(ours, back, N, 10), OnnxTesting.maxDiff(ours, back)));
            if (m.spec().name().equals("fast")) speed.add(speed(name, m, imported, bytes, test, rounds));
        }
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        StringBuilder md = new StringBuilder();
        md.append("Machine: ").append(cpu).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores. JDK ")
                .append(Runtime.version()).append(". onnxruntime ").append(OrtEnvironment.getEnvironment().getVersion()).append(" (Java, CPU).\n\n");
        md.append("| model | network | ONNX bytes | top class differs (of 1,000), onnxruntime | max prob. diff | top class differs, re-imported | max prob. diff |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        rows.forEach(r -> md.append(r).append('\n'));
        if (!speed.isEmpty()) {
            md.append("\n| model | native images/s | imported images/s | ratio (median of ").append(rounds).append(" pairs) | pairs | onnxruntime images/s |\n");
            md.append("| --- | --- | --- | --- | --- | --- |\n");
            speed.forEach(r -> md.append(r).append('\n'));
        }
        Files.writeString(dir.resolve("report.md"), md);
        System.out.print(md);
    }

    /** Native and imported, alternately (ABAB, then BABA), one thread each, on the 10,000 test images, batch 256. */
    private static String speed(String name, Model a, Model b, byte[] onnx, Dataset test, int rounds) throws Exception {
        int[] idx = IntStream.range(0, test.n()).toArray();
        for (int i = 0; i < 3; i++) {
            a.probabilities(test, idx, 256);
            b.probabilities(test, idx, 256);
        }
        double[] ra = new double[rounds], rb = new double[rounds], ratio = new double[rounds];
        List<String> pairs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            boolean aFirst = r % 2 == 0;
            double first = rate(aFirst ? a : b, test, idx), second = rate(aFirst ? b : a, test, idx);
            ra[r] = aFirst ? first : second;
            rb[r] = aFirst ? second : first;
            ratio[r] = rb[r] / ra[r];
            pairs.add(String.format(Locale.ROOT, "%.0f/%.0f", ra[r], rb[r]));
        }
        double ortRate = ortRate(onnx, test);
        return String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.3f | %s | %.0f |", name, median(ra), median(rb), median(ratio),
                String.join(", ", pairs), ortRate);
    }

    /** In batches of 100: a batch of 1,000 through `best` holds about 1 GB of activations. */
    private static float[] probabilities(Model m, float[] x) {
        int size = m.input().size(), k = m.classes();
        float[] out = new float[N * k];
        for (int from = 0; from < N; from += 100)
            System.arraycopy(m.probabilities(Arrays.copyOfRange(x, from * size, (from + 100) * size), 100), 0, out, from * k, 100 * k);
        return out;
    }

    private static double rate(Model m, Dataset test, int[] idx) {
        long t0 = System.nanoTime();
        m.probabilities(test, idx, 256);
        return idx.length / ((System.nanoTime() - t0) / 1e9);
    }

    /** onnxruntime on one intra-op thread, batches of 256 NCHW images, median of 5 passes over the test set. */
    private static double ortRate(byte[] onnx, Dataset test) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] all = OnnxTesting.images(test, test.n());
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(onnx, o)) {
                double[] rates = new double[5];
                for (int pass = -2; pass < 5; pass++) {
                    long t0 = System.nanoTime();
                    for (int from = 0; from < test.n(); from += 256) {
                        int count = Math.min(256, test.n() - from);
                        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(all, from * 784, count * 784), new long[] {count, 1, 28, 28});
                             OrtSession.Result r = s.run(Map.of(OnnxExport.INPUT, t))) {
                            r.get(0);
                        }
                    }
                    if (pass >= 0) rates[pass] = test.n() / ((System.nanoTime() - t0) / 1e9);
                }
                return median(rates);
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

}
