package dev.simdnet.track;

import dev.simdnet.data.DataSource;
import dev.simdnet.data.DatasetKind;
import dev.simdnet.data.DatasetLoader;
import dev.simdnet.data.Subset;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.train.Experiment;
import dev.simdnet.train.TrainConfig;
import dev.simdnet.train.TrainListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Trials in this JVM, each on its own single-threaded {@link Kernels}, so K of them can run at once on K
 * threads without sharing any state.
 */
public final class InProcessTrialRunner implements TrialRunner {
    private final DataSource data;
    private final String kernelsMode;

    /**
     * @param kernelsMode "scalar", "vector" or "auto"
     */
    public InProcessTrialRunner(DataSource data, String kernelsMode) {
        this.data = data;
        this.kernelsMode = kernelsMode;
    }

    /** Loads each data set the trials use once: missing or corrupt files fail here, before training. */
    @Override
    public void check(List<TrainConfig> configs) throws IOException {
        Set<DatasetKind> datasets = new LinkedHashSet<>();
        for (TrainConfig c : configs) {
            if (c.dataset().kind() == null || c.dataset() == TrainConfig.DataSet.MNIST_PEN)
                throw new IllegalArgumentException("sweeps read MNIST or Fashion-MNIST, not an image folder or mnist-pen");
            datasets.add(c.dataset().kind());
        }
        for (DatasetKind kind : datasets) {
            DatasetLoader.load(kind, Subset.TRAIN, data);
            DatasetLoader.load(kind, Subset.TEST, data);
        }
    }

    @Override
    public Result run(TrainConfig config, Path runDir, TrainListener listener) throws Exception {
        Path state = runDir.resolve("state");
        try (Kernels kernels = Kernels.create(kernelsMode, 1)) {
            Experiment experiment = new Experiment(config.with("threads", 1), kernels,
                    new Experiment.Options(data, runDir.resolve(RunStore.MODEL), state, false, 0), listener);
            Map<String, Object> summary = experiment.run();
            return new Result(summary, experiment.testEvaluation() == null ? null : experiment.testEvaluation().confusion());
        } finally {
            deleteTree(state);                                          // resume state: not needed once the trial ends
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // leftover state costs disk space only
        }
    }
}
