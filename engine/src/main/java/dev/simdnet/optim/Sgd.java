package dev.simdnet.optim;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.nn.Parameter;
import dev.simdnet.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * SGD with (optionally Nesterov) momentum and L2 weight decay, as in PyTorch:
 * {@code g' = g + wd·w; v = momentum·v + g'; w -= lr·(nesterov ? g' + momentum·v : v)}. Weight decay applies
 * only to parameters with {@code decay() == true}.
 */
public final class Sgd implements Optimizer {
    private final float momentum;
    private final boolean nesterov;
    private final float weightDecay;
    private final Kernels kernels;
    private final StateStore state = new StateStore(Set.of("momentum"));
    private long steps;

    public Sgd(float momentum, boolean nesterov, float weightDecay, Kernels kernels) {
        if (!(momentum >= 0f && momentum < 1f)) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        if (nesterov && momentum == 0f) throw new IllegalArgumentException("Nesterov needs a momentum above 0");
        if (!(weightDecay >= 0f)) throw new IllegalArgumentException("weight decay must be at least 0, got " + weightDecay);
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
        this.kernels = Objects.requireNonNull(kernels, "kernels");
    }

    public float momentum() { return momentum; }
    public boolean nesterov() { return nesterov; }
    public float weightDecay() { return weightDecay; }

    @Override
    public void step(List<Parameter> params, float lr) {
        Optimizer.checkLearningRate(lr);
        for (Parameter p : params) {
            StateStore.requireContiguous(p);
            Tensor v = state.get(p, "momentum");
            kernels.sgdUpdate(p.size(), p.value().data(), p.grad().data(), v.data(), lr, momentum,
                    p.decay() ? weightDecay : 0f, nesterov);
        }
        steps++;
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
