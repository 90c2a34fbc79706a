package dev.simdnet.nn;

import dev.simdnet.tensor.Tensor;

/**
 * A trainable tensor and its gradient, under a stable name ({@code conv1.weight}) that the optimizer,
 * the checkpoint and the logs share. {@code decay} is false for biases and batch-norm scales, which
 * weight decay leaves alone.
 */
public record Parameter(String name, Tensor value, Tensor grad, boolean decay) {
    public Parameter {
        if (!value.sameShape(grad)) throw new IllegalArgumentException(name + ": value and gradient shapes differ");
    }

    public int size() { return value.size(); }

    public void zeroGrad() { grad.fill(0f); }
}
