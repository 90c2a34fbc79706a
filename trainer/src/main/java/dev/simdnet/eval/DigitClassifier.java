package dev.simdnet.eval;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.data.DatasetKind;
import dev.simdnet.data.DigitPreprocessor;
import dev.simdnet.data.Normalization;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.nn.Context;
import dev.simdnet.nn.Sequential;
import dev.simdnet.tensor.Tensor;
import dev.simdnet.train.Checkpoint;

import java.io.IOException;

/**
 * Reads digits from pictures with a trained model: MNIST's own preprocessing ({@link DigitPreprocessor}), the
 * training normalization, then the network in inference mode, in batches. Used by {@code classify} and the server.
 */
public final class DigitClassifier {
    private final Sequential net;
    private final Kernels kernels;
    private final Normalization norm;
    private final int classes;

    public DigitClassifier(Checkpoint.Loaded model, Kernels kernels) {
        this.net = model.net();
        this.kernels = kernels;
        this.norm = normalizationOf(model);
        this.classes = model.spec().classes();
        int[] in = model.spec().inputShape();
        if (in[0] != DigitPreprocessor.SIDE || in[1] != DigitPreprocessor.SIDE || in[2] != 1)
            throw new IllegalArgumentException(model.file() + " does not take 28x28 grey images");
    }

    /** The normalization of the data set the model was trained on (MNIST unless its config says otherwise). */
    public static Normalization normalizationOf(Checkpoint.Loaded model) {
        try {
            Object d = JSON.std.mapFrom(model.metadata().getOrDefault("config", "{}")).get("dataset");
            return d == null ? Normalization.MNIST : DatasetKind.parse(d.toString()).normalization();
        } catch (IOException | IllegalArgumentException e) {
            return Normalization.MNIST;
        }
    }

    public int classes() { return classes; }

    /** Passes of the warm-up and digits in each: enough for C2 to compile the kernels (measured on 2 cores). */
    private static final int WARM_UP_PASSES = 100, WARM_UP_BATCH = 4;

    /**
     * Runs the network on tiny batches of a made-up picture until the JIT has compiled the vector kernels. Until
     * then every vector operation is boxed, so a first batch of 512 digits run cold takes over a second; tiny
     * batches get the same methods compiled for a fraction of that (as the trainer's warm-up does). With
     * {@code kernels} of one thread it leaves the other cores to work meanwhile (kernel threads would spin).
     */
    public void warmUp(Kernels kernels) {
        int size = DigitPreprocessor.SIDE * DigitPreprocessor.SIDE;
        float[] x = new float[WARM_UP_BATCH * size];
        for (int i = 0; i < x.length; i++) x[i] = (i * 37 % 11) / 11f;
        for (int pass = 0; pass < WARM_UP_PASSES; pass++) probabilities(x, WARM_UP_BATCH, kernels);
    }

    /**
     * Class probabilities {@code (count, classes)} for {@code count} images of 28x28 in [0, 1], MNIST polarity
     * (white ink on black), as {@link DigitPreprocessor} makes them.
     */
    public float[] probabilities(float[] digits, int count) {
        return probabilities(digits, count, kernels);
    }

    private float[] probabilities(float[] digits, int count, Kernels kernels) {
        int size = DigitPreprocessor.SIDE * DigitPreprocessor.SIDE;
        float[] x = new float[count * size];
        System.arraycopy(digits, 0, x, 0, count * size);
        norm.applyInPlace(x, 0, count * size);
        float[] probs = new float[count * classes];
        Tensor logits;
        synchronized (net) { // a layer reuses its buffers: one forward pass at a time
            logits = net.forward(Tensor.view(x, 0, count, DigitPreprocessor.SIDE, DigitPreprocessor.SIDE, 1), Context.inference(kernels));
            kernels.softmax(count, classes, logits.data(), logits.offset(), probs, 0);
        }
        return probs;
    }
}
