package dev.simdnet.nn;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A network that ran a larger batch runs a smaller one in the front of the buffers it has (as a server's coalesced
 * batches change size), and answers exactly what a fresh network answers, forward and backward.
 */
class BufferReuseTest {
    static Sequential net() {
        SplittableRandom rng = new SplittableRandom(3);
        return new Sequential(List.of(new Conv2d("c1", 1, 4, 3, 1, 1, rng), new BatchNorm("b1", 4), new Relu("r1"),
                new MaxPool2d("p1", 2, 2), new Dropout("d1", 0.25f), new Flatten("f"), new Linear("fc", 4 * 5 * 5, 3, rng)));
    }

    static Tensor batch(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 10 * 10];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return Tensor.of(x, n, 10, 10, 1);
    }

    @Test
    void aSmallerBatchAfterALargerOneReusesTheBuffersAndAnswersTheSame() {
        try (Kernels k = Kernels.create("vector", 1)) {
            Sequential used = net(), fresh = net();
            Tensor big = used.forward(batch(8, 1), Context.inference(k));
            float[] array = big.data();
            Tensor small = used.forward(batch(3, 2), Context.inference(k));
            assertThat(small.data()).as("the output buffer of the batch of 8").isSameAs(array);
            assertThat(small.shape()).containsExactly(3, 3);
            assertThat(small.toArray()).containsExactly(fresh.forward(batch(3, 2), Context.inference(k)).toArray());

            // Training: forward and backward of a batch of 5 after one of 8, against a fresh network.
            used.forward(batch(8, 3), Context.training(k, 7));
            Tensor logitsGrad = Tensor.of(java.util.Arrays.copyOf(batch(5, 5).data(), 5 * 3), 5, 3);
            Tensor y = used.forward(batch(5, 4), Context.training(k, 9));
            used.backward(logitsGrad, Context.training(k, 9));
            Tensor y2 = fresh.forward(batch(5, 4), Context.training(k, 9));
            fresh.backward(logitsGrad, Context.training(k, 9));
            assertThat(y.toArray()).containsExactly(y2.toArray());
            for (int i = 0; i < used.parameters().size(); i++)
                assertThat(used.parameters().get(i).grad().toArray()).as(used.parameters().get(i).name())
                        .containsExactly(fresh.parameters().get(i).grad().toArray());
        }
    }
}
