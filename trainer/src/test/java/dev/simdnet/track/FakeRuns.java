package dev.simdnet.track;

import dev.simdnet.train.TrainConfig;
import dev.simdnet.train.TrainListener;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Run records written directly, without training: fast fixtures for the tracking tests. */
final class FakeRuns {
    private FakeRuns() {}

    static final Map<String, Object> ENV = Map.of("jdk", "25", "cpu_model", "test CPU", "kernels", "scalar", "threads", 1);

    /** A finished run of {@code epochs} epochs whose validation accuracy climbs towards {@code acc}. */
    static RunRecorder finished(RunStore store, String model, float lr, double acc, Map<String, String> tags, long seed) throws IOException {
        TrainConfig c = TrainConfig.preset("baseline").with("model", model).with("lr", lr).with("threads", 1).with("seed", seed);
        Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z").plusSeconds(seed), ZoneOffset.UTC);
        RunRecorder r = RunRecorder.start(store, c.toMap(), ENV, tags, "fake run " + seed, clock, new SplittableRandom(seed));
        int epochs = 3;
        for (int e = 1; e <= epochs; e++) {
            double a = acc - 0.1 / e;
            r.onEpoch(new TrainListener.EpochMetrics(e, 1.0 / e, a - 0.01, 0.5 / e, a, lr, 1000, 1.5));
        }
        int[][] confusion = new int[10][10];
        for (int i = 0; i < 10; i++) {
            confusion[i][i] = 90 + i;
            confusion[i][(i + 1) % 10] = 10 - i;
        }
        r.confusion(confusion);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model", model);
        result.put("dataset", "mnist");
        result.put("parameters", model.equals("mlp") ? 203530 : 61706);
        result.put("epochs", epochs);
        result.put("test_accuracy", acc);
        result.put("best_val_accuracy", acc - 0.1 / epochs);
        result.put("best_epoch", epochs);
        result.put("train_seconds", 4.5);
        result.put("images_per_second", 1000);
        r.finish(result);
        return r;
    }
}
