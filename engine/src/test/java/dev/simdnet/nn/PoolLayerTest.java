package dev.simdnet.nn;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.kernel.ScalarAndVectorKernels;
import dev.simdnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class PoolLayerTest extends ScalarAndVectorKernels {
    /** Distinct values 0.1 apart in random order, so a ±0.01 nudge never changes which input is the maximum. */
    static Tensor spacedImages(SplittableRandom rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        int n = t.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        for (int i = 0; i < n; i++) t.set(i, 0.1f * order[i] - 0.05f * n);
        return t;
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(1);
        for (Kernels k : List.of(scalar, vector)) {
            ConvGradientCheck.check(new MaxPool2d("pool", 2, 2), spacedImages(rng, 2, 6, 5, 9), k, 2, 1e-2, 1e-2);
            ConvGradientCheck.check(new MaxPool2d("pool", 3, 1), spacedImages(rng, 1, 5, 5, 3), k, 3, 1e-2, 1e-2);
        }
    }

    @Test
    void shapesAndBufferReuse() {
        MaxPool2d pool = new MaxPool2d("pool1", 2, 2);
        assertThat(pool.outputShape(new int[] {24, 24, 20})).containsExactly(12, 12, 20);
        assertThat(pool.outputShape(new int[] {7, 7, 64})).containsExactly(3, 3, 64);
        assertThat(pool.parameters()).isEmpty();
        Context ctx = Context.training(vector, 1);
        SplittableRandom rng = new SplittableRandom(2);
        Tensor y1 = pool.forward(spacedImages(rng, 2, 4, 4, 3), ctx);
        Tensor y2 = pool.forward(spacedImages(rng, 2, 4, 4, 3), ctx);
        assertThat(y2.data()).isSameAs(y1.data());
        assertThat(pool.backward(Tensor.zeros(2, 2, 2, 3), ctx.withNeedInputGrad(false))).isNull();
        assertThat(pool.backward(Tensor.zeros(2, 2, 2, 3), ctx).shape()).containsExactly(2, 4, 4, 3);
    }
}
