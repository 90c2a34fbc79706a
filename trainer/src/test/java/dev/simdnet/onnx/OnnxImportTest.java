package dev.simdnet.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.simdnet.data.TestData;
import dev.simdnet.model.Model;
import dev.simdnet.nn.Dropout;
import dev.simdnet.onnx.proto.OnnxProto.ModelProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ONNX files read into the engine's own layers answer what onnxruntime (or simdnet itself) answers. */
class OnnxImportTest {

    /** simdnet's export read back: the same layers and the same answers (the same kernels run, in the same order). */
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "lenet5", "fast", "lenet", "best", "cnn32"})
    void ourExportReadsBackToTheSameModel(String name) {
        boolean colour = name.equals("cnn32");
        int h = colour ? 32 : 28, c = colour ? 3 : 1, n = 64;
        Model native_ = OnnxTesting.seeded(name, h, h, c, 11);
        Model imported = OnnxImport.decode(OnnxExport.toBytes(native_), name + ".onnx");
        assertThat(imported.network().layers()).hasSize((int) native_.network().layers().stream().filter(l -> !(l instanceof Dropout)).count());
        assertThat(imported.input()).isEqualTo(native_.input());
        assertThat(imported.classNames()).isEqualTo(native_.classNames());
        float[] x = OnnxTesting.noise(n, h * h * c, 5);
        float[] a = native_.probabilities(x, n), b = imported.probabilities(x, n);
        assertThat(OnnxTesting.topDisagreements(a, b, n, 10)).isZero();
        assertThat(OnnxTesting.maxDiff(a, b)).isLessThanOrEqualTo(1e-6);
    }

    @Test
    void theBundledModelReadsBackThroughModelLoadAndSavesAsACheckpoint(@TempDir Path dir) throws Exception {
        Model bundled = Model.bundled(); // calibrated: the import applies the calibration the export carries in its metadata
        Path onnx = dir.resolve("digits.onnx");
        OnnxExport.write(bundled, onnx);
        Model imported = Model.load(onnx);
        float[] x = OnnxTesting.images(TestData.mnistTest(), 1000);
        float[] a = bundled.probabilities(x, 1000), b = imported.probabilities(x, 1000);
        assertThat(OnnxTesting.topDisagreements(a, b, 1000, 10)).isZero();
        assertThat(OnnxTesting.maxDiff(a, b)).isLessThanOrEqualTo(1e-6);
        assertThat(imported.input().preprocess()).isEqualTo(Model.Preprocess.DIGITS);
        assertThat(imported.metadata()).containsEntry("test_accuracy", bundled.metadata().get("test_accuracy"));
        assertThat(imported.spec().name()).isEqualTo("onnx-fast");
        assertThat(imported.calibration()).isEqualTo(bundled.calibration());
        Model twice = OnnxImport.decode(OnnxExport.toBytes(imported), "again.onnx"); // exported again, read again
        assertThat(twice.spec().name()).isEqualTo("onnx-fast");
        assertThat(OnnxTesting.maxDiff(twice.probabilities(x, 1000), b)).isZero();
        // An imported network is a network built in code: it saves with its layers and loads back.
        Path ckpt = dir.resolve("digits-again.safetensors");
        imported.save(ckpt);
        Model again = Model.load(ckpt);
        assertThat(OnnxTesting.maxDiff(again.probabilities(x, 1000), b)).isZero();
        // Sniffed by content as well as by name.
        Path renamed = dir.resolve("digits.model");
        Files.copy(onnx, renamed);
        assertThat(OnnxImport.isOnnx(renamed)).isTrue();
        assertThat(OnnxImport.isOnnx(ckpt)).isFalse();
    }

    /**
     * A temperature in the graph (logits / T before the Softmax) is a calibration: with no simdnet metadata (a file
     * from elsewhere) it becomes the model's temperature; against metadata that says another, one clear error.
     */
    @Test
    void aTemperatureInTheGraphIsTheCalibrationAndMustMatchItsMetadata() throws Exception {
        Model bundled = Model.bundled();
        ModelProto p = ModelProto.parseFrom(OnnxExport.toBytes(bundled));
        ModelProto bare = p.toBuilder().clearMetadataProps().build();
        Model imported = OnnxImport.decode(bare.toByteArray(), "bare.onnx");
        assertThat(imported.calibration().temperature()).isCloseTo(bundled.calibration().temperature(), org.assertj.core.data.Offset.offset(1e-6));
        float[] x = OnnxTesting.images(TestData.mnistTest(), 200);
        assertThat(OnnxTesting.maxDiff(imported.probabilities(x, 200), bundled.probabilities(x, 200))).isLessThanOrEqualTo(1e-5);
        assertThat(OnnxTesting.maxDiff(imported.logits(x, 200), bundled.logits(x, 200))).isLessThanOrEqualTo(1e-4);

        ModelProto.Builder edited = p.toBuilder();
        for (int i = 0; i < edited.getMetadataPropsCount(); i++)
            if (edited.getMetadataProps(i).getKey().equals(dev.simdnet.model.Calibration.KEY))
                edited.setMetadataProps(i, edited.getMetadataProps(i).toBuilder().setValue(new dev.simdnet.model.Calibration(2.5,
                        bundled.calibration().threshold(), Double.NaN, "elsewhere", 10).toJson()));
        assertThatThrownBy(() -> OnnxImport.decode(edited.build().toByteArray(), "edited.onnx"))
                .isInstanceOf(dev.simdnet.model.Checkpoint.CheckpointException.class)
                .hasMessageContaining("edited.onnx").hasMessageContaining("temperature 2.5").hasMessageContaining("export it again");
    }

    /**
     * An imported fast-shaped model runs on the same layers and kernels as the native checkpoint: its speed, measured
     * alternately (ABAB) on 1,000 test images, one thread each. The bound is loose for a shared machine (the issue's
     * 10% is measured in BENCHMARKS.md); a reader that fell back to slower layers would miss it.
     */
    @Test
    void anImportedFastModelRunsAtTheNativeSpeed() throws Exception {
        Model native_ = Model.bundled();
        Model imported = OnnxImport.decode(OnnxExport.toBytes(native_), "digits.onnx");
        var test = TestData.mnistTest();
        int[] idx = java.util.stream.IntStream.range(0, 1000).toArray();
        for (int i = 0; i < 2; i++) {
            native_.probabilities(test, idx, 256);
            imported.probabilities(test, idx, 256);
        }
        double[] ratios = new double[6];
        for (int r = 0; r < ratios.length; r++) {
            double tn, ti;
            if (r % 2 == 0) {
                tn = seconds(native_, test, idx);
                ti = seconds(imported, test, idx);
            } else {
                ti = seconds(imported, test, idx);
                tn = seconds(native_, test, idx);
            }
            ratios[r] = tn / ti;
        }
        java.util.Arrays.sort(ratios);
        double median = (ratios[2] + ratios[3]) / 2; // imported images/s over native images/s
        assertThat(median).as("imported/native speed, sorted ratios " + java.util.Arrays.toString(ratios)).isGreaterThan(0.75);
    }

    private static double seconds(Model m, dev.simdnet.data.Dataset test, int[] idx) {
        long t0 = System.nanoTime();
        m.probabilities(test, idx, 256);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** PyTorch's TorchScript exporter's pattern (folded batch norm, Constant nodes, Flatten, Gemm), against onnxruntime. */
    @ParameterizedTest
    @ValueSource(ints = {11, 13, 17})
    void theTorchScriptExportersPatternAgreesWithOnnxRuntime(int opset) throws Exception {
        agreesWithOrt(OnnxGraphs.legacyStyle(opset, opset == 11, 21 + opset));
    }

    /** The dynamo exporter's pattern (BatchNormalization, the flatten as Shape arithmetic and Reshape, MatMul + Add). */
    @ParameterizedTest
    @ValueSource(ints = {18, 21})
    void theDynamoExportersPatternAgreesWithOnnxRuntime(int opset) throws Exception {
        agreesWithOrt(OnnxGraphs.dynamoStyle(opset, opset == 21, 5 + opset));
    }

    private static void agreesWithOrt(ModelProto proto) throws Exception {
        int n = 64, c = OnnxGraphs.C, h = OnnxGraphs.H, w = OnnxGraphs.W;
        byte[] bytes = proto.toByteArray();
        Model m = OnnxImport.decode(bytes, "torch-like.onnx");
        assertThat(m.input().normalization().mean()).isEqualTo(0.45f);
        assertThat(m.input().normalization().std()).isEqualTo(0.25f);
        float[] hwc = OnnxTesting.noise(n, c * h * w, 17);
        float[] ours = m.probabilities(hwc, n);
        float[] ort = ortFirstOutput(bytes, OnnxTesting.toNchw(hwc, n, h, w, c), n, c, h, w);
        boolean softmaxInGraph = proto.getGraph().getNodeList().stream().anyMatch(x -> x.getOpType().equals("Softmax"));
        if (!softmaxInGraph) ort = softmax(ort, n, OnnxGraphs.CLASSES);
        assertThat(OnnxTesting.topDisagreements(ours, ort, n, OnnxGraphs.CLASSES)).isZero();
        assertThat(OnnxTesting.maxDiff(ours, ort)).isLessThanOrEqualTo(1e-5);
    }

    static float[] ortFirstOutput(byte[] onnx, float[] nchw, int n, int c, int h, int w) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(nchw), new long[] {n, c, h, w});
             OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), t))) {
            float[][] rows = (float[][]) r.get(0).getValue();
            float[] out = new float[n * rows[0].length];
            for (int i = 0; i < n; i++) System.arraycopy(rows[i], 0, out, i * rows[i].length, rows[i].length);
            return out;
        }
    }

    static float[] softmax(float[] logits, int n, int k) {
        float[] p = new float[logits.length];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < k; j++) max = Math.max(max, logits[i * k + j]);
            for (int j = 0; j < k; j++) sum += Math.exp(logits[i * k + j] - max);
            for (int j = 0; j < k; j++) p[i * k + j] = (float) (Math.exp(logits[i * k + j] - max) / sum);
        }
        return p;
    }
}
