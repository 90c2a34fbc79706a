package dev.simdnet.optim;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.nn.Parameter;
import dev.simdnet.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * AdamW (Loshchilov and Hutter): Adam with bias correction and decoupled weight decay
 * {@code w -= lr·(m̂/(sqrt(v̂)+eps) + wd·w)}; {@code weightDecay = 0} is plain Adam. Weight decay applies only
 * to parameters with {@code decay() == true}.
 */
public final class AdamW implements Optimizer {
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final Kernels kernels;
    private final StateStore state = new StateStore(Set.of("adam_m", "adam_v"));
    private long steps;

    /** The usual defaults: betas 0.9 and 0.999, eps 1e-8. */
    public static AdamW withDefaults(float weightDecay, Kernels kernels) {
        return new AdamW(0.9f, 0.999f, 1e-8f, weightDecay, kernels);
    }

    public AdamW(float beta1, float beta2, float eps, float weightDecay, Kernels kernels) {
        if (!(beta1 >= 0f && beta1 < 1f)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0f && beta2 < 1f)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        if (!(eps > 0f)) throw new IllegalArgumentException("eps must be positive, got " + eps);
        if (!(weightDecay >= 0f)) throw new IllegalArgumentException("weight decay must be at least 0, got " + weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.kernels = Objects.requireNonNull(kernels, "kernels");
    }

    public float beta1() { return beta1; }
    public float beta2() { return beta2; }
    public float eps() { return eps; }
    public float weightDecay() { return weightDecay; }

    @Override
    public void step(List<Parameter> params, float lr) {
        Optimizer.checkLearningRate(lr);
        long t = steps + 1;
        for (Parameter p : params) {
            StateStore.requireContiguous(p);
            Tensor m = state.get(p, "adam_m");
            Tensor v = state.get(p, "adam_v");
            kernels.adamUpdate(p.size(), p.value().data(), p.grad().data(), m.data(), v.data(), lr, beta1, beta2, eps,
                    p.decay() ? weightDecay : 0f, t);
        }
        steps = t;
    }

    @Override
    public long steps() { return steps; }

    @Override
    public Map<String, Tensor> state() { return state.view(); }

    @Override
    public void loadState(Map<String, Tensor> saved, long steps) {
        if (steps < 0) throw new IllegalArgumentException("steps must be at least 0, got " + steps);
        state.load(saved);
        this.steps = steps;
    }
}
