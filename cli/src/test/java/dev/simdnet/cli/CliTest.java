package dev.simdnet.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {

    @Test
    void noCommandIsAUsageError() {
        Cli r = Cli.run();
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("name a command");
    }

    @Test
    void versionAndHelpWork() {
        assertThat(Cli.run("--version").out()).contains("simdnet").contains("JDK");
        for (String cmd : new String[] {"train", "eval", "classify", "bench"}) {
            Cli r = Cli.run(cmd, "--help");
            assertThat(r.exit()).as(cmd).isZero();
            assertThat(r.out()).as(cmd).contains("--threads").contains("--kernels").contains("--help");
        }
    }

    @Test
    void badOptionsAreUsageErrorsWithOneClearLine() {
        Cli unknownModel = Cli.run("train", "--model", "resnet");
        assertThat(unknownModel.exit()).isEqualTo(2);
        assertThat(unknownModel.err()).contains("unknown model 'resnet'").contains("mlp, lenet5, lenet, fast, fast-wide, best");

        Cli notANumber = Cli.run("train", "--lr", "fast");
        assertThat(notANumber.exit()).isEqualTo(2);
        assertThat(notANumber.err()).contains("--lr");

        Cli unknownOption = Cli.run("train", "--learning-rate", "0.1");
        assertThat(unknownOption.exit()).isEqualTo(2);
        assertThat(unknownOption.err()).contains("Unknown option").contains("--learning-rate");

        Cli outOfRange = Cli.run("train", "--dropout", "1.5");
        assertThat(outOfRange.exit()).isEqualTo(2);
        assertThat(outOfRange.err()).contains("dropout must be in [0, 1)");

        Cli badPreset = Cli.run("train", "--preset", "fastest");
        assertThat(badPreset.exit()).isEqualTo(2);
        assertThat(badPreset.err()).contains("unknown preset 'fastest'");

        Cli zeroThreads = Cli.run("bench", "--threads", "0");
        assertThat(zeroThreads.exit()).isEqualTo(2);

        Cli badKernels = Cli.run("train", "--kernels", "gpu");
        assertThat(badKernels.exit()).isEqualTo(2);
        assertThat(badKernels.err()).contains("scalar, vector or auto");
    }

    @Test
    void missingDataIsOneLineAndExitOne(@TempDir Path dir) throws Exception {
        Cli r = Cli.run("train", "--data-dir", Files.createDirectories(dir.resolve("empty")).toString(), "--offline", "--output", dir.resolve("m.safetensors").toString(),
                "--runs-dir", dir.resolve("runs").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.oneLineError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("train-images-idx3-ubyte.gz");
    }

    @Test
    void corruptDataIsRefusedByChecksum(@TempDir Path dir) throws Exception {
        Path bad = Files.createDirectories(dir.resolve("mnist"));
        for (String f : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"})
            Files.copy(Cli.data().resolve("mnist").resolve(f), bad.resolve(f));
        byte[] labels = Files.readAllBytes(bad.resolve("train-labels-idx1-ubyte.gz"));
        Files.write(bad.resolve("train-labels-idx1-ubyte.gz"), java.util.Arrays.copyOf(labels, labels.length / 2));
        Cli r = Cli.run("train", "--data-dir", bad.toString(), "--offline", "--output", dir.resolve("m.safetensors").toString(),
                "--runs-dir", dir.resolve("runs").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.oneLineError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("train-labels-idx1-ubyte.gz").containsIgnoringCase("sha-256");
        // The failed run's record is complete when the command returns: its environment, captured on the side
        // while the data loads, is written before, never after (a late write raced the deletion of this folder).
        try (var runs = Files.list(dir.resolve("runs"))) {
            Path run = runs.findFirst().orElseThrow();
            assertThat(run.resolve(dev.simdnet.track.RunStore.ENV)).exists();
            assertThat(Files.readString(run.resolve(dev.simdnet.track.RunStore.STATUS))).contains("failed");
        }
    }

    @Test
    void badDistillationOptionsAreRefusedBeforeTraining(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("no-teacher.safetensors");
        Cli r = Cli.run("train", "--teacher", missing.toString(), "--data-dir", Cli.mnist(), "--offline", "--no-track",
                "--output", dir.resolve("m.safetensors").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.oneLineError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("teacher checkpoint").contains("not found");

        Cli weight = Cli.run("train", "--teacher", missing.toString(), "--distill", "1.5", "--data-dir", Cli.mnist(), "--offline", "--no-track");
        assertThat(weight.exit()).isEqualTo(2);
        assertThat(weight.err()).contains("--distill must be in (0, 1]");

        // A teacher trained on MNIST cannot teach a Fashion-MNIST student.
        Path teacher = dir.resolve("teacher.safetensors");
        Cli train = Cli.run("train", "--preset", "baseline", "--epochs", "0.05", "--validation", "1000", "--data-dir", Cli.mnist(),
                "--offline", "--no-track", "--output", teacher.toString());
        assertThat(train.exit()).as(train.err()).isZero();
        Cli fashion = Cli.run("train", "--preset", "baseline", "--dataset", "fashion", "--epochs", "0.05", "--teacher", teacher.toString(),
                "--data-dir", Cli.data().toString(), "--offline", "--no-track", "--output", dir.resolve("f.safetensors").toString());
        assertThat(fashion.exit()).isEqualTo(1);
        assertThat(fashion.oneLineError()).as(fashion.err()).isTrue();
        assertThat(fashion.err()).contains("was trained on mnist, this run trains on fashion");
        assertThat(dir.resolve("f.safetensors")).doesNotExist();
    }

    /**
     * mnist-pen: MNIST's training images less the hold-out, the pen digits of writers 1-16 (three drawings each) and
     * the glyph styles train; the pen digits of writers 17-22 (two drawings each) validate; MNIST's test set tests.
     */
    @Test
    void trainOnMnistAndPenDigitsValidatesOnTheValidationWriters(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("pen.safetensors");
        Cli r = Cli.run("train", "--preset", "baseline", "--dataset", "mnist-pen", "--augment", "strokes", "--epochs", "0.02",
                "--validation", "1000", "--threads", "2", "--data-dir", Cli.mnist(), "--offline", "--no-track", "--output", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Object> m = JSON.std.mapFrom(r.out().strip());
        var pen = dev.simdnet.data.PenDigits.load(Cli.data().resolve("pendigits/pendigits-train.unipen"));
        long train = pen.stream().filter(d -> d.writer() <= 16).count(), val = pen.stream().filter(d -> d.writer() >= 17 && d.writer() <= 22).count();
        assertThat(((Number) m.get("train_mnist")).intValue()).isEqualTo(59_000);
        assertThat(((Number) m.get("train_pen_writers_1_16")).longValue()).isEqualTo(3 * train);
        assertThat(((Number) m.get("train_glyphs")).intValue()).isEqualTo(3_000);
        assertThat(((Number) m.get("validation_images")).longValue()).isEqualTo(2 * val);
        assertThat(m).containsEntry("validation_from", "pen digits of writers 17-22").containsKeys("mnist_val_accuracy", "test_accuracy");
        // Saved as an MNIST digit model: eval finds MNIST's test set from the config's mnist-pen.
        Cli e = Cli.run("eval", out.toString(), "--data-dir", Cli.mnist(), "--offline", "--json");
        assertThat(e.exit()).as(e.err()).isZero();
        assertThat(((Number) JSON.std.mapFrom(e.out().strip()).get("test_accuracy")).doubleValue())
                .isCloseTo(((Number) m.get("test_accuracy")).doubleValue(), org.assertj.core.api.Assertions.within(1e-6));
    }

    @Test
    void trainInitFineTunesATrainedModelWithFrozenLayers(@TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.safetensors"), tuned = dir.resolve("tuned.safetensors");
        Cli a = Cli.run("train", "--preset", "fast", "--epochs", "0.1", "--threads", "2", "--data-dir", Cli.mnist(), "--offline",
                "--no-track", "--output", first.toString());
        assertThat(a.exit()).as(a.err()).isZero();
        Cli b = Cli.run("train", "--init", first.toString(), "--freeze", "conv1,bn1", "--profile", "--epochs", "0.05", "--threads", "2",
                "--data-dir", Cli.mnist(), "--offline", "--no-track", "--output", tuned.toString());
        assertThat(b.exit()).as(b.err()).isZero();
        Map<String, Object> result = JSON.std.mapFrom(b.out().strip());
        assertThat(result).containsEntry("init", first.toString()).containsEntry("frozen", java.util.List.of("bn1", "conv1"))
                .containsKeys("profile", "share_outside_gemm_layers");
        assertThat(b.err()).contains("layer or stage").contains("conv2").contains("outside the convolution and linear layers");
        var before = dev.simdnet.model.Model.load(first).network().parameters();
        var after = dev.simdnet.model.Model.load(tuned).network().parameters();
        assertThat(after.getFirst().name()).isEqualTo("conv1.weight");
        assertThat(after.getFirst().value().toArray()).isEqualTo(before.getFirst().value().toArray());
        assertThat(after.getLast().value().toArray()).isNotEqualTo(before.getLast().value().toArray());

        Cli wrong = Cli.run("train", "--init", first.toString(), "--freeze", "conv7", "--epochs", "0.05", "--data-dir", Cli.mnist(),
                "--offline", "--no-track", "--output", dir.resolve("x.safetensors").toString());
        assertThat(wrong.exit()).isNotZero();
        assertThat(wrong.oneLineError()).as(wrong.err()).isTrue();
        assertThat(wrong.err()).contains("cannot freeze 'conv7'");
        Cli missing = Cli.run("train", "--init", dir.resolve("nothing.safetensors").toString(), "--data-dir", Cli.mnist(), "--offline", "--no-track");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.oneLineError()).as(missing.err()).isTrue();
        assertThat(missing.err()).contains("--init checkpoint").contains("not found");
    }

    @Test
    void tuneMeasuresKeepsTheChoiceAndShowsIt(@TempDir Path dir) throws Exception {
        String saved = System.getProperty("simdnet.cache.dir");
        System.setProperty("simdnet.cache.dir", dir.toString());
        try {
            Cli tune = Cli.run("tune", "--seconds", "0.005");
            assertThat(tune.exit()).as(tune.err()).isZero();
            assertThat(tune.out()).contains("NN 512x512x512").contains("chosen: ").contains("kernels.properties").contains("this run started with:");
            assertThat(dir.resolve("kernels.properties")).exists();
        } finally {
            if (saved == null) System.clearProperty("simdnet.cache.dir");
            else System.setProperty("simdnet.cache.dir", saved);
        }
        Cli show = Cli.run("tune", "--show");
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.out()).contains("kernels in force:").contains("GEMM tile").contains("cache blocks kc ").contains("caches: L1d").doesNotContain("chosen:");
        Cli bad = Cli.run("tune", "--seconds", "0");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--seconds must be in (0, 10]");
    }

    @Test
    void trainThenEvalThenRefuseBadCheckpoints(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("mlp.safetensors");
        Cli train = Cli.run("train", "--preset", "baseline", "--epochs", "0.1", "--validation", "1000", "--threads", "2",
                "--data-dir", Cli.mnist(), "--offline", "--output", model.toString(), "--state-dir", dir.resolve("state").toString(),
                "--runs-dir", dir.resolve("runs").toString());
        assertThat(train.exit()).as(train.err()).isZero();
        Map<String, Object> result = JSON.std.mapFrom(train.out().strip());
        assertThat(result).containsKeys("model", "parameters", "epochs", "test_accuracy", "best_val_accuracy", "train_seconds", "warmup_seconds",
                "load_seconds", "images_per_second", "peak_heap_mb");
        assertThat(((Number) result.get("test_accuracy")).doubleValue()).isGreaterThan(0.8);
        assertThat(train.err()).contains("epoch 1");

        Cli eval = Cli.run("eval", model.toString(), "--data-dir", Cli.mnist(), "--offline",
                "--confusion-png", dir.resolve("cm.png").toString(), "--errors-png", dir.resolve("errors.png").toString());
        assertThat(eval.exit()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("accuracy").contains("95% CI").contains("confusion matrix");
        assertThat(javax.imageio.ImageIO.read(dir.resolve("cm.png").toFile())).isNotNull();
        assertThat(javax.imageio.ImageIO.read(dir.resolve("errors.png").toFile())).isNotNull();

        Cli ensemble = Cli.run("eval", model.toString(), model.toString(), "--json", "--data-dir", Cli.mnist(), "--offline");
        assertThat(ensemble.exit()).isZero();
        assertThat(JSON.std.mapFrom(ensemble.out().strip())).containsKeys("test_accuracy", "precision", "recall", "confusion");

        Path corrupt = dir.resolve("corrupt.safetensors");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(corrupt, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        Cli bad = Cli.run("eval", corrupt.toString(), "--data-dir", Cli.mnist(), "--offline");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.oneLineError()).as(bad.err()).isTrue();

        Path notACheckpoint = Files.writeString(dir.resolve("notes.txt"), "hello");
        Cli notOne = Cli.run("eval", notACheckpoint.toString(), "--data-dir", Cli.mnist(), "--offline");
        assertThat(notOne.exit()).isEqualTo(1);
        assertThat(notOne.oneLineError()).as(notOne.err()).isTrue();

        Cli missing = Cli.run("eval", dir.resolve("absent.safetensors").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("absent.safetensors");
    }

    @Test
    void anUnwritableOutputFailsBeforeTrainingAndLosesNothing(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "keep me");
        Cli r = Cli.run("train", "--preset", "baseline", "--epochs", "0.05", "--data-dir", Cli.mnist(), "--offline",
                "--output", file.resolve("model.safetensors").toString(), "--runs-dir", dir.resolve("runs").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.oneLineError()).as(r.err()).isTrue();
        assertThat(r.err()).doesNotContain("epoch 1");
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void showAugmentedSavesAGrid(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("aug.png");
        Cli r = Cli.run("train", "--augment", "strong", "--show-augmented", png.toString(), "--data-dir", Cli.mnist(), "--offline");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(javax.imageio.ImageIO.read(png.toFile()).getWidth()).isGreaterThan(28 * 8);
    }

    @Test
    void benchPrintsItsFigures() throws Exception {
        Cli r = Cli.run("bench", "--model", "mlp", "--batch", "32", "--seconds", "0.3", "--gemm-size", "64", "--threads", "1");
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Object> m = JSON.std.mapFrom(r.out().strip());
        assertThat(((Number) m.get("train_images_per_second")).doubleValue()).isPositive();
        assertThat(((Number) m.get("gemm_gflops")).doubleValue()).isPositive();
    }
}
