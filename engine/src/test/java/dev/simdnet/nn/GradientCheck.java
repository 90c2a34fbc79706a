package dev.simdnet.nn;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks a layer's backward against central finite differences of {@code L = Σ y·r} for a fixed random
 * {@code r}: {@code dL/dy = r}, so backward(r) must return {@code dL/dx} and accumulate {@code dL/dθ} for
 * every parameter. The forward runs in float; L is summed in double so only the forward's own rounding,
 * over {@code 2h}, limits the accuracy.
 */
public final class GradientCheck {
    private final Kernels kernels;
    private double h = 1e-2;
    private double absTol = 2e-3;
    private double relTol = 2e-2;
    private int maxChecksPerTensor = 64;
    private long seed = 7;
    private Tensor currentInput;

    public GradientCheck(Kernels kernels) {
        this.kernels = kernels;
    }

    public GradientCheck step(double h) { this.h = h; return this; }
    public GradientCheck tolerance(double abs, double rel) { this.absTol = abs; this.relTol = rel; return this; }
    public GradientCheck seed(long seed) { this.seed = seed; return this; }

    /** A uniform random tensor in [-1, 1), with |v| at least {@code gap} (to keep away from a ReLU's kink). */
    public static Tensor randomInput(long seed, double gap, int... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            double v = gap + (1 - gap) * rng.nextDouble();
            t.set(i, (float) (rng.nextBoolean() ? v : -v));
        }
        return t;
    }

    /** Checks dx (if the layer returns one) and every parameter gradient; returns the number of entries checked. */
    public int check(Layer layer, Tensor x) {
        Context ctx = Context.training(kernels, seed);
        currentInput = x;
        Tensor y = layer.forward(x, ctx);
        Tensor r = randomInput(seed + 1, 0, y.shape());
        for (Parameter p : layer.parameters()) p.zeroGrad();
        Tensor dxTensor = layer.backward(r.copy(), ctx);
        float[] dx = dxTensor == null ? null : dxTensor.toArray();
        List<float[]> grads = new ArrayList<>();
        for (Parameter p : layer.parameters()) grads.add(p.grad().toArray());

        int checked = 0;
        if (dx != null) {
            assertThat(dxTensor.shape()).as("dx shape").containsExactly(x.shape());
            checked += compare("dx", layer, ctx, r, x, dx);
        }
        List<Parameter> params = layer.parameters();
        for (int i = 0; i < params.size(); i++)
            checked += compare(params.get(i).name(), layer, ctx, r, params.get(i).value(), grads.get(i));
        return checked;
    }

    private int compare(String what, Layer layer, Context ctx, Tensor r, Tensor wrt, float[] analytic) {
        int n = wrt.size();
        int[] indices = pick(n);
        for (int i : indices) {
            float saved = wrt.get(i);
            wrt.set(i, (float) (saved + h));
            double plus = loss(layer, ctx, r);
            wrt.set(i, (float) (saved - h));
            double minus = loss(layer, ctx, r);
            wrt.set(i, saved);
            // The step actually taken in float, not the h asked for.
            double taken = (double) (float) (saved + h) - (double) (float) (saved - h);
            double numeric = (plus - minus) / taken;
            double tol = absTol + relTol * Math.max(Math.abs(numeric), Math.abs(analytic[i]));
            assertThat((double) analytic[i]).as("%s[%d] of %s: analytic vs central difference", what, i, layer)
                    .isCloseTo(numeric, org.assertj.core.data.Offset.offset(tol));
        }
        return indices.length;
    }

    /** The input of the current check, forwarded again for each perturbation. */
    private double loss(Layer layer, Context ctx, Tensor r) {
        Tensor y = layer.forward(currentInput, ctx);
        double sum = 0;
        for (int i = 0; i < y.size(); i++) sum += (double) y.get(i) * r.get(i);
        return sum;
    }

    private int[] pick(int n) {
        if (n <= maxChecksPerTensor) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        SplittableRandom rng = new SplittableRandom(seed + n);
        int[] some = new int[maxChecksPerTensor];
        for (int i = 0; i < some.length; i++) some[i] = rng.nextInt(n);
        return some;
    }
}
