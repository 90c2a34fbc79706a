package dev.simdnet.train;

import dev.simdnet.model.Checkpoint;
import dev.simdnet.model.ModelSpec;
import dev.simdnet.model.Models;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.Normalization;
import dev.simdnet.data.TestData;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.nn.Parameter;
import dev.simdnet.nn.Sequential;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.simdnet.testing.SameBits.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The loop on a small slice of MNIST: learns, is deterministic, resumes exactly, stops on divergence. */
class TrainerTest {
    static Kernels kernels;
    static Dataset data;
    static int[] train = range(0, 1200), val = range(1200, 1500);

    // A small but real run: the perceptron, two epochs of 1,200 images.
    static final TrainConfig CONFIG = TrainConfig.preset("baseline").with("epochs", 2).with("batch", 50).with("lr", 0.05f)
            .with("schedule", "onecycle").with("warmup", 0.2f).with("dropout", 0.2f).with("threads", 2);

    @BeforeAll
    static void setUp() {
        kernels = Kernels.create("vector", 2);
        data = TestData.mnistTrain();
    }

    @AfterAll
    static void tearDown() {
        kernels.close();
    }

    static int[] range(int from, int to) {
        int[] a = new int[to - from];
        for (int i = 0; i < a.length; i++) a[i] = from + i;
        return a;
    }

    // Augmented, so exact resumption also covers the augmentation's randomness.
    static Trainer.Outcome train(TrainConfig c, Path state, boolean resume, TrainListener l) throws Exception {
        return new Trainer(c, kernels, augmenter(c), l, state).run(data, Normalization.MNIST, train, val, resume);
    }

    static BatchAugmenter augmenter(TrainConfig c) {
        return Augmentations.forPreset(TrainConfig.Augmentation.LIGHT, c.seed(), kernels.parallel());
    }

    static float[] weights(Sequential net) {
        return net.parameters().stream().map(p -> p.value().toArray())
                .reduce(new float[0], (a, b) -> { float[] r = Arrays.copyOf(a, a.length + b.length); System.arraycopy(b, 0, r, a.length, b.length); return r; });
    }

    @Test
    void learnsAndIsDeterministic() throws Exception {
        Trainer.Outcome a = train(CONFIG, null, false, TrainListener.SILENT);
        Trainer.Outcome b = train(CONFIG, null, false, TrainListener.SILENT);
        assertThat(a.bestValAccuracy()).isGreaterThan(0.70); // chance is 0.10
        assertThat(a.history()).hasSize(2);
        assertThat(a.steps()).isEqualTo(2 * 1200 / 50);
        assertSameBits("weights of a second run", weights(b.net()), weights(a.net()));
    }

    @Test
    void aRunStoppedMidEpochAndResumedEndsWithTheSameWeights(@TempDir Path dir) throws Exception {
        Trainer.Outcome straight = train(CONFIG, null, false, TrainListener.SILENT);

        // Stop at step 30 of 48 (in the second epoch), as Ctrl-C would.
        Trainer[] holder = new Trainer[1];
        TrainListener stopper = new TrainListener() {
            @Override
            public void onStep(StepProgress p) {
                if (p.step() >= 30) holder[0].requestStop();
            }
        };
        holder[0] = new Trainer(CONFIG, kernels, augmenter(CONFIG), stopper, dir);
        Trainer.Outcome stopped = holder[0].run(data, Normalization.MNIST, train, val, false);
        assertThat(stopped.interrupted()).isTrue();
        assertThat(stopped.steps()).isLessThan(48);
        assertThat(Files.exists(Trainer.stateFile(dir))).isTrue();

        Trainer.Outcome resumed = train(CONFIG, dir, true, TrainListener.SILENT);
        assertThat(resumed.steps()).isEqualTo(48);
        assertSameBits("weights of the resumed run", weights(resumed.net()), weights(straight.net()));
        assertThat(resumed.bestValAccuracy()).isEqualTo(straight.bestValAccuracy());
    }

    @Test
    void oneThreadAndTwoEndWithTheSameWeights() throws Exception {
        // The conv network too: its GEMMs, im2col, batch norm and pooling all split work across threads.
        for (String model : new String[] {"mlp", "fast"}) {
            TrainConfig c = CONFIG.with("model", model).with("epochs", 1);
            Trainer.Outcome two = train(c, null, false, TrainListener.SILENT);
            Trainer.Outcome one;
            try (Kernels single = Kernels.create("vector", 1)) {
                one = new Trainer(c.with("threads", 1), single, Augmentations.forPreset(TrainConfig.Augmentation.LIGHT, c.seed(), single.parallel()), TrainListener.SILENT, null)
                        .run(data, Normalization.MNIST, train, val, false);
            }
            assertSameBits(model + " weights on one thread", weights(one.net()), weights(two.net()));
        }
    }

    @Test
    void trainsANetworkBuiltInCodeWithItsOwnOptimizerAndSchedule() throws Exception {
        var rng = new java.util.SplittableRandom(5);
        Sequential net = new Sequential(new dev.simdnet.nn.Flatten("flat"), new dev.simdnet.nn.Linear("hidden", 784, 64, rng),
                new dev.simdnet.nn.Relu("relu"), new dev.simdnet.nn.Linear("out", 64, 10, rng, true));
        ModelSpec spec = new ModelSpec("mine", new int[] {28, 28, 1}, 10, 0f);
        var optimizer = dev.simdnet.optim.AdamW.withDefaults(0f, kernels);
        Trainer.Outcome o = new Trainer(CONFIG, kernels, BatchAugmenter.NONE, TrainListener.SILENT, null)
                .network(spec, net).optimizer(optimizer).schedule(new dev.simdnet.optim.LearningRateSchedule.Constant(2e-3f))
                .run(data, Normalization.MNIST, train, val, false);
        assertThat(o.net()).isSameAs(net);
        assertThat(o.bestValAccuracy()).isGreaterThan(0.75);
        assertThat(optimizer.steps()).isEqualTo(48);
    }

    @Test
    void frozenLayersKeepTheirWeightsAndStatistics() throws Exception {
        TrainConfig c = CONFIG.with("model", "fast").with("epochs", 1);
        ModelSpec spec = c.modelSpec();
        Sequential net = Models.build(spec, 3);
        float[] conv1 = net.parameters().getFirst().value().toArray(), head = net.parameters().getLast().value().toArray();
        float[] bn1Mean = net.buffers().get("bn1.running_mean").toArray();
        new Trainer(c, kernels, BatchAugmenter.NONE, TrainListener.SILENT, null).network(spec, net).freeze(java.util.Set.of("conv1", "bn1"))
                .run(data, Normalization.MNIST, train, val, false);
        assertThat(net.parameters().getFirst().name()).isEqualTo("conv1.weight");
        assertSameBits("conv1.weight, frozen", net.parameters().getFirst().value().toArray(), conv1);
        assertSameBits("bn1.running_mean, frozen", net.buffers().get("bn1.running_mean").toArray(), bn1Mean);
        assertThat(net.parameters().getLast().value().toArray()).isNotEqualTo(head);

        Trainer wrong = new Trainer(c, kernels, BatchAugmenter.NONE, TrainListener.SILENT, null).freeze(java.util.Set.of("conv9"));
        assertThatThrownBy(() -> wrong.run(data, Normalization.MNIST, train, val, false))
                .hasMessageContaining("cannot freeze 'conv9'").hasMessageContaining("conv1");
    }

    @Test
    void aProfiledRunTimesEveryLayerAndEndsWithTheSameWeights() throws Exception {
        TrainConfig c = CONFIG.with("model", "fast").with("epochs", 1);
        Trainer.Outcome plain = train(c, null, false, TrainListener.SILENT);
        dev.simdnet.nn.Profile profile = new dev.simdnet.nn.Profile();
        Trainer.Outcome timed = new Trainer(c, kernels, augmenter(c), TrainListener.SILENT, null).profile(profile)
                .run(data, Normalization.MNIST, train, val, false);
        assertSameBits("weights of the profiled run", weights(timed.net()), weights(plain.net()));
        assertThat(profile.steps()).isEqualTo(1200 / 50);
        assertThat(profile.entries().keySet()).contains("conv1", "bn1", "relu1", "pool1", "conv3", "fc1", "data and augmentation", "loss", "optimizer");
        assertThat(profile.entries().get("conv2").gemm()).isTrue();
        assertThat(profile.entries().get("bn2").gemm()).isFalse();
        var rows = StepProfile.rows(profile);
        assertThat(rows.stream().mapToDouble(r -> (Double) r.get("share")).sum()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(0.01));
        assertThat(StepProfile.table(profile)).contains("conv2").contains("outside the convolution and linear layers");
    }

    @Test
    void resumingWithOtherOptionsIsRefused(@TempDir Path dir) throws Exception {
        train(CONFIG.with("epochs", 1), dir, false, TrainListener.SILENT);
        assertThatThrownBy(() -> train(CONFIG.with("epochs", 1).with("lr", 0.01f), dir, true, TrainListener.SILENT))
                .hasMessageContaining("other options");
        assertThatThrownBy(() -> train(CONFIG, dir.resolve("nothing-here"), true, TrainListener.SILENT))
                .hasMessageContaining("nothing to resume");
    }

    @Test
    void aNonFiniteLossStopsTheRunWithAClearMessage() {
        // An input that overflows at step 5 (a broken augmentation, say) makes the logits infinite.
        BatchAugmenter poison = (images, count, epoch, ids, idsFrom) -> {
            if (epoch == 0 && idsFrom == 4 * CONFIG.batch()) java.util.Arrays.fill(images, 0, 28 * 28, 3e38f);
        };
        Trainer t = new Trainer(CONFIG, kernels, poison, TrainListener.SILENT, null);
        assertThatThrownBy(() -> t.run(data, Normalization.MNIST, train, val, false))
                .isInstanceOf(TrainingDivergedException.class).hasMessageContaining("at step 5").hasMessageContaining("lower the learning rate");
    }

    @Test
    void checkpointsRoundTripAndRefuseAnotherArchitecture(@TempDir Path dir) throws Exception {
        Trainer.Outcome o = train(CONFIG.with("epochs", 1), null, false, TrainListener.SILENT);
        Path file = dir.resolve("mlp.safetensors");
        Checkpoint.save(file, o.spec(), o.net(), java.util.Map.of("note", "test"));
        Checkpoint.Loaded back = Checkpoint.load(file);
        assertThat(back.spec()).isEqualTo(o.spec());
        assertSameBits("weights read back", weights(back.net()), weights(o.net()));
        assertThat(back.metadata()).containsEntry("note", "test");
        assertThatThrownBy(() -> Checkpoint.load(file, ModelSpec.mnist("lenet", 0f)))
                .hasMessageContaining("is a 'mlp' model, not 'lenet'");

        // A file whose tensors do not fit the architecture its metadata names.
        Sequential other = Models.build(ModelSpec.mnist("lenet5", 0f), 1);
        Path forged = dir.resolve("forged.safetensors");
        Checkpoint.save(forged, o.spec(), other, java.util.Map.of());
        assertThatThrownBy(() -> Checkpoint.load(forged)).hasMessageContaining("another architecture");

        // Model parameters only, no stray names.
        for (Parameter p : back.net().parameters()) assertThat(p.name()).matches("[a-z0-9_]+\\.(weight|bias)");
    }
}
