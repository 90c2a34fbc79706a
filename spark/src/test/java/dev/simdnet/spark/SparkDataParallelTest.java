package dev.simdnet.spark;

import dev.simdnet.data.DataSource;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.DatasetKind;
import dev.simdnet.data.DatasetLoader;
import dev.simdnet.data.Normalization;
import dev.simdnet.data.Splits;
import dev.simdnet.data.Subset;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.model.Checkpoint;
import dev.simdnet.tensor.Tensor;
import dev.simdnet.train.Augmentations;
import dev.simdnet.train.TrainConfig;
import dev.simdnet.train.TrainListener;
import dev.simdnet.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Parameter averaging on Spark against the single-process trainer: the fast network on 1,500 MNIST images. */
class SparkDataParallelTest {
    static Dataset data;
    static Splits.Split split;
    // 2 epochs of 39 steps, rounds of 5 steps: the epoch's end cuts the 8th round short, as the loop must.
    static final TrainConfig CONFIG = TrainConfig.preset("fast").with("epochs", 2.0, "batch", 32, "threads", 1, "validation", 250);
    /** The single-process run both tests compare with. */
    static Trainer.Outcome local;

    @BeforeAll
    static void load() {
        Dataset all = DatasetLoader.load(DatasetKind.MNIST, Subset.TRAIN, DataSource.offline(TestSpark.data().resolve("mnist")));
        int[] first = new int[1500];
        for (int i = 0; i < first.length; i++) first[i] = i;
        data = all.subset(first, "mnist-3000");
        split = Splits.holdout(data, 250, 1);
        TestSpark.session();
    }

    private static synchronized Trainer.Outcome local() throws Exception {
        if (local == null) local = train(null);
        return local;
    }

    private static Trainer.Outcome train(Trainer.Parallel parallel) throws Exception {
        try (Kernels k = Kernels.create("auto", 1)) {
            var augment = Augmentations.forPreset(CONFIG.augment(), CONFIG.seed(), k.parallel(), 28, 28, 1);
            Trainer t = new Trainer(CONFIG, k, augment, TrainListener.SILENT, null);
            if (parallel != null) t.parallel(parallel);
            return t.run(data, Normalization.MNIST, split.train(), split.validation(), false);
        }
    }

    @Test
    void onePartitionGivesTheSingleProcessWeightsBitForBit() throws Exception {
        Trainer.Outcome local = local();
        SparkDataParallel p = new SparkDataParallel(TestSpark.context(), 1, 5, "auto", 1);
        Trainer.Outcome spark;
        try {
            spark = train(p);
        } finally {
            p.close();
        }
        assertThat(p.rounds()).isEqualTo(2 * 8);                        // 7 rounds of 5 and one of 4, each epoch
        assertThat(spark.steps()).isEqualTo(local.steps()).isEqualTo(78);
        Map<String, Tensor> a = Checkpoint.weights(local.net(), ""), b = Checkpoint.weights(spark.net(), "");
        assertThat(b.keySet()).isEqualTo(a.keySet()).contains("bn1.running_mean", "bn1.running_var");
        for (String name : a.keySet()) {
            Tensor x = a.get(name), y = b.get(name);
            for (int i = 0; i < x.size(); i++)
                if (Float.floatToRawIntBits(x.get(i)) != Float.floatToRawIntBits(y.get(i)))
                    throw new AssertionError(name + "[" + i + "]: " + x.get(i) + " in one process, " + y.get(i) + " on Spark");
        }
        for (int e = 0; e < local.history().size(); e++)
            assertThat(spark.history().get(e).valAccuracy()).isEqualTo(local.history().get(e).valAccuracy());
        assertThat(spark.bestValAccuracy()).isEqualTo(local.bestValAccuracy());
    }

    @Test
    void twoPartitionsAverageTwoShardsAndLandNearTheSingleProcessAccuracy() throws Exception {
        Trainer.Outcome local = local();
        SparkDataParallel p = new SparkDataParallel(TestSpark.context(), 2, 4, "auto", 1);
        Trainer.Outcome spark;
        try {
            spark = train(p);
        } finally {
            p.close();
        }
        // Each epoch is 625 images a shard: 19 steps of 2 x 32 images; as many images as one process sees.
        assertThat(spark.steps()).isEqualTo(2 * 19);
        assertThat(p.rounds()).isEqualTo(2 * 5);
        // It learns: a loose bound, on 250 validation images after 38 averaged steps (0.756 against 0.928 in one process, here); the
        // full-size comparison is in BENCHMARKS.md.
        assertThat(spark.bestValAccuracy()).isGreaterThan(0.6).isCloseTo(local.bestValAccuracy(), org.assertj.core.data.Offset.offset(0.2));
    }
}
