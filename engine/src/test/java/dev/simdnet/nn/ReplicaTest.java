package dev.simdnet.nn;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static dev.simdnet.testing.SameBits.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;

/** A replica shares the weights (the same tensors, not copies) and keeps its own activations. */
class ReplicaTest {
    static Sequential net() {
        SplittableRandom rng = new SplittableRandom(3);
        return new Sequential(new Conv2d("conv1", 1, 4, 3, 1, 1, rng), new BatchNorm("bn1", 4), new Relu("relu1"),
                new MaxPool2d("pool1", 2, 2), new Dropout("drop", 0.25f), new Flatten("flat"), new Linear("fc", 4 * 3 * 3, 5, rng, true));
    }

    @Test
    void aReplicaSharesTheWeightsAndOwnsItsActivations() {
        Sequential a = net();
        Sequential b = a.replica();
        List<Parameter> pa = a.parameters(), pb = b.parameters();
        assertThat(pb).hasSameSizeAs(pa);
        for (int i = 0; i < pa.size(); i++) assertThat(pb.get(i).value()).isSameAs(pa.get(i).value());
        for (var e : a.buffers().entrySet()) assertThat(b.buffers().get(e.getKey())).isSameAs(e.getValue());

        try (Kernels k = Kernels.create("vector", 1)) {
            Tensor x1 = GradientCheck.randomInput(1, 0, 2, 6, 6, 1), x2 = GradientCheck.randomInput(2, 0, 3, 6, 6, 1);
            float[] y1 = a.forward(x1, Context.inference(k)).toArray();
            // The replica's forward on other data leaves a's last output alone, and gives a's answer for the same data.
            float[] y2 = b.forward(x2, Context.inference(k)).toArray();
            assertThat(y2).hasSize(3 * 5);
            assertSameBits("a's output after the replica ran", a.forward(x1, Context.inference(k)).toArray(), y1);
            assertSameBits("the replica on the same input", b.forward(x1, Context.inference(k)).toArray(), y1);
            // A change of the weights shows in both.
            pa.getLast().value().set(0, pa.getLast().value().get(0) + 1f);
            assertSameBits("after a weight change", b.forward(x1, Context.inference(k)).toArray(), a.forward(x1, Context.inference(k)).toArray());
        }
    }
}
