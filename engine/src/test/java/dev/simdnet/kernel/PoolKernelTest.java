package dev.simdnet.kernel;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Max pooling: the vector kernels against the scalar reference, and the reference against its definition. */
class PoolKernelTest extends ScalarAndVectorKernels {
    static List<PoolGeometry> geometries(long seed, int count) {
        int[] channels = {1, 3, 7, 8, 9, 17};
        SplittableRandom rng = new SplittableRandom(seed);
        List<PoolGeometry> out = new ArrayList<>();
        while (out.size() < count) {
            int size = 1 + rng.nextInt(3), h = 1 + rng.nextInt(13), w = 1 + rng.nextInt(13);
            if (h < size || w < size) continue;
            out.add(new PoolGeometry(rng.nextBoolean() ? 1 : 3, h, w, channels[rng.nextInt(channels.length)],
                    size, 1 + rng.nextInt(2)));
        }
        return out;
    }

    static float[] random(int n, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (2 * rng.nextDouble() - 1);
        return a;
    }

    @Test
    void forwardAndBackwardVectorEqualScalar() {
        SplittableRandom rng = new SplittableRandom(1);
        for (PoolGeometry g : geometries(21, 80)) {
            float[] x = random(g.inputSize() + 3, rng);
            if (rng.nextBoolean()) for (int i = 0; i < x.length; i += 2) x[i] = 0.5f; // ties: the first maximum wins
            float[] yS = new float[g.outputSize() + 1], yV = new float[g.outputSize() + 1];
            int[] aS = new int[g.outputSize()], aV = new int[g.outputSize()];
            scalar.maxPoolForward(g, x, 3, yS, 1, aS);
            vector.maxPoolForward(g, x, 3, yV, 1, aV);
            assertThat(yV).as(g.toString()).containsExactly(yS);
            assertThat(aV).as(g.toString()).containsExactly(aS);

            float[] dy = random(g.outputSize() + 2, rng);
            float[] dxS = new float[g.inputSize() + 5];
            Arrays.fill(dxS, 7f);                              // outside dx: must stay 7
            Arrays.fill(dxS, 2, 2 + g.inputSize(), Float.NaN); // dx: must be overwritten
            float[] dxV = dxS.clone();
            scalar.maxPoolBackward(g, dy, 2, aS, dxS, 2);
            vector.maxPoolBackward(g, dy, 2, aV, dxV, 2);
            assertThat(dxV).as(g.toString()).containsExactly(dxS);
            assertThat(dxS[1]).isEqualTo(7f);
            assertThat(dxS[2 + g.inputSize()]).isEqualTo(7f);
            for (int i = 2; i < 2 + g.inputSize(); i++) assertThat(dxS[i]).isNotNaN();
        }
    }

    @Test
    void forwardPicksTheWindowMaximumAndItsIndex() {
        SplittableRandom rng = new SplittableRandom(2);
        PoolGeometry g = new PoolGeometry(2, 7, 6, 9, 3, 2);
        float[] x = random(g.inputSize(), rng);
        for (Kernels k : List.of(scalar, vector)) {
            float[] y = new float[g.outputSize()];
            int[] argmax = new int[g.outputSize()];
            k.maxPoolForward(g, x, 0, y, 0, argmax);
            for (int b = 0; b < g.batch(); b++)
                for (int oh = 0; oh < g.outH(); oh++)
                    for (int ow = 0; ow < g.outW(); ow++)
                        for (int c = 0; c < g.channels(); c++) {
                            float max = Float.NEGATIVE_INFINITY;
                            for (int i = 0; i < g.size(); i++)
                                for (int j = 0; j < g.size(); j++)
                                    max = Math.max(max, x[((b * g.inH() + oh * 2 + i) * g.inW() + ow * 2 + j) * 9 + c]);
                            int o = ((b * g.outH() + oh) * g.outW() + ow) * 9 + c;
                            assertThat(y[o]).isEqualTo(max);
                            assertThat(x[argmax[o]]).isEqualTo(max);
                            assertThat(argmax[o] % 9).as("same channel").isEqualTo(c);
                        }
        }
    }

    @Test
    void backwardSumsGradientsOfOverlappingWindows() {
        // a 2x3 input, windows of 2x2 with stride 1: both windows pick the 5
        PoolGeometry overlapping = new PoolGeometry(1, 2, 3, 1, 2, 1);
        float[] x = {0f, 5f, 1f, 0f, 0f, 0f};
        for (Kernels k : List.of(scalar, vector)) {
            float[] y = new float[2];
            int[] argmax = new int[2];
            k.maxPoolForward(overlapping, x, 0, y, 0, argmax);
            assertThat(y).containsExactly(5f, 5f);
            float[] dx = {9f, 9f, 9f, 9f, 9f, 9f};
            k.maxPoolBackward(overlapping, new float[] {2f, 3f}, 0, argmax, dx, 0);
            assertThat(dx).containsExactly(0f, 5f, 0f, 0f, 0f, 0f);
        }
    }
}
