package dev.simdnet.optim;

import dev.simdnet.nn.Parameter;
import dev.simdnet.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their accumulated gradients (it does not zero them: the training loop does).
 * State for checkpoints: {@link #state()} holds one tensor per parameter and kind, named
 * {@code "<param>.momentum"}, {@code "<param>.adam_m"}, {@code "<param>.adam_v"}; the step count is
 * {@link #steps()}, kept apart because a float tensor cannot hold a long exactly.
 */
public interface Optimizer {

    /** Refuses a negative, NaN or infinite learning rate (a schedule gone wrong), before any weight changes. */
    static void checkLearningRate(float lr) {
        if (!(lr >= 0f) || Float.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be finite and at least 0, got " + lr);
    }

    /** One update of every parameter with learning rate {@code lr}; increments {@link #steps()}. */
    void step(List<Parameter> params, float lr);

    /** The number of steps taken so far (AdamW's bias correction uses it). */
    long steps();

    /** The live state tensors by name, in first-use order (copy them to save). */
    Map<String, Tensor> state();

    /** Restores a saved state: tensors are copied in (shapes must match a parameter's), and the step count. */
    void loadState(Map<String, Tensor> state, long steps);
}
