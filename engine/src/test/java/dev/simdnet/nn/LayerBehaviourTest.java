package dev.simdnet.nn;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** What the layers do besides their gradients: modes, buffers, views, validation. */
class LayerBehaviourTest {
    private static Kernels k;

    @BeforeAll
    static void start() { k = Kernels.create("vector", 2); }

    @AfterAll
    static void stop() { k.close(); }

    @Test
    void linearComputesXTimesWTransposedPlusBias() {
        Linear fc = new Linear("fc", 2, 3, new SplittableRandom(1));
        float[] w = {1, 2, 3, 4, 5, 6}; // (3, 2)
        System.arraycopy(w, 0, fc.weight().value().data(), 0, 6);
        fc.bias().value().set(2, 10f);
        Tensor y = fc.forward(Tensor.of(new float[] {1, -1, 0.5f, 2}, new int[] {2, 2}), Context.inference(k));
        assertThat(y.toArray()).containsExactly(new float[] {-1, -1, 9, 4.5f, 9.5f, 24.5f}, within(1e-5f));
    }

    @Test
    void linearInitializationHasHeScale() {
        Linear fc = new Linear("fc", 400, 300, new SplittableRandom(2));
        double sq = 0;
        for (float v : fc.weight().value().toArray()) sq += v * v;
        assertThat(sq / (400 * 300)).isCloseTo(2.0 / 400, within(2.0 / 400 * 0.05));
        assertThat(fc.bias().value().toArray()).containsOnly(0f);
    }

    @Test
    void flattenIsAViewOfTheSameStorage() {
        Tensor x = Tensor.zeros(2, 3, 3, 4);
        Tensor y = new Flatten("flat").forward(x, Context.inference(k));
        assertThat(y.shape()).containsExactly(2, 36);
        assertThat(y.data()).isSameAs(x.data());
    }

    @Test
    void dropoutIsTheIdentityInInferenceAndRepeatsItsMaskForASeed() {
        Dropout drop = new Dropout("drop", 0.5f);
        Tensor x = GradientCheck.randomInput(3, 0.1, 8, 100);
        assertThat(drop.forward(x, Context.inference(k))).isSameAs(x);
        float[] a = drop.forward(x, Context.training(k, 5)).toArray();
        float[] b = drop.forward(x, Context.training(k, 5)).toArray();
        float[] c = drop.forward(x, Context.training(k, 6)).toArray();
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
        int zeros = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == 0f) zeros++;
            else assertThat(a[i]).isEqualTo(x.get(i) * 2f);
        }
        assertThat(zeros).isBetween(300, 500);
        assertThatThrownBy(() -> new Dropout("d", 1f)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void batchNormNormalizesInTrainingAndUsesRunningStatisticsInInference() {
        BatchNorm bn = new BatchNorm("bn", 2, 0.5f, 1e-5f);
        // Channel 0 holds 1..4, channel 1 holds 10, 20, 30, 40: (4, 2).
        Tensor x = Tensor.of(new float[] {1, 10, 2, 20, 3, 30, 4, 40}, new int[] {4, 2});
        float[] y = bn.forward(x, Context.training(k, 1)).toArray();
        double s = Math.sqrt(1.25 + 1e-5);
        assertThat(y[0]).isCloseTo((float) (-1.5 / s), within(1e-5f));
        assertThat(y[7]).isCloseTo((float) (1.5 / s), within(1e-5f));
        // r = 0.5·r + 0.5·batch, with the unbiased variance (5/3 and 500/3).
        assertThat(bn.runningMean().toArray()).containsExactly(new float[] {1.25f, 12.5f}, within(1e-5f));
        assertThat(bn.runningVar().toArray()).containsExactly(new float[] {0.5f + 5f / 6, 0.5f + 500f / 6}, within(1e-3f));
        float[] inf = bn.forward(Tensor.of(new float[] {1.25f, 12.5f}, new int[] {1, 2}), Context.inference(k)).toArray();
        assertThat(inf).containsExactly(new float[] {0f, 0f}, within(1e-6f));
        assertThat(bn.buffers().get("bn.running_var")).isSameAs(bn.runningVar());
        assertThatThrownBy(() -> bn.forward(Tensor.zeros(2, 3), Context.inference(k))).isInstanceOf(IllegalArgumentException.class);
    }
}
