package dev.simdnet.onnx;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.data.TestData;
import dev.simdnet.model.Model;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A small CNN trained and exported by PyTorch (both exporters, the dynamo one with and without its optimizer: {@code benchmarks/onnx/make_torch_fixture.py}) read
 * into the engine answers what PyTorch answered: the same top class on the first 1,000 MNIST test images and
 * probabilities within 1e-4. The fixture lives in {@code src/test/resources/dev/simdnet/onnx/torch/}; until it is
 * committed this test is skipped (with the command that makes it); once it is, every file the manifest says was made
 * must be there and agree.
 */
class OnnxTorchFixtureTest {
    static final String DIR = "/dev/simdnet/onnx/torch/";
    static final int N = 1000;

    @Test
    void pytorchExportsAgreeWithPytorch() throws Exception {
        byte[] probs = resource("torch_probabilities.bin");
        assumeTrue(probs != null, "no PyTorch fixture yet: run python3 benchmarks/onnx/make_torch_fixture.py --mnist ../shared/data/mnist "
                + "--out trainer/src/test/resources/dev/simdnet/onnx/torch where torch is installed");
        assertThat(probs).hasSize(N * 10 * 4);
        float[] reference = new float[N * 10];
        ByteBuffer.wrap(probs).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(reference);
        byte[] manifestBytes = resource("manifest.json");
        assertThat(manifestBytes).as("manifest.json beside the probabilities").isNotNull();
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> exports = (Map<String, Map<String, Object>>) JSON.std.mapFrom(manifestBytes).get("exports");
        List<String> checked = new ArrayList<>();
        long total = probs.length;
        float[] x = OnnxTesting.images(TestData.mnistTest(), N);
        for (var e : exports.entrySet()) {
            if (e.getValue().containsKey("error")) continue; // the script recorded that this exporter failed
            String file = (String) e.getValue().get("file");
            byte[] onnx = resource(file);
            assertThat(onnx).as(file + ", which the manifest says was made").isNotNull();
            total += onnx.length;
            Model m = OnnxImport.decode(onnx, file);
            float[] ours = m.probabilities(x, N);
            System.out.printf(java.util.Locale.ROOT, "%s (%s): %d images with another top class, largest probability difference %.2e%n",
                    file, e.getKey(), OnnxTesting.topDisagreements(ours, reference, N, 10), OnnxTesting.maxDiff(ours, reference));
            assertThat(OnnxTesting.topDisagreements(ours, reference, N, 10)).as(file + ": images with another top class").isZero();
            assertThat(OnnxTesting.maxDiff(ours, reference)).as(file + ": largest probability difference").isLessThanOrEqualTo(1e-4);
            checked.add(file);
        }
        assertThat(checked).as("at least one exporter's file").isNotEmpty();
        assertThat(total).as("the fixture's bytes").isLessThan(600_000);
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = OnnxTorchFixtureTest.class.getResourceAsStream(DIR + name)) {
            return in == null ? null : in.readAllBytes();
        }
    }
}
