package dev.simdnet.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ServedModelTest {
    static final int PX = 784;

    static float[] images(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * PX];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble() < 0.8 ? 0f : (float) r.nextDouble();
        return x;
    }

    /** Coalesced single requests, split large batches and one-at-a-time passes all give each image its own row. */
    @Test
    void concurrentRequestsAreCoalescedWithoutMixingImages(@TempDir Path dir) throws Exception {
        int n = 97; // prime: chunks and coalesced groups of uneven sizes
        float[] x = images(n, 11);
        try (ServedModel m = TestModels.served("m", TestModels.untrained(dir, "m", 5), 2)) {
            float[] batch = m.probabilities(x, n); // >= 32 images: split over the replicas
            List<Future<float[]>> singles = new ArrayList<>();
            try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < n; i++) {
                    float[] one = java.util.Arrays.copyOfRange(x, i * PX, (i + 1) * PX);
                    singles.add(exec.submit(() -> m.probabilities(one, 1)));
                }
                for (int i = 0; i < n; i++) {
                    float[] p = singles.get(i).get();
                    for (int c = 0; c < 10; c++) assertThat(p[c]).as("image %d class %d", i, c).isCloseTo(batch[i * 10 + c], within(1e-5f));
                }
            }
            float[] three = m.probabilities(java.util.Arrays.copyOfRange(x, 5 * PX, 8 * PX), 3);
            for (int i = 0; i < 30; i++) assertThat(three[i]).isCloseTo(batch[50 + i], within(1e-5f));
            ServedModel.Analysis a = m.analyze(java.util.Arrays.copyOfRange(x, 40 * PX, 41 * PX));
            for (int c = 0; c < 10; c++) assertThat(a.probabilities()[c]).isCloseTo(batch[400 + c], within(1e-5f));
            assertThat(a.featureMaps()).extracting(ServedModel.FeatureMap::layer).containsExactly("conv1", "conv2", "conv3");
        }
    }
}
