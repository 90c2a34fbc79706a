package dev.simdnet.optim;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.nn.Parameter;
import dev.simdnet.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.simdnet.testing.SameBits.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The optimizers against their formulas computed in double over a few steps. */
class OptimizerTest {
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

    private static Kernels kernels(String name) { return name.equals("scalar") ? scalar : vector; }

    private static Parameter param(String name, int n, boolean decay, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor w = Tensor.zeros(n);
        for (int i = 0; i < n; i++) w.set(i, (float) (rng.nextDouble() * 2 - 1));
        return new Parameter(name, w, Tensor.zeros(n), decay);
    }

    /** A gradient that changes from step to step: g = sin(step + i) + 0.1·w. */
    private static void setGradient(Parameter p, int step) {
        for (int i = 0; i < p.size(); i++) p.grad().set(i, (float) (Math.sin(step + i) + 0.1 * p.value().get(i)));
    }

    @ParameterizedTest
    @CsvSource({"scalar, false", "scalar, true", "vector, false", "vector, true"})
    void sgdMatchesTheFormula(String k, boolean nesterov) {
        float lr = 0.05f, momentum = 0.9f, wd = 5e-4f;
        Parameter w = param("w", 37, true, 1);
        Parameter b = param("b", 5, false, 2);
        double[][] ref = {toDouble(w.value()), toDouble(b.value())};
        double[][] vel = {new double[37], new double[5]};
        Sgd sgd = new Sgd(momentum, nesterov, wd, kernels(k));
        List<Parameter> ps = List.of(w, b);
        for (int step = 0; step < 4; step++) {
            for (Parameter p : ps) setGradient(p, step);
            for (int j = 0; j < 2; j++) {
                Parameter p = ps.get(j);
                double decay = p.decay() ? wd : 0;
                for (int i = 0; i < p.size(); i++) {
                    double g = p.grad().get(i) + decay * ref[j][i];
                    vel[j][i] = momentum * vel[j][i] + g;
                    ref[j][i] -= lr * (nesterov ? g + momentum * vel[j][i] : vel[j][i]);
                }
            }
            sgd.step(ps, lr);
            // Keep the float run and the double reference on the same trajectory for the gradient.
            for (int j = 0; j < 2; j++)
                for (int i = 0; i < ps.get(j).size(); i++) assertThat((double) ps.get(j).value().get(i)).isCloseTo(ref[j][i], within(1e-5));
        }
        assertThat(sgd.steps()).isEqualTo(4);
        assertThat(sgd.state()).containsOnlyKeys("w.momentum", "b.momentum");
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void adamWMatchesTheFormula(String k) {
        float lr = 1e-2f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.01f;
        Parameter w = param("w", 41, true, 3);
        Parameter b = param("b", 3, false, 4);
        List<Parameter> ps = List.of(w, b);
        double[][] ref = {toDouble(w.value()), toDouble(b.value())};
        double[][] m = {new double[41], new double[3]};
        double[][] v = {new double[41], new double[3]};
        AdamW adam = new AdamW(b1, b2, eps, wd, kernels(k));
        for (int step = 1; step <= 5; step++) {
            for (Parameter p : ps) setGradient(p, step);
            for (int j = 0; j < 2; j++) {
                Parameter p = ps.get(j);
                double decay = p.decay() ? wd : 0;
                for (int i = 0; i < p.size(); i++) {
                    double g = p.grad().get(i);
                    m[j][i] = b1 * m[j][i] + (1 - b1) * g;
                    v[j][i] = b2 * v[j][i] + (1 - b2) * g * g;
                    double mh = m[j][i] / (1 - Math.pow(b1, step));
                    double vh = v[j][i] / (1 - Math.pow(b2, step));
                    ref[j][i] -= lr * (mh / (Math.sqrt(vh) + eps) + decay * ref[j][i]);
                }
            }
            adam.step(ps, lr);
            for (int j = 0; j < 2; j++)
                for (int i = 0; i < ps.get(j).size(); i++) assertThat((double) ps.get(j).value().get(i)).isCloseTo(ref[j][i], within(2e-5));
        }
        assertThat(adam.steps()).isEqualTo(5);
        assertThat(adam.state()).containsOnlyKeys("w.adam_m", "w.adam_v", "b.adam_m", "b.adam_v");
    }

    @Test
    void aRestoredAdamContinuesExactlyAsTheOriginal() {
        Parameter a = param("w", 20, true, 5);
        Parameter b = new Parameter("w", a.value().copy(), Tensor.zeros(20), true);
        AdamW first = AdamW.withDefaults(0.01f, vector);
        for (int step = 0; step < 3; step++) {
            setGradient(a, step);
            first.step(List.of(a), 1e-2f);
        }
        b.value().data(); // b starts from a's initial weights; bring it to a's current ones
        System.arraycopy(a.value().data(), 0, b.value().data(), 0, 20);
        AdamW second = AdamW.withDefaults(0.01f, vector);
        Map<String, Tensor> saved = Map.copyOf(first.state());
        second.loadState(saved, first.steps());
        for (int step = 3; step < 5; step++) {
            setGradient(a, step);
            setGradient(b, step);
            first.step(List.of(a), 1e-2f);
            second.step(List.of(b), 1e-2f);
        }
        assertSameBits(b.name(), b.value().toArray(), a.value().toArray());
        assertThatThrownBy(() -> second.loadState(Map.of("w.momentum", Tensor.zeros(20)), 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configurationsAreValidated() {
        assertThatThrownBy(() -> new Sgd(1f, false, 0, scalar)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sgd(0f, true, 0, scalar)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AdamW(0.9f, 1f, 1e-8f, 0, scalar)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AdamW(0.9f, 0.999f, 0f, 0, scalar)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sgd(0.9f, false, 0, scalar).step(List.of(), Float.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    private static double[] toDouble(Tensor t) {
        double[] d = new double[t.size()];
        for (int i = 0; i < d.length; i++) d[i] = t.get(i);
        return d;
    }
}
