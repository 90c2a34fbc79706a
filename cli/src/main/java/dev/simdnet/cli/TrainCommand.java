package dev.simdnet.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.data.ImageFolder;
import dev.simdnet.eval.Evaluation;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.model.Model;
import dev.simdnet.model.Checkpoint;
import dev.simdnet.train.Experiment;
import dev.simdnet.train.TrainConfig;
import dev.simdnet.train.TrainListener;
import dev.simdnet.track.Environment;
import dev.simdnet.track.RunRecorder;
import dev.simdnet.track.RunStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code train}: builds a config from a preset and overrides, trains, tests once, saves, prints one JSON line. */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Train a model on MNIST, Fashion-MNIST or an image folder, then report its test accuracy once.",
                "An image folder is --data-dir DIR holding train/<class>/*.png (.jpg, .gif, .bmp), optional val/ and test/.",
                "Progress goes to stderr; the result is one JSON line on stdout."})
final class TrainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "fast",
            description = "Starting config: baseline, fast, lenet, best or digits. Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--model", paramLabel = "NAME", description = "Network: mlp, lenet5, lenet, fast, fast-wide, best, or cnn32 (small colour pictures).")
    String model;

    @Option(names = "--dataset", paramLabel = "NAME", description = "mnist, fashion, or mnist-pen (MNIST plus the pen digits of writers 1-16 and glyph styles, validated on writers 17-22; the pen file is found beside the MNIST folder); an image folder is found from --data-dir.")
    String dataset;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training split; fractions allowed (0.5).")
    Double epochs;

    @Option(names = "--batch", paramLabel = "N", description = "Images per step.")
    Integer batch;

    @Option(names = "--lr", paramLabel = "RATE", description = "Peak learning rate.")
    Float lr;

    @Option(names = "--optimizer", paramLabel = "NAME", description = "sgd (Nesterov momentum) or adam (AdamW).")
    String optimizer;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum.")
    Float momentum;

    @Option(names = "--weight-decay", paramLabel = "WD", description = "Weight decay (biases and batch-norm scales exempt).")
    Float weightDecay;

    @Option(names = "--schedule", paramLabel = "NAME", description = "Learning-rate schedule: onecycle, cosine or constant.")
    String schedule;

    @Option(names = "--warmup", paramLabel = "FRACTION", description = "Fraction of the steps spent warming up.")
    Float warmup;

    @Option(names = "--label-smoothing", paramLabel = "EPS", description = "Label smoothing.")
    Float labelSmoothing;

    @Option(names = "--dropout", paramLabel = "P", description = "Dropout before the classifier.")
    Float dropout;

    @Option(names = "--augment", paramLabel = "LEVEL", description = "Data augmentation: none, light, pen (light plus stroke-width changes), strokes (pen after half the images are thinned and redrawn with a round brush) or strong; crop-flip (random crops, mirrored half the time) for pictures that may be mirrored, colour ones too, never digits.")
    String augment;

    @Option(names = "--validation", paramLabel = "N", description = "Training images held out for validation (stratified).")
    Integer validation;

    @Option(names = "--patience", paramLabel = "EPOCHS", description = "Stop after this many epochs without a better validation accuracy (0: off).")
    Integer patience;

    @Option(names = "--output", paramLabel = "FILE", description = "Where to save the model (default: <model>.safetensors).")
    Path output;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Save the training state here after each epoch and on Ctrl-C.")
    Path stateDir;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run whose state is in DIR (same options).")
    Path resume;

    @Option(names = "--folds", paramLabel = "K", description = "k-fold cross-validation instead of one run: mean and std of validation accuracy.")
    Integer folds;

    @Option(names = "--show-augmented", paramLabel = "FILE.png", description = "Save a grid of augmented training samples and exit.")
    Path showAugmented;

    @Option(names = "--runs-dir", paramLabel = "DIR", defaultValue = "runs",
            description = "Record the run in a new folder under DIR (config, metrics, summary, model). Default: ${DEFAULT-VALUE}.")
    Path runsDir;

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Tag the run record (repeatable), e.g. --tag idea=dropout.")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--note", paramLabel = "TEXT", description = "A free-text note kept with the run record.")
    String note;

    @Option(names = "--teacher", paramLabel = "CHECKPOINT", arity = "1..*",
            description = "Distil from these trained models (their averaged probabilities on each augmented batch).")
    List<Path> teachers = new ArrayList<>();

    @Option(names = "--distill", paramLabel = "WEIGHT", defaultValue = "0.5",
            description = "Share of the loss taken by the teachers' probabilities, in (0, 1]. Default: ${DEFAULT-VALUE}.")
    float distillWeight;

    @Option(names = "--distill-temperature", paramLabel = "T", defaultValue = "2",
            description = "Temperature that softens both the teachers' and the student's probabilities. Default: ${DEFAULT-VALUE}.")
    float distillTemperature;

    @Option(names = "--init", paramLabel = "CHECKPOINT",
            description = "Fine-tune: start from this trained model (its architecture; a new last layer when the class count differs).")
    Path init;

    @Option(names = "--freeze", paramLabel = "LAYERS", split = ",",
            description = "Layers kept fixed while the rest trains, e.g. --freeze conv1,bn1,conv2,bn2 (with --init).")
    List<String> freeze = new ArrayList<>();

    @Option(names = "--replay-mnist", paramLabel = "N",
            description = {"Fine-tune on a corrections folder (serve --corrections DIR; give it as --data-dir, with --init the served model)",
                    "mixed with N MNIST training images drawn at random, so the digits the model read well are not forgotten."})
    Integer replayMnist;

    @Option(names = "--replay-dir", paramLabel = "DIR",
            description = "Where MNIST's IDX files are for --replay-mnist (default: $SIMDNET_DATA, then data/mnist/).")
    Path replayDir;

    @Option(names = "--calibrate", description = "Calibrate the saved model on the validation split: a temperature and the 'not sure' threshold (see calibrate).")
    boolean calibrate;

    @Option(names = "--sure-accuracy", paramLabel = "A",
            description = "With --calibrate: the threshold is the lowest at which the sure answers are right this often on validation. Default: 0.995.")
    Double sureAccuracy;

    @Option(names = "--profile", description = "Time every layer's forward and backward and the rest of each step; print the table on stderr.")
    boolean profile;
    @Option(names = "--input-size", paramLabel = "H[xW]",
            description = "Image folders: resize every picture to H x W pixels (default: the pictures' median size, at most "
                    + ImageFolder.MAX_AUTO_SIDE + " a side).")
    String inputSize;

    @Option(names = "--channels", paramLabel = "N",
            description = "Image folders: 1 (grey: colour pictures are read as their luminance) or 3 (red, green, blue). Default: 1 when every picture is grey, else 3.")
    Integer channels;

    @Option(names = "--preprocess", paramLabel = "RECIPE",
            description = "Image folders: none (resize) or digits (MNIST's recipe: ink cropped, fitted in 20x20, centred by mass in 28x28). Default: none.")
    String preprocess;

    @Option(names = "--skip-bad", description = "Image folders: train without the unreadable or non-picture files, however many (default: refuse over 1%%).")
    boolean skipBad;

    @Option(names = "--no-track", negatable = false, description = "Do not write a run record.")
    void noTrack(boolean v) { track = !v; }

    boolean track = true;

    @Override
    public Integer call() throws Exception {
        for (String k : tags.keySet())
            if (k.isBlank() || !k.matches("[A-Za-z0-9_.-]+")) throw usage("--tag needs KEY=VALUE with a key of letters, digits, _ . or -, got '" + k + "'");
        TrainConfig config = buildConfig();
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Experiment.Options options = new Experiment.Options(common.dataSource(), output, resume != null ? resume : stateDir,
                resume != null, folds == null ? 0 : folds);
        if (folds != null && folds < 2) throw usage("--folds must be at least 2, got " + folds);
        if (!teachers.isEmpty()) {                                   // before any data is read
            if (!(distillWeight > 0 && distillWeight <= 1)) throw usage("--distill must be in (0, 1], got " + distillWeight);
            if (!(distillTemperature >= 1 && distillTemperature <= 20))
                throw usage("--distill-temperature must be in [1, 20], got " + distillTemperature);
            for (Path t : teachers)
                if (!Files.isRegularFile(t))
                    throw new java.io.FileNotFoundException("teacher checkpoint " + t + " not found: train it first (for example train --preset best --output " + t + ")");
        }
        if (init != null && !Files.isRegularFile(init))
            throw new java.io.FileNotFoundException("--init checkpoint " + init + " not found");
        if (replayMnist != null && replayMnist < 1) throw usage("--replay-mnist must be at least 1, got " + replayMnist);
        if (replayMnist != null && init == null) throw usage("--replay-mnist fine-tunes a trained model: give --init CHECKPOINT (the served model)");
        if (replayMnist != null && common.dataDir == null) throw usage("--replay-mnist trains on a corrections folder: give --data-dir DIR");
        if (replayDir != null && replayMnist == null) throw usage("--replay-dir is where MNIST is for --replay-mnist: give --replay-mnist N too");
        if (sureAccuracy != null && !calibrate) throw usage("--sure-accuracy applies with --calibrate");
        if (sureAccuracy != null && !(sureAccuracy > 0 && sureAccuracy <= 1)) throw usage("--sure-accuracy must be in (0, 1], got " + sureAccuracy);
        if (calibrate && folds != null) throw usage("--calibrate calibrates the one model a run saves: drop --folds");
        ImageFolder.Settings folder = folderSettings();
        if (showAugmented != null) {
            new Experiment(config, null, options, new ProgressPrinter(err)).imageFolder(folder, validation).showAugmented(showAugmented);
            err.println("saved " + showAugmented);
            return 0;
        }
        RunStore store = track ? new RunStore(runsDir) : null;
        if (store != null) store.checkWritable();                   // before any training starts
        try (Kernels kernels = common.kernels(config.threads())) {
            RunRecorder recorder = store == null ? null : RunRecorder.start(store, config.toMap(), null, tags, note);
            // The environment (a git call, /proc/cpuinfo) is captured on the side while the data loads.
            CompletableFuture<Void> env = recorder == null ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.runAsync(() -> {
                        try {
                            recorder.environment(Environment.capture(kernels));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, r -> Thread.ofPlatform().daemon().name("simdnet-env").start(r));
            TrainListener listener = recorder == null ? new ProgressPrinter(err) : RunRecorder.both(new ProgressPrinter(err), recorder);
            Experiment experiment = new Experiment(config, kernels, options, listener);
            if (!teachers.isEmpty()) experiment.distillFrom(teachers, distillWeight, distillTemperature);
            if (init != null || !freeze.isEmpty()) experiment.fineTune(init, new java.util.HashSet<>(freeze));
            if (replayMnist != null) experiment.replayMnist(replayMnist, dev.simdnet.data.DataSource.standard(replayDir).withDownload(!common.offline));
            if (calibrate) experiment.calibrate(sureAccuracy == null ? dev.simdnet.model.Calibration.DEFAULT_SURE_ACCURACY : sureAccuracy);
            if (profile) experiment.profile();
            experiment.imageFolder(folder, validation);
            CountDownLatch recorded = new CountDownLatch(1);
            // Ctrl-C: let the loop save its state, then give the record a moment to say "interrupted".
            Thread hook = new Thread(() -> {
                experiment.interrupt();
                try {
                    recorded.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "simdnet-interrupt");
            Runtime.getRuntime().addShutdownHook(hook);
            Map<String, Object> result;
            try {
                result = experiment.run();
                if (recorder != null) {
                    long t0 = System.nanoTime();
                    env.join();                                      // long done, unless the run was very short
                    recorder.countOverhead(System.nanoTime() - t0);
                    if (experiment.testEvaluation() != null) recorder.confusion(experiment.testEvaluation().confusion());
                    recorder.finish(result);
                }
            } catch (Exception | Error e) {
                if (recorder != null) {
                    // The environment is still being written on the side when the run fails early (bad data):
                    // let it finish, so nothing writes into the record after the command has returned.
                    try {
                        env.join();
                    } catch (RuntimeException ignored) {
                        // a failed capture only leaves env.json out of the record
                    }
                    recorder.fail(Errors.message(e));
                }
                throw e;
            } finally {
                recorded.countDown();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting on Ctrl-C; the hook has done its work
            }
            Map<String, Object> line = new LinkedHashMap<>();
            if (recorder != null) line.put("run_id", recorder.id());
            line.putAll(result);
            if (recorder != null) line.put("tracking_seconds", Math.round(recorder.trackingSeconds() * 1e6) / 1e6);
            if (experiment.profileTable() != null) err.print(experiment.profileTable());
            out.println(JSON.std.asString(line));
            out.flush();
            return Boolean.TRUE.equals(result.get("interrupted")) ? 130 : 0;
        }
    }

    /** The preset with every option the user gave laid over it, through the config's one override mechanism. */
    private TrainConfig buildConfig() throws IOException {
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("model", model != null ? model
                : init != null && Files.isRegularFile(init) ? Model.load(init).spec().name() : null); // --init: its architecture
        given.put("dataset", dataset);
        given.put("epochs", epochs);
        given.put("batch", batch);
        given.put("lr", lr);
        given.put("optimizer", optimizer);
        given.put("momentum", momentum);
        given.put("weightDecay", weightDecay);
        given.put("schedule", schedule);
        given.put("warmup", warmup);
        given.put("labelSmoothing", labelSmoothing);
        given.put("dropout", dropout);
        given.put("augment", augment);
        given.put("validation", validation);
        given.put("patience", patience);
        given.put("seed", common.seed);
        given.values().removeIf(java.util.Objects::isNull);
        try {
            TrainConfig c = TrainConfig.preset(preset).with(given);
            return c.with("threads", common.threadsOr(c.threads()));
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** How an image folder is read; each of its options is a usage error without one. */
    private ImageFolder.Settings folderSettings() {
        boolean isFolder = ImageFolder.isImageFolder(common.dataDir);
        for (var given : List.of(Map.entry("--input-size", inputSize != null), Map.entry("--channels", channels != null),
                Map.entry("--preprocess", preprocess != null), Map.entry("--skip-bad", skipBad)))
            if (given.getValue() && !isFolder)
                throw usage(given.getKey() + " applies to image folders only: pass --data-dir DIR holding train/<class>/ picture folders");
        if (channels != null && channels != 1 && channels != 3) throw usage("--channels must be 1 (grey) or 3 (red, green, blue), got " + channels);
        if (preprocess != null && !List.of("none", "digits").contains(preprocess))
            throw usage("unknown --preprocess '" + preprocess + "': use none or digits");
        try {
            int[] size = inputSize == null ? new int[] {0, 0} : ImageFolder.Settings.parseSize(inputSize);
            if (inputSize != null && (size[0] < 1 || size[1] < 1)) throw usage("--input-size sides must be at least 1 pixel, got '" + inputSize + "'");
            return new ImageFolder.Settings(size[0], size[1], channels == null ? 0 : channels, "digits".equals(preprocess), skipBad);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Progress lines on stderr. */
    private record ProgressPrinter(PrintWriter err) implements TrainListener {
        @Override
        public void onStep(StepProgress p) {
            err.printf(Locale.ROOT, "epoch %d  step %d/%d  loss %.4f  lr %.4g  %.0f img/s  %.0f s left%n",
                    p.epoch(), p.step(), p.totalSteps(), p.loss(), p.lr(), p.imagesPerSecond(), p.secondsLeft());
            err.flush();
        }

        @Override
        public void onEpoch(EpochMetrics m) {
            err.printf(Locale.ROOT, "epoch %d done: train loss %.4f acc %.4f | val loss %.4f acc %.4f | %.1f s, %.0f img/s%n",
                    m.epoch(), m.trainLoss(), m.trainAccuracy(), m.valLoss(), m.valAccuracy(), m.seconds(), m.imagesPerSecond());
            err.flush();
        }

        @Override
        public void onNote(String message) {
            err.println(message);
            err.flush();
        }
    }
}
