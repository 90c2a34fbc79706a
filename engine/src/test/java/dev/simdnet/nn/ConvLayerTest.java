package dev.simdnet.nn;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.kernel.ScalarAndVectorKernels;
import dev.simdnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static dev.simdnet.testing.SameBits.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ConvLayerTest extends ScalarAndVectorKernels {
    static Tensor randomImages(SplittableRandom rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.set(i, (float) (2 * rng.nextDouble() - 1));
        return t;
    }

    /** Biases start at zero; give them values so a wrong bias path shows in the check. */
    static void randomizeBias(Conv2d conv, SplittableRandom rng) {
        Tensor b = conv.bias().value();
        for (int i = 0; i < b.size(); i++) b.set(i, (float) rng.nextDouble());
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(1);
        for (Kernels k : List.of(scalar, vector)) {
            Conv2d padded = new Conv2d("c1", 3, 4, 3, 1, 1, new SplittableRandom(2));
            randomizeBias(padded, rng);
            ConvGradientCheck.check(padded, randomImages(rng, 2, 5, 4, 3), k, 3, 1e-2, 1e-2);

            Conv2d strided = new Conv2d("c2", 2, 3, 3, 2, 0, new SplittableRandom(4));
            randomizeBias(strided, rng);
            ConvGradientCheck.check(strided, randomImages(rng, 2, 7, 6, 2), k, 5, 1e-2, 1e-2);

            Conv2d firstLayer = new Conv2d("c3", 1, 9, 3, 1, 1, new SplittableRandom(6)); // the direct kernel
            randomizeBias(firstLayer, rng);
            ConvGradientCheck.check(firstLayer, randomImages(rng, 2, 5, 5, 1), k, 7, 1e-2, 1e-2);
        }
    }

    @Test
    void parametersAreNamedShapedAndHeInitialized() {
        Conv2d conv = new Conv2d("conv1", 16, 32, 3, 1, 1, new SplittableRandom(42));
        assertThat(conv.parameters()).extracting(Parameter::name).containsExactly("conv1.weight", "conv1.bias");
        assertThat(conv.weight().value().shape()).containsExactly(32, 3, 3, 16);
        assertThat(conv.weight().decay()).isTrue();
        assertThat(conv.bias().decay()).isFalse();
        assertThat(conv.bias().value().toArray()).containsOnly(0f);
        double sumSq = 0;
        for (float v : conv.weight().value().toArray()) sumSq += v * v;
        double std = Math.sqrt(sumSq / conv.weight().size());
        assertThat(std).isCloseTo(Math.sqrt(2.0 / (3 * 3 * 16)), within(0.1 * Math.sqrt(2.0 / 144)));
        float[] again = new Conv2d("conv1", 16, 32, 3, 1, 1, new SplittableRandom(42)).weight().value().toArray();
        assertSameBits("the same seed", again, conv.weight().value().toArray());
    }

    @Test
    void shapesAndMacs() {
        Conv2d conv = new Conv2d("conv1", 1, 20, 5, 1, 0, new SplittableRandom(1));
        assertThat(conv.outputShape(new int[] {28, 28, 1})).containsExactly(24, 24, 20);
        assertThat(conv.macs(new int[] {28, 28, 1})).isEqualTo(24L * 24 * 20 * 25);
        Conv2d same = new Conv2d("conv2", 16, 32, 3, 2, 1, new SplittableRandom(1));
        assertThat(same.outputShape(new int[] {14, 14, 16})).containsExactly(7, 7, 32);
        assertThatThrownBy(() -> conv.outputShape(new int[] {28, 28, 3})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Conv2d("bad", 0, 20, 5, 1, 0, new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reusesBuffersAndSkipsTheInputGradientWhenNotNeeded() {
        SplittableRandom rng = new SplittableRandom(3);
        Conv2d conv = new Conv2d("conv1", 3, 5, 3, 1, 1, new SplittableRandom(1));
        Context ctx = Context.training(vector, 1);
        Tensor x = randomImages(rng, 2, 6, 6, 3);
        Tensor y1 = conv.forward(x, ctx);
        Tensor dx1 = conv.backward(randomImages(rng, 2, 6, 6, 5), ctx);
        Tensor y2 = conv.forward(x, ctx);
        Tensor dx2 = conv.backward(randomImages(rng, 2, 6, 6, 5), ctx);
        assertThat(y2.data()).isSameAs(y1.data());
        assertThat(dx2.data()).isSameAs(dx1.data());
        float[] dwBefore = conv.weight().grad().toArray();
        conv.forward(x, ctx);
        assertThat(conv.backward(randomImages(rng, 2, 6, 6, 5), ctx.withNeedInputGrad(false))).isNull();
        assertThat(conv.weight().grad().toArray()).isNotEqualTo(dwBefore); // still accumulated
        assertThat(conv.forward(randomImages(rng, 3, 6, 6, 3), ctx).shape()).containsExactly(3, 6, 6, 5);
    }

    @Test
    void backwardNeedsATrainingForward() {
        Conv2d conv = new Conv2d("conv1", 1, 2, 3, 1, 0, new SplittableRandom(1));
        conv.forward(Tensor.zeros(1, 5, 5, 1), Context.inference(scalar));
        assertThatThrownBy(() -> conv.backward(Tensor.zeros(1, 3, 3, 2), Context.training(scalar, 1)))
                .isInstanceOf(IllegalStateException.class);
    }
}
