package dev.simdnet.kernel;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The vector convolution kernels against the scalar reference, and the reference against a naive convolution. */
class ConvKernelTest extends ScalarAndVectorKernels {
    /** Random small geometries over the sizes that break vector loops: 1, primes, not multiples of 8. */
    static List<ConvGeometry> geometries(long seed, int count) {
        int[] channels = {1, 3, 7, 8, 9, 17};
        int[] kernels = {1, 3, 5};
        SplittableRandom rng = new SplittableRandom(seed);
        List<ConvGeometry> out = new ArrayList<>();
        while (out.size() < count) {
            int k = kernels[rng.nextInt(kernels.length)], pad = rng.nextInt(3);
            int h = 1 + rng.nextInt(13), w = 1 + rng.nextInt(13);
            if (h + 2 * pad < k || w + 2 * pad < k) continue;
            out.add(new ConvGeometry(rng.nextBoolean() ? 1 : 3, h, w, channels[rng.nextInt(channels.length)],
                    channels[rng.nextInt(channels.length)], k, k, 1 + rng.nextInt(2), pad));
        }
        return out;
    }

    static float[] random(int n, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (2 * rng.nextDouble() - 1);
        return a;
    }

    /** The largest |value| of a, at least 1: the scale of a relative tolerance. */
    static float scale(float[] a) {
        float m = 1f;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    @Test
    void im2colVectorEqualsScalar() {
        SplittableRandom rng = new SplittableRandom(1);
        for (ConvGeometry g : geometries(11, 60)) {
            float[] x = random(g.inputSize() + 5, rng);
            float[] expected = new float[g.rows() * g.cols() + 3], actual = new float[g.rows() * g.cols() + 3];
            actual[3] = Float.NaN; // must be overwritten
            scalar.im2col(g, x, 5, expected, 3);
            vector.im2col(g, x, 5, actual, 3);
            assertThat(actual).as(g.toString()).containsExactly(expected);
        }
    }

    @Test
    void col2imVectorEqualsScalar() {
        SplittableRandom rng = new SplittableRandom(2);
        for (ConvGeometry g : geometries(12, 60)) {
            float[] col = random(g.rows() * g.cols() + 2, rng);
            float[] actual = random(g.inputSize() + 4, rng);
            actual[2] = Float.NaN; // overwritten, not accumulated into
            float[] expected = actual.clone();
            scalar.col2im(g, col, 2, expected, 2);
            vector.col2im(g, col, 2, actual, 2);
            assertThat(actual).as(g.toString()).containsExactly(expected);
        }
    }

    @Test
    void col2imIsTheAdjointOfIm2col() {
        SplittableRandom rng = new SplittableRandom(3);
        for (Kernels k : List.of(scalar, vector)) {
            for (ConvGeometry g : geometries(13, 30)) {
                float[] x = random(g.inputSize(), rng), c = random(g.rows() * g.cols(), rng);
                float[] col = new float[c.length], back = new float[x.length];
                k.im2col(g, x, 0, col, 0);
                k.col2im(g, c, 0, back, 0);
                double left = 0, right = 0;
                for (int i = 0; i < c.length; i++) left += (double) col[i] * c[i];
                for (int i = 0; i < x.length; i++) right += (double) x[i] * back[i];
                assertThat(left).as(k.name() + " " + g).isCloseTo(right, within(1e-4 * (1 + Math.abs(right))));
            }
        }
    }

    /** y[b, oh, ow, o] = bias[o] + Σ_{kh, kw, c} x[b, ih, iw, c]·w[o, kh, kw, c], in double. */
    static double[] naiveConv(ConvGeometry g, float[] x, float[] w, float[] bias) {
        double[] y = new double[g.outputSize()];
        for (int b = 0; b < g.batch(); b++)
            for (int oh = 0; oh < g.outH(); oh++)
                for (int ow = 0; ow < g.outW(); ow++)
                    for (int o = 0; o < g.outC(); o++) {
                        double sum = bias[o];
                        for (int kh = 0; kh < g.kH(); kh++)
                            for (int kw = 0; kw < g.kW(); kw++)
                                for (int c = 0; c < g.inC(); c++) {
                                    int ih = oh * g.stride() - g.pad() + kh, iw = ow * g.stride() - g.pad() + kw;
                                    if (ih < 0 || ih >= g.inH() || iw < 0 || iw >= g.inW()) continue;
                                    sum += (double) x[((b * g.inH() + ih) * g.inW() + iw) * g.inC() + c]
                                            * w[((o * g.kH() + kh) * g.kW() + kw) * g.inC() + c];
                                }
                        y[((b * g.outH() + oh) * g.outW() + ow) * g.outC() + o] = sum;
                    }
        return y;
    }

    @Test
    void forwardMatchesNaiveConvolution() {
        SplittableRandom rng = new SplittableRandom(4);
        for (Kernels k : List.of(scalar, vector)) {
            for (ConvGeometry g : geometries(14, 40)) {
                float[] x = random(g.inputSize(), rng), w = random(g.weightSize(), rng), bias = random(g.outC(), rng);
                float[] y = new float[g.outputSize()];
                java.util.Arrays.fill(y, Float.NaN);
                k.conv2dForward(g, x, 0, w, 0, bias, 0, y, 0);
                double[] expected = naiveConv(g, x, w, bias);
                for (int i = 0; i < y.length; i++)
                    assertThat((double) y[i]).as(k.name() + " " + g + " at " + i).isCloseTo(expected[i], within(1e-4 * g.cols()));
            }
        }
    }

    @Test
    void forwardVectorEqualsScalar() {
        SplittableRandom rng = new SplittableRandom(5);
        for (ConvGeometry g : geometries(15, 40)) {
            float[] x = random(g.inputSize() + 1, rng), w = random(g.weightSize() + 2, rng), bias = random(g.outC() + 3, rng);
            float[] expected = new float[g.outputSize() + 4], actual = new float[g.outputSize() + 4];
            scalar.conv2dForward(g, x, 1, w, 2, bias, 3, expected, 4);
            vector.conv2dForward(g, x, 1, w, 2, bias, 3, actual, 4);
            assertThat(actual).as(g.toString()).containsExactly(expected, within(1e-5f * g.cols()));
        }
    }

    /** Single-channel inputs, served by the direct kernels. */
    static final List<ConvGeometry> FIRST_LAYERS = List.of(
            new ConvGeometry(2, 28, 28, 1, 20, 5, 5, 1, 0),   // LeNet conv1
            new ConvGeometry(3, 28, 28, 1, 16, 3, 3, 1, 1),   // small CNN conv1
            new ConvGeometry(1, 13, 11, 1, 17, 3, 3, 2, 2),
            new ConvGeometry(3, 7, 5, 1, 9, 5, 5, 1, 2),
            new ConvGeometry(1, 1, 1, 1, 7, 1, 1, 1, 0),
            new ConvGeometry(2, 9, 9, 1, 3, 3, 3, 2, 0),
            new ConvGeometry(9, 6, 7, 1, 33, 3, 3, 1, 1));    // more images than groups

    @Test
    void directFirstLayerKernelEqualsScalar() {
        SplittableRandom rng = new SplittableRandom(6);
        for (ConvGeometry g : FIRST_LAYERS) {
            assertThat(VectorConv.useDirect(g)).isTrue();
            float[] x = random(g.inputSize() + 1, rng), w = random(g.weightSize() + 2, rng), bias = random(g.outC() + 3, rng);
            float[] expected = new float[g.outputSize() + 4], actual = new float[g.outputSize() + 4];
            actual[actual.length - 1] = 42f; // past the output: must stay untouched
            expected[expected.length - 1] = 42f;
            scalar.conv2dForward(g, x, 1, w, 2, bias, 3, expected, 4);
            VectorConv.directForward(vector.parallel(), vector.workspace(), g, x, 1, w, 2, bias, 3, actual, 4);
            assertThat(actual).as(g.toString()).containsExactly(expected, within(1e-5f * g.cols()));
        }
    }

    @Test
    void directFirstLayerWeightGradientEqualsScalar() {
        SplittableRandom rng = new SplittableRandom(12);
        for (ConvGeometry g : FIRST_LAYERS) {
            assertThat(VectorConv.useDirectBackward(g)).isTrue();
            for (int slack : new int[] {0, 40}) { // no slack: the last channel vector must not read past dy
                float[] x = random(g.inputSize(), rng), dy = random(g.outputSize() + slack + 1, rng);
                float[] dwS = random(g.weightSize(), rng), dbS = random(g.outC(), rng);
                float[] dwV = dwS.clone(), dbV = dbS.clone();
                scalar.conv2dBackward(g, x, 0, new float[g.weightSize()], 0, dy, 1, null, 0, dwS, 0, dbS, 0);
                VectorConv.directBackwardWeights(vector.parallel(), vector.workspace(), g, x, 0, dy, 1, dwV, 0, dbV, 0);
                float tol = 1e-5f * g.rows();
                assertThat(dwV).as("dw " + g).containsExactly(dwS, within(tol));
                assertThat(dbV).as("dbias " + g).containsExactly(dbS, within(tol));
            }
        }
    }

    @Test
    void backwardVectorEqualsScalar() {
        SplittableRandom rng = new SplittableRandom(7);
        for (ConvGeometry g : geometries(16, 40)) {
            float[] x = random(g.inputSize(), rng), w = random(g.weightSize(), rng), dy = random(g.outputSize(), rng);
            float[] dw0 = random(g.weightSize(), rng), db0 = random(g.outC(), rng);
            float[] dxS = new float[g.inputSize()], dwS = dw0.clone(), dbS = db0.clone();
            float[] dxV = new float[g.inputSize()], dwV = dw0.clone(), dbV = db0.clone();
            java.util.Arrays.fill(dxV, Float.NaN);
            scalar.conv2dBackward(g, x, 0, w, 0, dy, 0, dxS, 0, dwS, 0, dbS, 0);
            vector.conv2dBackward(g, x, 0, w, 0, dy, 0, dxV, 0, dwV, 0, dbV, 0);
            float tol = 1e-5f * Math.max(g.rows(), g.outC() * g.kH() * g.kW());
            assertThat(dxV).as("dx " + g).containsExactly(dxS, within(tol));
            assertThat(dwV).as("dw " + g).containsExactly(dwS, within(tol));
            assertThat(dbV).as("dbias " + g).containsExactly(dbS, within(tol));
        }
    }

    @Test
    void backwardMatchesNaiveGradients() {
        // dw[o, kh, kw, c] = Σ dy[b, oh, ow, o]·x[b, ih, iw, c]; the forward is linear in w, so the naive
        // convolution of x with a one-hot weight gives each dw entry's output pattern.
        SplittableRandom rng = new SplittableRandom(8);
        ConvGeometry g = new ConvGeometry(3, 6, 5, 3, 4, 3, 3, 2, 1);
        float[] x = random(g.inputSize(), rng), dy = random(g.outputSize(), rng), w = random(g.weightSize(), rng);
        for (Kernels k : List.of(scalar, vector)) {
            float[] dx = new float[g.inputSize()], dw = new float[g.weightSize()], db = new float[g.outC()];
            k.conv2dBackward(g, x, 0, w, 0, dy, 0, dx, 0, dw, 0, db, 0);
            float[] zeroBias = new float[g.outC()];
            for (int i = 0; i < g.weightSize(); i++) {
                float[] oneHot = new float[g.weightSize()];
                oneHot[i] = 1f;
                double[] y = naiveConv(g, x, oneHot, zeroBias);
                double expected = 0;
                for (int j = 0; j < y.length; j++) expected += y[j] * dy[j];
                assertThat((double) dw[i]).as(k.name() + " dw " + i).isCloseTo(expected, within(1e-4));
            }
            for (int i = 0; i < g.inputSize(); i++) {
                float[] oneHot = new float[g.inputSize()];
                oneHot[i] = 1f;
                double[] y = naiveConv(g, oneHot, w, zeroBias);
                double expected = 0;
                for (int j = 0; j < y.length; j++) expected += y[j] * dy[j];
                assertThat((double) dx[i]).as(k.name() + " dx " + i).isCloseTo(expected, within(1e-4));
            }
            for (int o = 0; o < g.outC(); o++) {
                double expected = 0;
                for (int r = 0; r < g.rows(); r++) expected += dy[r * g.outC() + o];
                assertThat((double) db[o]).as(k.name() + " dbias " + o).isCloseTo(expected, within(1e-4));
            }
        }
    }

    @Test
    void backwardWithoutInputGradientLeavesDxAlone() {
        SplittableRandom rng = new SplittableRandom(9);
        ConvGeometry g = new ConvGeometry(3, 9, 9, 1, 5, 3, 3, 1, 1);
        float[] x = random(g.inputSize(), rng), w = random(g.weightSize(), rng), dy = random(g.outputSize(), rng);
        for (Kernels k : List.of(scalar, vector)) {
            float[] dwFull = new float[g.weightSize()], dbFull = new float[g.outC()];
            float[] dwOnly = new float[g.weightSize()], dbOnly = new float[g.outC()];
            k.conv2dBackward(g, x, 0, w, 0, dy, 0, new float[g.inputSize()], 0, dwFull, 0, dbFull, 0);
            k.conv2dBackward(g, x, 0, w, 0, dy, 0, null, 0, dwOnly, 0, dbOnly, 0);
            // the vector kernels take the direct path without dx: the same sums in another order
            assertThat(dwOnly).containsExactly(dwFull, within(1e-5f * g.rows()));
            assertThat(dbOnly).containsExactly(dbFull, within(1e-5f * g.rows()));
        }
    }

    @Test
    void backwardIsIndependentOfThreadCountAndRepeatable() {
        // a batch of four chunks of 12x12x64 images, and a first layer (no dx) of 20 images in 8 groups
        ConvGeometry one = new ConvGeometry(1, 12, 12, 64, 8, 3, 3, 1, 1);
        ConvGeometry g = one.withBatch(3 * Convolution.imagesPerChunk(one.withBatch(1000)) + 1);
        assertThat(Convolution.imagesPerChunk(g)).isLessThan(g.batch() / 2);
        assertDeterministic(g, true);
        assertDeterministic(new ConvGeometry(20, 9, 9, 1, 20, 3, 3, 1, 1), false);
    }

    private static void assertDeterministic(ConvGeometry g, boolean withDx) {
        SplittableRandom rng = new SplittableRandom(10);
        float[] x = random(g.inputSize(), rng), w = random(g.weightSize(), rng), dy = random(g.outputSize(), rng);
        for (String mode : List.of("scalar", "vector")) {
            float[][] reference = null;
            for (int threads : new int[] {1, 2, 2, 3}) {
                try (Kernels k = Kernels.create(mode, threads)) {
                    float[] dx = withDx ? new float[g.inputSize()] : null, dw = new float[g.weightSize()], db = new float[g.outC()];
                    k.conv2dBackward(g, x, 0, w, 0, dy, 0, dx, 0, dw, 0, db, 0);
                    if (reference == null) reference = new float[][] {dx, dw, db};
                    if (withDx) assertThat(dx).as(mode + " dx, threads " + threads).containsExactly(reference[0]);
                    assertThat(dw).as(mode + " dw, threads " + threads).containsExactly(reference[1]);
                    assertThat(db).as(mode + " dbias, threads " + threads).containsExactly(reference[2]);
                }
            }
        }
    }

    @Test
    void backwardAccumulatesIntoParameterGradients() {
        SplittableRandom rng = new SplittableRandom(11);
        ConvGeometry g = new ConvGeometry(2, 5, 5, 3, 4, 3, 3, 1, 0);
        float[] x = random(g.inputSize(), rng), w = random(g.weightSize(), rng), dy = random(g.outputSize(), rng);
        for (Kernels k : List.of(scalar, vector)) {
            float[] dx = new float[g.inputSize()], dwOnce = new float[g.weightSize()], dbOnce = new float[g.outC()];
            k.conv2dBackward(g, x, 0, w, 0, dy, 0, dx, 0, dwOnce, 0, dbOnce, 0);
            float[] dwTwice = new float[g.weightSize()], dbTwice = new float[g.outC()];
            k.conv2dBackward(g, x, 0, w, 0, dy, 0, dx, 0, dwTwice, 0, dbTwice, 0);
            k.conv2dBackward(g, x, 0, w, 0, dy, 0, dx, 0, dwTwice, 0, dbTwice, 0);
            for (int i = 0; i < dwOnce.length; i++) assertThat(dwTwice[i]).isCloseTo(2 * dwOnce[i], within(1e-5f));
            for (int i = 0; i < dbOnce.length; i++) assertThat(dbTwice[i]).isCloseTo(2 * dbOnce[i], within(1e-5f));
        }
    }
}
