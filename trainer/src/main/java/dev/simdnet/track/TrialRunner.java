package dev.simdnet.track;

import dev.simdnet.train.TrainConfig;
import dev.simdnet.train.TrainListener;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs the trials of a sweep. The sweep decides what to run and records it; a runner only trains. This
 * project has the in-process runner ({@link InProcessTrialRunner}); one that sends trials to a cluster would
 * implement the same two methods.
 */
public interface TrialRunner {

    /** Checks, before any trial starts, what would make every trial fail (missing or corrupt data). */
    default void check(List<TrainConfig> configs) throws IOException {}

    /**
     * Trains one trial to its end and tests it. {@code listener} must receive every epoch's metrics; it may
     * throw {@link TrialPruned} from {@code onEpoch} to stop a poor trial, which the runner lets through.
     *
     * @param runDir the trial's run folder: the model goes to {@code runDir/model.safetensors}
     */
    Result run(TrainConfig config, Path runDir, TrainListener listener) throws Exception;

    /** What a finished trial reports: the summary (the fields of {@code train}'s JSON line) and the test confusion matrix. */
    record Result(Map<String, Object> summary, int[][] confusion) {}

    /** Thrown from the listener to stop a trial that successive halving has dropped. */
    final class TrialPruned extends RuntimeException {
        public TrialPruned(String message) {
            super(message, null, false, false);
        }
    }
}
