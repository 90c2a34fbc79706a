package dev.simdnet.model;

import dev.simdnet.data.Dataset;
import dev.simdnet.data.TestData;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The copies {@code classify --tta} averages, and the average itself. */
class TestTimeAugmentationTest {
    @Test
    void copiesAreTheDigitShiftedAndScaledAboutTheCentre() {
        float[] img = new float[28 * 28], out = new float[28 * 28];
        img[10 * 28 + 12] = 1; // one bright pixel at (x 12, y 10)
        TestTimeAugmentation.transform(img, 0, 28, 28, new double[] {0, 0, 1}, out, 0);
        assertThat(out).containsExactly(img);
        TestTimeAugmentation.transform(img, 0, 28, 28, new double[] {1, 0, 1}, out, 0);
        assertThat(out[10 * 28 + 13]).isEqualTo(1f);
        assertThat(out[10 * 28 + 12]).isZero();
        TestTimeAugmentation.transform(img, 0, 28, 28, new double[] {0, -1, 1}, out, 0);
        assertThat(out[9 * 28 + 12]).isEqualTo(1f);
        // Scaled up about the centre (13.5, 13.5), the pixel moves away from it; ink is kept about in proportion.
        float[] block = new float[28 * 28];
        for (int y = 10; y < 18; y++) for (int x = 10; x < 18; x++) block[y * 28 + x] = 1;
        TestTimeAugmentation.transform(block, 0, 28, 28, new double[] {0, 0, 1.1}, out, 0);
        double sum = 0;
        for (float v : out) sum += v;
        assertThat(sum).isCloseTo(64 * 1.21, within(4.0));
    }

    @Test
    void theAverageIsOfEveryCopysProbabilities() throws Exception {
        Model m = Model.bundled();
        Dataset train = TestData.mnistTrain();
        int n = 20;
        float[] x = new float[n * 784];
        for (int i = 0; i < n; i++) System.arraycopy(train.imageUnit(i), 0, x, i * 784, 784);
        float[] avg = TestTimeAugmentation.probabilities(m, x, n);
        int agree = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int c = 0; c < 10; c++) s += avg[i * 10 + c];
            assertThat(s).isCloseTo(1.0, within(1e-4));
            // By hand for the first: the mean over the copies.
            if (i == 0) {
                float[] one = new float[TestTimeAugmentation.copies() * 784];
                double[][] t = {{0, 0, 1}, {1, 0, 1}, {-1, 0, 1}, {0, 1, 1}, {0, -1, 1}, {0, 0, 0.9}, {0, 0, 1.1}};
                for (int k = 0; k < t.length; k++) TestTimeAugmentation.transform(x, 0, 28, 28, t[k], one, k * 784);
                float[] p = m.probabilities(one, t.length);
                for (int c = 0; c < 10; c++) {
                    double mean = 0;
                    for (int k = 0; k < t.length; k++) mean += p[k * 10 + c] / t.length;
                    assertThat((double) avg[c]).isCloseTo(mean, within(1e-5));
                }
            }
            int best = 0;
            for (int c = 1; c < 10; c++) if (avg[i * 10 + c] > avg[i * 10 + best]) best = c;
            agree += best == train.label(i) ? 1 : 0;
        }
        assertThat(agree).isGreaterThanOrEqualTo(19); // MNIST training digits: the bundled model reads them
    }
}
