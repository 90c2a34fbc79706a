package dev.simdnet.nn;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.tensor.Tensor;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Checks a layer's backward against central finite differences of the scalar loss {@code L = Σ y·r} for a
 * fixed random {@code r}: then {@code dL/dy = r}, and every input and parameter gradient the backward reports
 * must match {@code (L(v + eps) - L(v - eps)) / 2eps}. The loss is summed in double so the difference of two
 * nearby losses keeps its digits.
 */
final class ConvGradientCheck {
    private ConvGradientCheck() {}

    /** Runs the check on every coordinate of x and of every parameter. */
    static void check(Layer layer, Tensor x, Kernels kernels, long seed, double eps, double relTol) {
        SplittableRandom rng = new SplittableRandom(seed);
        Context train = Context.training(kernels, seed);
        Tensor y = layer.forward(x, train);
        float[] r = new float[y.size()];
        for (int i = 0; i < r.length; i++) r[i] = (float) (2 * rng.nextDouble() - 1);
        for (Parameter p : layer.parameters()) p.zeroGrad();
        Tensor dx = layer.backward(Tensor.of(r, y.shape()), train);
        assertThat(dx).as("input gradient").isNotNull();
        float[] analyticDx = dx.toArray();

        Context eval = Context.inference(kernels);
        for (int i = 0; i < x.size(); i++)
            assertClose("d" + layer + "/dx[" + i + "]", numeric(layer, x, x, i, r, eval, eps), analyticDx[i], relTol);
        for (Parameter p : layer.parameters()) {
            float[] analytic = p.grad().toArray();
            for (int i = 0; i < p.size(); i++)
                assertClose("d/d" + p.name() + "[" + i + "]", numeric(layer, x, p.value(), i, r, eval, eps), analytic[i], relTol);
        }
    }

    /** {@code (L(v[i] + eps) - L(v[i] - eps)) / 2eps} at input x, where v is x or a parameter, restored afterwards. */
    private static double numeric(Layer layer, Tensor x, Tensor v, int i, float[] r, Context ctx, double eps) {
        float original = v.get(i);
        v.set(i, (float) (original + eps));
        double plus = loss(layer, x, r, ctx);
        v.set(i, (float) (original - eps));
        double minus = loss(layer, x, r, ctx);
        v.set(i, original);
        return (plus - minus) / (2 * eps);
    }

    private static double loss(Layer layer, Tensor x, float[] r, Context ctx) {
        Tensor y = layer.forward(x, ctx);
        double sum = 0;
        for (int i = 0; i < r.length; i++) sum += (double) y.get(i) * r[i];
        return sum;
    }

    private static void assertClose(String what, double numeric, double analytic, double relTol) {
        double tol = relTol * Math.max(Math.abs(numeric), Math.abs(analytic)) + 1e-3;
        assertThat(analytic).as(what + " (numeric " + numeric + ")").isCloseTo(numeric, within(tol));
    }
}
