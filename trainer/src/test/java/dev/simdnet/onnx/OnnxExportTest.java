package dev.simdnet.onnx;

import dev.simdnet.data.TestData;
import dev.simdnet.model.Model;
import dev.simdnet.model.ModelSpec;
import dev.simdnet.nn.Context;
import dev.simdnet.nn.Layer;
import dev.simdnet.nn.Linear;
import dev.simdnet.nn.Relu;
import dev.simdnet.nn.Sequential;
import dev.simdnet.onnx.proto.OnnxProto;
import dev.simdnet.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Exported models run in onnxruntime (the reference) and answer what simdnet answers. */
class OnnxExportTest {
    static final int N = 1000;
    static final double TOLERANCE = 1e-4;

    /** fast, lenet and best (seeded, with drawn batch-norm statistics) on the first 1,000 MNIST test images. */
    @ParameterizedTest
    @ValueSource(strings = {"fast", "lenet", "best"})
    void exportedMnistModelsAgreeWithOnnxRuntime(String name) throws Exception {
        agreesOnMnist(OnnxTesting.seeded(name, 28, 28, 1, 42));
    }

    @Test
    void theBundledModelAgreesWithOnnxRuntime() throws Exception {
        // Calibrated: the graph divides the logits by the bundle's temperature before its Softmax, so onnxruntime's
        // probabilities are simdnet's calibrated ones.
        Model m = Model.bundled();
        assertThat(m.calibration().temperature()).isNotEqualTo(1.0);
        agreesOnMnist(m);
        OnnxProto.ModelProto p = OnnxProto.ModelProto.parseFrom(OnnxExport.toBytes(m));
        assertThat(p.getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("Div") && n.getName().equals("temperature")).hasSize(1);
        // Without a calibration there is no such node: the probabilities are the network's own softmax.
        OnnxProto.ModelProto raw = OnnxProto.ModelProto.parseFrom(OnnxExport.toBytes(m.withCalibration(dev.simdnet.model.Calibration.NONE)));
        assertThat(raw.getGraph().getNodeList()).noneMatch(n -> n.getName().equals("temperature"));
        Map<String, String> meta = new HashMap<>();
        p.getMetadataPropsList().forEach(e -> meta.put(e.getKey(), e.getValue()));
        assertThat(meta).containsKeys("classes", "input", "normalization", "simdnet_version", "test_accuracy", "preprocess");
        assertThat(meta.get("test_accuracy")).isEqualTo(m.metadata().get("test_accuracy"));
        assertThat(meta.get("classes")).isEqualTo("[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]");
        assertThat(p.getIrVersion()).isEqualTo(8);
        assertThat(p.getOpsetImport(0).getVersion()).isEqualTo(13);
        assertThat(p.getGraph().getOutputList()).extracting(OnnxProto.ValueInfoProto::getName).containsExactly("probabilities", "logits");
    }

    private static void agreesOnMnist(Model m) throws Exception {
        float[] x = OnnxTesting.images(TestData.mnistTest(), N);
        float[] ours = m.probabilities(x, N);
        // One grey channel: NHWC and NCHW are the same layout.
        float[] ort = OnnxTesting.runOrt(OnnxExport.toBytes(m), OnnxExport.PROBABILITIES, x, N, 1, 28, 28);
        assertThat(OnnxTesting.topDisagreements(ours, ort, N, 10)).as("images with another top class").isZero();
        assertThat(OnnxTesting.maxDiff(ours, ort)).as("largest probability difference").isLessThanOrEqualTo(TOLERANCE);
    }

    /** Every registry network exports; colour input checks the NHWC to NCHW transposition of input and weights. */
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "lenet5", "fast", "fast-wide", "lenet", "best", "cnn32"})
    void everyRegistryModelExportsAndAgrees(String name) throws Exception {
        boolean colour = name.equals("cnn32");
        int h = colour ? 32 : 28, c = colour ? 3 : 1, n = 50;
        Model m = OnnxTesting.seeded(name, h, h, c, 7);
        float[] x = OnnxTesting.noise(n, h * h * c, 3);
        float[] ours = m.probabilities(x, n);
        byte[] onnx = OnnxExport.toBytes(m);
        float[] ort = OnnxTesting.runOrt(onnx, OnnxExport.PROBABILITIES, OnnxTesting.toNchw(x, n, h, h, c), n, c, h, h);
        assertThat(OnnxTesting.topDisagreements(ours, ort, n, 10)).isZero();
        assertThat(OnnxTesting.maxDiff(ours, ort)).isLessThanOrEqualTo(TOLERANCE);
        // The logits too: they are the network's own output, before the softmax.
        float[] logits = OnnxTesting.runOrt(onnx, OnnxExport.LOGITS, OnnxTesting.toNchw(x, n, h, h, c), n, c, h, h);
        Tensor t = m.network().forward(Tensor.view(normalized(m, x), 0, n, h, h, c), Context.inference(m.kernels()));
        assertThat(OnnxTesting.maxDiff(t.toArray(), logits)).isLessThanOrEqualTo(1e-3);
    }

    private static float[] normalized(Model m, float[] x) {
        float[] y = x.clone();
        m.input().normalization().applyInPlace(y, 0, y.length);
        return y;
    }

    /** A network built in code, colour, with a flatten that no dense layer reads right away (a Transpose first). */
    @Test
    void aNetworkBuiltInCodeExports() throws Exception {
        SplittableRandom rng = new SplittableRandom(5);
        Sequential net = new Sequential(
                new dev.simdnet.nn.Conv2d("c1", 3, 4, 3, 2, 1, rng),
                new dev.simdnet.nn.BatchNorm("b1", 4),
                new Relu("r1"),
                new dev.simdnet.nn.MaxPool2d("p1", 3, 1),
                new dev.simdnet.nn.Flatten("f"),
                new dev.simdnet.nn.BatchNorm("b2", 4 * 3 * 3),
                new Linear("fc", 36, 5, rng));
        ModelSpec spec = new ModelSpec("mine", new int[] {10, 10, 3}, 5, 0f);
        Model m = Model.of(spec, net, new Model.Input(10, 10, 3, new dev.simdnet.data.Normalization(0.5f, 0.2f), Model.Preprocess.RESIZE),
                java.util.List.of("a", "b", "c", "d", "e"));
        int n = 40;
        float[] x = OnnxTesting.noise(n, 300, 9);
        float[] ours = m.probabilities(x, n);
        float[] ort = OnnxTesting.runOrt(OnnxExport.toBytes(m), OnnxExport.PROBABILITIES, OnnxTesting.toNchw(x, n, 10, 10, 3), n, 3, 10, 10);
        assertThat(OnnxTesting.maxDiff(ours, ort)).isLessThanOrEqualTo(TOLERANCE);
        assertThat(OnnxTesting.topDisagreements(ours, ort, n, 5)).isZero();
    }

    @Test
    void anUnsupportedLayerIsOneClearError() {
        Layer odd = new Layer() {
            public String name() { return "swish1"; }
            public int[] outputShape(int[] s) { return s; }
            public Tensor forward(Tensor x, Context ctx) { return x; }
            public Tensor backward(Tensor dy, Context ctx) { return dy; }
            public Layer replica() { return this; }
        };
        Sequential net = new Sequential(new dev.simdnet.nn.Flatten("f"), new Linear("fc", 4, 2, new SplittableRandom(1)), odd);
        Model m = Model.of(new ModelSpec("odd", new int[] {2, 2, 1}, 2, 0f), net,
                new Model.Input(2, 2, 1, dev.simdnet.data.Normalization.IDENTITY, Model.Preprocess.RESIZE), Model.numberedClasses(2));
        assertThatThrownBy(() -> OnnxExport.toBytes(m)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("swish1").hasMessageContaining("cannot be exported to ONNX").hasMessageContaining("Conv2d");
    }

    @Test
    void writeIsAtomicAndLeavesNoTemporaryFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = dir.resolve("sub/m.onnx");
        OnnxExport.write(OnnxTesting.seeded("fast", 28, 28, 1, 1), f);
        assertThat(Files.size(f)).isGreaterThan(100_000);
        try (var s = Files.list(f.getParent())) {
            assertThat(s.toList()).containsExactly(f);
        }
    }
}
