package dev.simdnet.nn;

import dev.simdnet.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * One step of a network, with its backward right next to its forward (as in micrograd).
 *
 * <p>Tensors are batches in NHWC order: {@code (batch, height, width, channels)} for images,
 * {@code (batch, features)} for vectors. A layer keeps what its backward needs from the last
 * {@link #forward} made in training mode, and reuses its output buffers from call to call for the
 * same batch size (the returned tensors are valid until the next call).
 */
public interface Layer {

    /** The layer's name, the first part of its parameters' paths ({@code conv1}). */
    default String name() { return getClass().getSimpleName(); }

    /** The shape of one sample's output for one sample's input shape, e.g. {@code {28,28,1} -> {24,24,20}}. */
    int[] outputShape(int[] inputShape);

    /** The forward pass over a batch. */
    Tensor forward(Tensor x, Context ctx);

    /**
     * Given {@code dL/dy} for the last training forward, accumulates the parameters' gradients and returns
     * {@code dL/dx} (or {@code null} when {@code ctx.needInputGrad()} is false, e.g. for the first layer).
     */
    Tensor backward(Tensor dy, Context ctx);

    /** Trainable parameters, named by path ({@code conv1.weight}), in a fixed order. */
    default List<Parameter> parameters() { return List.of(); }

    /** Non-trained state saved in checkpoints (batch-norm running statistics), named by path. */
    default Map<String, Tensor> buffers() { return Map.of(); }

    /** Multiply-adds of the forward pass for one sample of the given input shape. */
    default long macs(int[] inputShape) { return 0; }

    /**
     * A copy for inference on another thread: the same parameters and buffers (one set of weights, shared and
     * read, never written), its own activations and caches. Not for training: replicas share gradients.
     */
    Layer replica();

    /**
     * What rebuilds this layer without its weights, for a checkpoint of a network built in code ({@link Layers}):
     * its type and settings, or null for a layer {@link Layers} cannot rebuild.
     */
    default java.util.Map<String, Object> config() { return null; }
}
