package dev.simdnet.spark;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.Normalization;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.tensor.Tensor;
import dev.simdnet.train.Augmentations;
import dev.simdnet.train.TrainConfig;
import dev.simdnet.train.TrainListener;
import dev.simdnet.train.Trainer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Synchronous parameter averaging on Spark: the training set is broadcast once, split into one shard per
 * partition; every round broadcasts the weights, batch-norm statistics and optimizer state, each partition
 * takes the same K steps on its shard ({@link Trainer#shardSteps}), and {@code treeAggregate} averages what
 * they return. The loop around the rounds (schedule, validation, best weights, the run record) is the
 * trainer's own, on the driver.
 *
 * <p>Shard p trains with seed {@code seed + p} (its order, augmentation and dropout), so shards do not draw the
 * same random numbers; shard 0 keeps the run's seed, which makes one partition the single-process run exactly.
 */
public final class SparkDataParallel implements Trainer.Parallel {
    private final JavaSparkContext sc;
    private final int partitions, stepsPerRound, threadsPerTask;
    private final String kernels;
    private Broadcast<Shipped> shipped;
    private JavaRDD<Integer> shards;
    private int rounds;

    /**
     * @param threadsPerTask kernel threads in each partition's task (spark.task.cpus)
     */
    public SparkDataParallel(JavaSparkContext sc, int partitions, int stepsPerRound, String kernels, int threadsPerTask) {
        if (partitions < 1) throw new IllegalArgumentException("--partitions must be 1 or more, got " + partitions);
        if (stepsPerRound < 1) throw new IllegalArgumentException("--sync-every must be 1 or more steps, got " + stepsPerRound);
        this.sc = sc;
        this.partitions = partitions;
        this.stepsPerRound = stepsPerRound;
        this.kernels = kernels;
        this.threadsPerTask = threadsPerTask;
    }

    @Override public int shards() { return partitions; }
    @Override public int stepsPerRound() { return stepsPerRound; }

    /** How many rounds (broadcast, K steps on every shard, average) the run took. */
    public int rounds() { return rounds; }

    /** What every task needs, broadcast once: the training images, the config, the shards. */
    record Shipped(String name, int n, int rows, int cols, int channels, byte[] images, byte[] labels, int numClasses,
                   float mean, float std, String config, int[][] shards) implements Serializable {
        Dataset dataset() { return new Dataset(name, n, rows, cols, channels, images, labels, numClasses); }
    }

    @Override
    public void start(TrainConfig config, Dataset data, Normalization norm, int[] trainIdx) throws IOException {
        int m = trainIdx.length / partitions;                          // equal shards: the rest of the split is left out
        int[][] split = new int[partitions][];
        for (int p = 0; p < partitions; p++) split[p] = Arrays.copyOfRange(trainIdx, p * m, (p + 1) * m);
        shipped = sc.broadcast(new Shipped(data.name(), data.n(), data.rows(), data.cols(), data.channels(), data.images(), data.labels(),
                data.numClasses(), norm.mean(), norm.std(), JSON.std.asString(config.toMap()), split));
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < partitions; p++) ids.add(p);
        shards = sc.parallelize(ids, partitions);
    }

    @Override
    public Trainer.Round round(Map<String, Tensor> state, long optimizerSteps, long fromStep, int count) {
        Broadcast<ShippedState> weights = sc.broadcast(ShippedState.of(state));
        Broadcast<Shipped> data = shipped;
        String mode = kernels;
        int threads = threadsPerTask;
        try {
            ShippedState.Sum sum = shards.map(p -> new ShardResult(p, steps(data.value(), weights.value(), p, optimizerSteps, fromStep, count, mode, threads)))
                    .treeAggregate(new ShippedState.Sum(), (s, r) -> s.add(r.state, r.loss, r.correct, r.seen), ShippedState.Sum::merge);
            rounds++;
            return new Trainer.Round(sum.average(), sum.lossSum / sum.count, sum.correct, sum.seen);
        } finally {
            weights.destroy();
        }
    }

    /** One partition's steps, on the executor. */
    private static Trainer.Round steps(Shipped s, ShippedState state, int p, long optimizerSteps, long fromStep, int count, String mode, int threads)
            throws IOException {
        TrainConfig config = TrainConfig.fromMap(JSON.std.mapFrom(s.config()));
        if (p > 0) config = config.with("seed", config.seed() + p);
        Dataset data = s.dataset();
        try (Kernels k = Kernels.create(mode, threads)) {
            var augment = Augmentations.forPreset(config.augment(), config.seed(), k.parallel(), data.rows(), data.cols(), data.channels());
            Trainer t = new Trainer(config, k, augment, TrainListener.SILENT, null);
            return t.shardSteps(data, new Normalization(s.mean(), s.std()), s.shards()[p], state.toTensors(), optimizerSteps, fromStep, count);
        }
    }

    /** What a partition sends back: its state after the steps and its training figures. */
    static final class ShardResult implements Serializable {
        private static final long serialVersionUID = 1L;
        final ShippedState state;
        final double loss;
        final long correct, seen;

        ShardResult(int p, Trainer.Round r) {
            this.state = ShippedState.of(r.state());
            this.loss = r.lossSum();
            this.correct = r.correct();
            this.seen = r.seen();
        }
    }

    /** Frees the broadcast training set. */
    public void close() {
        if (shipped != null) shipped.destroy();
    }
}
