package dev.simdnet.nn;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.SplittableRandom;

import static dev.simdnet.testing.SameBits.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every layer's backward against central finite differences, on both kernel sets. */
class LayerGradientTest {
    private static Kernels scalar;
    private static Kernels vector;

    @BeforeAll
    static void start() {
        scalar = Kernels.create("scalar", 1);
        vector = Kernels.create("vector", 2);
    }

    @AfterAll
    static void stop() {
        scalar.close();
        vector.close();
    }

    private static Kernels kernels(String name) {
        return name.equals("scalar") ? scalar : vector;
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void relu(String k) {
        Tensor x = GradientCheck.randomInput(1, 0.05, 3, 4, 5, 2);
        assertThat(new GradientCheck(kernels(k)).check(new Relu("relu"), x)).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void linear(String k) {
        Linear layer = new Linear("fc", 13, 7, new SplittableRandom(3));
        Tensor x = GradientCheck.randomInput(2, 0, 5, 13);
        assertThat(new GradientCheck(kernels(k)).check(layer, x)).isEqualTo(64 + 64 + 7); // dx and W sampled, b whole
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void linearReadsAnImageBatchFlattened(String k) {
        Linear layer = new Linear("fc", 3 * 2 * 2, 5, new SplittableRandom(4), true);
        Tensor x = GradientCheck.randomInput(5, 0, 2, 3, 2, 2);
        new GradientCheck(kernels(k)).check(layer, x);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void batchNormOverImages(String k) {
        BatchNorm bn = new BatchNorm("bn", 3);
        // Non-trivial γ and β so their gradients reach dx.
        for (int c = 0; c < 3; c++) {
            bn.parameters().get(0).value().set(c, 0.5f + c);
            bn.parameters().get(1).value().set(c, 0.1f * c);
        }
        Tensor x = GradientCheck.randomInput(6, 0, 2, 3, 3, 3);
        new GradientCheck(kernels(k)).check(bn, x);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void batchNormOverVectors(String k) {
        BatchNorm bn = new BatchNorm("bn", 11);
        Tensor x = GradientCheck.randomInput(7, 0, 6, 11);
        new GradientCheck(kernels(k)).check(bn, x);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void dropoutWithAFixedSeed(String k) {
        Tensor x = GradientCheck.randomInput(8, 0, 4, 50);
        new GradientCheck(kernels(k)).check(new Dropout("drop", 0.3f), x);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void flatten(String k) {
        Tensor x = GradientCheck.randomInput(9, 0, 2, 3, 4, 2);
        new GradientCheck(kernels(k)).check(new Flatten("flat"), x);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void sequentialLinearReluLinear(String k) {
        SplittableRandom rng = new SplittableRandom(10);
        Sequential net = new Sequential(new Linear("fc1", 6, 9, rng), new Relu("relu"), new Linear("fc2", 9, 4, rng, true));
        Tensor x = GradientCheck.randomInput(11, 0, 3, 6);
        // A smaller step: a hidden pre-activation within h·|W| of 0 would straddle the ReLU's kink.
        new GradientCheck(kernels(k)).step(1e-3).tolerance(3e-3, 2e-2).check(net, x);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void softmaxCrossEntropyGradient(String k) {
        Kernels kernels = kernels(k);
        int rows = 3;
        int classes = 7;
        float eps = 0.1f;
        float[] logits = GradientCheck.randomInput(12, 0, rows, classes).toArray();
        for (int i = 0; i < logits.length; i++) logits[i] *= 3;
        int[] labels = {0, 6, 3};
        float[] dlogits = new float[rows * classes];
        kernels.softmaxCrossEntropy(rows, classes, logits, 0, labels, 0, eps, null, 0, dlogits, 0);
        double h = 1e-2;
        for (int i = 0; i < logits.length; i++) {
            float saved = logits[i];
            logits[i] = (float) (saved + h);
            double plus = kernels.softmaxCrossEntropy(rows, classes, logits, 0, labels, 0, eps, null, 0, null, 0) / rows;
            logits[i] = (float) (saved - h);
            double minus = kernels.softmaxCrossEntropy(rows, classes, logits, 0, labels, 0, eps, null, 0, null, 0) / rows;
            logits[i] = saved;
            double numeric = (plus - minus) / ((double) (float) (saved + h) - (double) (float) (saved - h));
            assertThat((double) dlogits[i]).as("dlogits[%d]", i).isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-3));
        }
    }

    /** The check itself must be able to fail: a layer whose backward is off by a factor is caught. */
    @Test
    void gradientCheckCatchesAWrongBackward() {
        Layer wrong = new Layer() {
            private final Relu relu = new Relu("inner");

            @Override
            public int[] outputShape(int[] inputShape) { return inputShape; }

            @Override
            public Tensor forward(Tensor x, Context ctx) { return relu.forward(x, ctx); }

            @Override
            public Tensor backward(Tensor dy, Context ctx) {
                Tensor dx = relu.backward(dy, ctx).copy();
                dx.set(0, dx.get(0) * 1.5f + 0.5f);
                return dx;
            }

            @Override
            public Layer replica() { throw new UnsupportedOperationException("not needed here"); }
        };
        Tensor x = GradientCheck.randomInput(13, 0.05, 2, 3);
        assertThatThrownBy(() -> new GradientCheck(scalar).check(wrong, x)).isInstanceOf(AssertionError.class);
    }

    @Test
    void sequentialChainsShapesParametersAndOutputs() {
        SplittableRandom rng = new SplittableRandom(14);
        Sequential net = new Sequential(List.of(new Flatten("flat"), new Linear("fc1", 12, 5, rng), new BatchNorm("bn", 5),
                new Relu("relu"), new Dropout("drop", 0.5f), new Linear("fc2", 5, 3, rng, true)));
        assertThat(net.outputShape(new int[] {2, 3, 2})).containsExactly(3);
        assertThat(net.macs(new int[] {2, 3, 2})).isEqualTo(12 * 5 + 5 + 5 * 3);
        assertThat(net.parameters()).extracting(Parameter::name)
                .containsExactly("fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias");
        assertThat(net.parameters()).extracting(Parameter::decay).containsExactly(true, false, false, false, true, false);
        assertThat(net.buffers()).containsOnlyKeys("bn.running_mean", "bn.running_var");

        Tensor x = GradientCheck.randomInput(15, 0, 4, 2, 3, 2);
        List<Tensor> outs = net.forwardAll(x, Context.inference(scalar));
        assertThat(outs).hasSize(6);
        assertThat(outs.get(5).shape()).containsExactly(4, 3);
        assertSameBits("forward against forwardAll's last output", net.forward(x, Context.inference(scalar)).toArray(), outs.get(5).toArray());

        // The caller needs no dx: the first layer is told so and nothing is returned.
        Context ctx = Context.training(scalar, 1);
        Tensor y = net.forward(x, ctx);
        assertThat(net.backward(Tensor.zeros(y.shape()), ctx.withNeedInputGrad(false))).isNull();
        assertThat(net.backward(Tensor.zeros(y.shape()), ctx).shape()).containsExactly(4, 2, 3, 2);
    }

    @Test
    void sequentialRejectsDuplicateParameterNames() {
        SplittableRandom rng = new SplittableRandom(16);
        assertThatThrownBy(() -> new Sequential(new Linear("fc", 2, 2, rng), new Linear("fc", 2, 2, rng)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fc.weight");
    }
}
