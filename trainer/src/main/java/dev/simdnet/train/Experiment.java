package dev.simdnet.train;

import dev.simdnet.model.Calibration;
import dev.simdnet.model.Checkpoint;
import dev.simdnet.model.LabelledSamples;
import dev.simdnet.model.Model;
import dev.simdnet.model.ModelSpec;
import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.data.DataSource;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.DatasetKind;
import dev.simdnet.data.DatasetLoader;
import dev.simdnet.data.ImageFolder;
import dev.simdnet.data.Normalization;
import dev.simdnet.data.PenDigits;
import dev.simdnet.data.PenTraining;
import dev.simdnet.augment.GlyphStyles;
import dev.simdnet.data.Splits;
import dev.simdnet.data.Subset;
import dev.simdnet.eval.Evaluation;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.nn.Parameter;
import dev.simdnet.nn.Sequential;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One {@code train} invocation: load and verify the data, split off validation, train, test once, save the
 * model, and describe the run as a flat map (the JSON line the CLI prints). With {@code folds > 1} it runs
 * k-fold cross-validation instead and reports the mean and spread of the validation accuracy.
 *
 * <p>The data are MNIST or Fashion-MNIST's IDX files, or an {@link ImageFolder} when the data folder has a
 * {@code train/} folder: its own {@code val/} or a stratified split of {@code train/} validates, and its
 * {@code test/}, when there is one, is tested on once.
 */
public final class Experiment {


    /**
     * @param data     where the data sets are, and whether they may be downloaded
     * @param output   where the model goes (null: {@code <model>.safetensors})
     * @param stateDir training state for resuming (null: next to the output, {@code <model>.state/})
     * @param resume   continue from the state in stateDir
     * @param folds    0 or 1: one run; more: k-fold cross-validation
     */
    public record Options(DataSource data, Path output, Path stateDir, boolean resume, int folds) {}

    /** As given, then with the data set the run found (an image folder records "folder" and its validation size). */
    private TrainConfig config;
    private final Kernels kernels;
    private final Options options;
    private final TrainListener listener;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile Trainer trainer;
    private volatile Evaluation testEvaluation;
    private List<Path> teacherFiles = List.of();
    private Path init;
    private dev.simdnet.nn.Profile profile;
    private java.util.Set<String> frozen = java.util.Set.of();
    private float distillWeight, distillTemperature;
    private ImageFolder.Settings folderSettings = ImageFolder.Settings.DEFAULT;
    private Integer folderValidation;
    /** Accuracy the sure answers must reach when the saved model is calibrated on the validation split; NaN: not calibrated. */
    private double calibrateSure = Double.NaN;
    /** MNIST training images mixed into a fine-tuning on a corrections folder (0: none), and where MNIST is. */
    private int replayMnist;
    private DataSource replaySource;
    private Trainer.Parallel parallel;

    public Experiment(TrainConfig config, Kernels kernels, Options options, TrainListener listener) {
        this.config = config;
        this.kernels = kernels;
        this.options = options;
        this.listener = listener;
    }

    /** Trains by distillation from these checkpoints (see {@link Trainer#distillFrom}); call before {@link #run}. */
    public Experiment distillFrom(List<Path> teachers, float weight, float temperature) {
        this.teacherFiles = List.copyOf(teachers);
        this.distillWeight = weight;
        this.distillTemperature = temperature;
        return this;
    }

    /**
     * How an image folder is read when the data folder is one, and how many of its training pictures validate
     * when it has no {@code val/} folder (null: a tenth, at most {@link Splits#DEFAULT_VALIDATION}); call before
     * {@link #run}.
     */
    public Experiment imageFolder(ImageFolder.Settings settings, Integer validation) {
        this.folderSettings = settings;
        this.folderValidation = validation;
        return this;
    }

    /** Data-parallel training: the steps are taken by {@code p}'s shards (see {@link Trainer#parallel}); call before {@link #run}. */
    public Experiment dataParallel(Trainer.Parallel p) {
        this.parallel = p;
        return this;
    }

    /** Times each layer and stage of every training step; the per-step table is {@link #profileTable()} afterwards. */
    public Experiment profile() {
        this.profile = new dev.simdnet.nn.Profile();
        return this;
    }

    /** The profile of the run as a table (null unless {@link #profile()} was asked for and a run finished). */
    public String profileTable() {
        return profile == null || profile.steps() == 0 ? null : StepProfile.table(profile);
    }

    /**
     * Fine-tuning: start from the trained model in {@code init} (a new head when the class count differs) and keep
     * the {@code frozen} layers fixed.
     */
    public Experiment fineTune(Path init, java.util.Set<String> frozen) {
        this.init = init;
        this.frozen = java.util.Set.copyOf(frozen);
        return this;
    }

    /**
     * Calibrates the saved model on the run's validation split ({@link Calibration}): a temperature, and the lowest
     * "not sure" threshold whose sure answers are right {@code sureAccuracy} of the time there.
     */
    public Experiment calibrate(double sureAccuracy) {
        if (!(sureAccuracy > 0 && sureAccuracy <= 1)) throw new IllegalArgumentException("the sure accuracy must be in (0, 1], got " + sureAccuracy);
        this.calibrateSure = sureAccuracy;
        return this;
    }

    /**
     * Fine-tuning on a folder of corrections ({@code serve --corrections}): its pictures, labelled by the
     * {@link #fineTune --init} model's class names (any subset of them), mixed with {@code count} MNIST training
     * images drawn at random (seeded) from {@code mnist}, so the digits the model read well are not forgotten; MNIST's
     * test set is the test. Call before {@link #run}.
     */
    public Experiment replayMnist(int count, DataSource mnist) {
        if (count < 1) throw new IllegalArgumentException("--replay-mnist must be at least 1, got " + count);
        this.replayMnist = count;
        this.replaySource = mnist;
        return this;
    }

    /** The teacher checkpoints, each checked to read this run's images into its classes, from its data set. */
    private List<Sequential> loadTeachers(ModelSpec student) throws IOException {
        List<Sequential> teachers = new ArrayList<>();
        for (Path f : teacherFiles) {
            Checkpoint.Loaded c = Checkpoint.load(f);
            if (!Arrays.equals(c.spec().inputShape(), student.inputShape()) || c.spec().classes() != student.classes())
                throw new IllegalArgumentException("teacher " + f + " reads " + Arrays.toString(c.spec().inputShape()) + " images into "
                        + c.spec().classes() + " classes; this run needs " + Arrays.toString(student.inputShape()) + " into " + student.classes());
            String dataset = teacherDataset(c);
            if (dataset != null && !dataset.equals(TrainConfig.nameOf(config.dataset())))
                throw new IllegalArgumentException("teacher " + f + " was trained on " + dataset + ", this run trains on " + TrainConfig.nameOf(config.dataset())
                        + ": give a teacher trained on " + TrainConfig.nameOf(config.dataset()));
            teachers.add(c.net());
        }
        return teachers;
    }

    /** The data set named in a checkpoint's training config, or null when the file does not say. */
    private static String teacherDataset(Checkpoint.Loaded c) {
        String json = c.metadata().get("config");
        if (json == null) return null;
        try {
            Object d = JSON.std.mapFrom(json).get("dataset");
            return d == null ? null : d.toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** Ctrl-C: asks the loop to save its state, and waits (a few seconds at most) until it has. */
    public void interrupt() {
        Trainer t = trainer;
        if (t == null) return;
        t.requestStop();
        try {
            finished.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The test-set evaluation of the last single run (its confusion matrix goes into the run record); null before. */
    public Evaluation testEvaluation() { return testEvaluation; }

    public Path output() {
        return options.output() != null ? options.output() : Path.of(config.model() + ".safetensors");
    }

    public Path stateDir() {
        if (options.stateDir() != null) return options.stateDir();
        String name = output().getFileName().toString().replaceFirst("\\.safetensors$", "");
        return output().toAbsolutePath().resolveSibling(name + ".state");
    }

    public Map<String, Object> run() throws IOException {
        try {
            return options.folds() > 1 ? crossValidate() : trainOnce();
        } finally {
            finished.countDown();
        }
    }

    private Map<String, Object> trainOnce() throws IOException {
        // Fail on an unwritable output before spending any time on training.
        Path out = output().toAbsolutePath();
        Files.createDirectories(out.getParent());
        if (!Files.isWritable(out.getParent())) throw new IOException("cannot write the model to " + out.getParent() + ": folder not writable");
        Trainer.checkWritable(stateDir());

        long t0 = System.nanoTime();
        Data data = loadData(true);
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        Dataset train = data.train(), test = data.test();
        Normalization norm = data.norm();
        Splits.Split split = data.split();

        Trainer t = new Trainer(config, kernels, augmenter(train), listener, stateDir());
        if (!teacherFiles.isEmpty()) t.distillFrom(loadTeachers(Trainer.specFor(config, train)), distillWeight, distillTemperature);
        if (init != null) {
            Model start = Model.load(init);
            ModelSpec target = FineTuning.specFor(start, train.numClasses(), config.dropout());
            t.network(target, FineTuning.network(start, target, config.seed(), listener::onNote));
        }
        t.freeze(frozen);
        if (profile != null) t.profile(profile);
        if (parallel != null) t.parallel(parallel);
        trainer = t;
        Trainer.Outcome o = t.run(train, norm, split.train(), split.validation(), options.resume());

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", config.model());
        r.put("dataset", TrainConfig.nameOf(config.dataset()));
        r.putAll(data.facts());
        r.put("parameters", parameterCount(o));
        r.put("macs_per_image", o.net().macs(o.spec().inputShape()));
        r.put("epochs", o.history().size());
        r.put("steps", o.steps());
        if (profile != null) {
            r.put("profile", StepProfile.rows(profile));
            r.put("share_outside_gemm_layers", Math.round(StepProfile.shareOutsideGemmLayers(profile) * 1e4) / 1e4);
        }
        if (init != null) r.put("init", init.toString());
        if (!frozen.isEmpty()) r.put("frozen", frozen.stream().sorted().toList());
        if (!teacherFiles.isEmpty()) {
            r.put("teachers", teacherFiles.stream().map(f -> f.getFileName().toString()).toList());
            r.put("distill_weight", distillWeight);
            r.put("distill_temperature", distillTemperature);
        }
        if (o.interrupted()) {
            r.put("interrupted", true);
            r.put("state", Trainer.stateFile(stateDir()).toString());
            return r;
        }
        // The test set, touched once, at the very end; a folder without test/ has no test figure at all.
        Evaluation ev = test == null ? null : Model.of(o.spec(), o.net(), new Model.Input(test.rows(), test.cols(), test.channels(), norm,
                Model.Preprocess.RESIZE), Model.numberedClasses(o.spec().classes())).withKernels(kernels).evaluate(test, test.all(), 500);
        testEvaluation = ev;
        if (ev != null) {
            double[] ci = ev.confidenceInterval95();
            r.put("test_accuracy", round(ev.accuracy(), 6));
            r.put("test_accuracy_ci95", List.of(round(ci[0], 6), round(ci[1], 6)));
            r.put("test_loss", round(ev.loss(), 6));
        } else {
            r.put("test_accuracy", null);
            r.put("test_set", "none: " + options.data().explicitDir() + " has no test/ folder");
        }
        r.put("best_val_accuracy", Double.isNaN(o.bestValAccuracy()) ? null : round(o.bestValAccuracy(), 6));
        if (data.mnistHoldout() != null && data.mnistHoldout().length > 0) // mnist-pen validates on pen digits; MNIST's hold-out is reported
            r.put("mnist_val_accuracy", round(Model.of(o.spec(), o.net(), new Model.Input(train.rows(), train.cols(), train.channels(), norm,
                    Model.Preprocess.RESIZE), Model.numberedClasses(o.spec().classes())).withKernels(kernels).evaluate(train, data.mnistHoldout(), 500).accuracy(), 6));
        r.put("best_epoch", o.bestEpoch());
        r.put("early_stopped", o.earlyStopped());
        r.put("train_seconds", round(o.trainSeconds(), 3));
        r.put("warmup_seconds", round(o.warmUpSeconds(), 3)); // of this process: counted in train_seconds too
        r.put("load_seconds", round(loadSeconds, 3));
        r.put("images_per_second", Math.round(o.imagesPerSecond()));
        r.put("peak_heap_mb", Memory.peakHeapMb());
        r.put("peak_rss_mb", Memory.peakRssMb());
        r.put("kernels", kernels.name());
        r.put("threads", kernels.threads());
        r.put("seed", config.seed());
        Model trained = Model.of(o.spec(), o.net(), new Model.Input(train.rows(), train.cols(), train.channels(), norm, preprocess(data)), data.classes());
        if (!Double.isNaN(calibrateSure)) {
            if (split.validation().length == 0) throw new IllegalArgumentException("--calibrate fits on the validation split, and this run has none: drop --validation 0");
            List<float[]> samples = new ArrayList<>();
            int[] labels = new int[split.validation().length];
            for (int i = 0; i < labels.length; i++) {
                samples.add(train.imageUnit(split.validation()[i]));
                labels[i] = train.label(split.validation()[i]);
            }
            LabelledSamples v = new LabelledSamples("the validation split of " + train.name() + " (" + labels.length + " images)", samples, labels,
                    new int[labels.length], 0);
            Calibration c = Calibration.fit(trained.withKernels(kernels), v, calibrateSure);
            trained = trained.withCalibration(c);
            Map<String, Object> cal = new LinkedHashMap<>();
            cal.put("temperature", round(c.temperature(), 6));
            cal.put("threshold", round(c.threshold(), 6));
            cal.put("fitted_on", c.fittedOn());
            r.put("calibration", cal);
        }

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("config", JSON.std.asString(config.toMap()));
        meta.put("metrics", JSON.std.asString(r));
        meta.putAll(data.provenance());
        meta.put("git_commit", BuildInfo.gitCommit());
        meta.put("jdk", Runtime.version().toString());
        if (ev != null) meta.put("test_accuracy", Double.toString(ev.accuracy()));
        // Saved through the front door, which writes the class names, the normalization and the recipe with it.
        trained.withMetadata(meta).save(out);
        r.put("checkpoint", out.toString());
        return r;
    }

    /**
     * What a run trains and tests on.
     *
     * @param train      the labelled pictures that train and validate
     * @param split      which of them train and which validate
     * @param test       the test set, or null when there is none (an image folder without {@code test/})
     * @param facts      entries for the result line (where the data came from, the picture size...)
     * @param provenance checkpoint metadata naming the data's content (checksums or fingerprint)
     */
    private record Data(Dataset train, Splits.Split split, Dataset test, Normalization norm, List<String> classes,
                        Map<String, Object> facts, Map<String, String> provenance, int[] mnistHoldout) {
        Data(Dataset train, Splits.Split split, Dataset test, Normalization norm, List<String> classes,
             Map<String, Object> facts, Map<String, String> provenance) {
            this(train, split, test, norm, classes, facts, provenance, null);
        }
    }

    private Data loadData(boolean withTest) throws IOException {
        Path dir = options.data().explicitDir();
        if (replayMnist > 0) return loadCorrections(dir, withTest);
        if (ImageFolder.isImageFolder(dir)) return loadFolder(dir);
        if (config.dataset() == TrainConfig.DataSet.FOLDER)
            throw new IllegalArgumentException("dataset 'folder' needs --data-dir DIR holding train/<class>/ picture folders");
        if (config.dataset() == TrainConfig.DataSet.MNIST_PEN) return loadMnistPen(withTest);
        DatasetKind kind = config.dataset().kind();
        Dataset train = DatasetLoader.load(kind, Subset.TRAIN, options.data());
        Dataset test = withTest ? DatasetLoader.load(kind, Subset.TEST, options.data()) : null;
        Splits.Split split = config.validation() == 0 ? new Splits.Split(train.all(), new int[0])
                : Splits.holdout(train, config.validation(), config.seed());
        return new Data(train, split, test, kind.normalization(), kind.classNames(), Map.of(),
                Map.of("data_sha256", JSON.std.asString(dataChecksums(kind))));
    }

    /** Rendered pen digits of each training writer (two thick-brush drawings, one with the page's brush). */
    static final List<PenTraining.Brush> PEN_TRAIN_BRUSHES = List.of(PenTraining.Brush.THICK, PenTraining.Brush.THICK, PenTraining.Brush.PAGE);
    /** Each validation writer's digit as the two reports draw it: for classify, and as the page sends strokes. */
    static final List<PenTraining.Brush> PEN_VALIDATION_BRUSHES = List.of(PenTraining.Brush.THICK, PenTraining.Brush.PAGE_70);
    /** Glyphs of each programmatic style ({@link GlyphStyles}), about twice a training writer group's digits of a class. */
    static final int GLYPHS_PER_STYLE = 1000;

    /**
     * MNIST's training images (less the usual seeded hold-out, kept to report MNIST validation accuracy), the pen
     * digits of writers 1-16 and the glyph styles, all but MNIST drawn and prepared as a user's drawing is; validated
     * on the pen digits of writers 17-22. Writers 23-30 are not read.
     */
    private Data loadMnistPen(boolean withTest) {
        Dataset mnist = DatasetLoader.load(DatasetKind.MNIST, Subset.TRAIN, options.data());
        Dataset test = withTest ? DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, options.data()) : null;
        Path file = PenTraining.find(options.data());
        List<PenDigits.PenDigit> pen = PenDigits.load(file);
        long seed = config.seed();
        Dataset penTrain = PenTraining.render("pendigits/writers-1-16", PenTraining.writers(pen, 1, PenTraining.LAST_TRAIN_WRITER),
                PEN_TRAIN_BRUSHES, seed);
        Dataset glyphs = PenTraining.render("glyphs", GlyphStyles.generate(GLYPHS_PER_STYLE, seed), List.of(PenTraining.Brush.THICK), seed + 1);
        // The validation drawings do not depend on the run's seed: every candidate is scored on the same pictures.
        Dataset penVal = PenTraining.render("pendigits/writers-17-22",
                PenTraining.writers(pen, PenTraining.LAST_TRAIN_WRITER + 1, PenTraining.LAST_VALIDATION_WRITER), PEN_VALIDATION_BRUSHES, 17);
        Splits.Split mnistSplit = config.validation() == 0 ? new Splits.Split(mnist.all(), new int[0])
                : Splits.holdout(mnist, config.validation(), seed);
        Dataset all = Dataset.concat("mnist-pen", Dataset.concat("mnist-pen", Dataset.concat("mnist-pen", mnist, penTrain), glyphs), penVal);
        int extraFrom = mnist.n(), valFrom = mnist.n() + penTrain.n() + glyphs.n();
        int[] trainIdx = new int[mnistSplit.train().length + valFrom - extraFrom];
        System.arraycopy(mnistSplit.train(), 0, trainIdx, 0, mnistSplit.train().length);
        for (int i = extraFrom; i < valFrom; i++) trainIdx[mnistSplit.train().length + i - extraFrom] = i;
        Splits.Split split = new Splits.Split(trainIdx, range(valFrom, all.n()));
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("train_images", trainIdx.length);
        facts.put("train_mnist", mnistSplit.train().length);
        facts.put("train_pen_writers_1_16", penTrain.n());
        facts.put("train_glyphs", glyphs.n());
        facts.put("validation_images", split.validation().length);
        facts.put("validation_from", "pen digits of writers 17-22");
        Map<String, String> provenance = new LinkedHashMap<>();
        try {
            provenance.put("data_sha256", JSON.std.asString(dataChecksums(DatasetKind.MNIST)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        provenance.put("pendigits_sha256", PenDigits.TRAIN_SHA256);
        return new Data(all, split, test, DatasetKind.MNIST.normalization(), DatasetKind.MNIST.classNames(), facts, provenance,
                mnistSplit.validation());
    }

    private Data loadFolder(Path dir) {
        ImageFolder.Loaded f = ImageFolder.load(dir, folderSettings, listener::onNote);
        Dataset train = f.train();
        Splits.Split split;
        if (f.validation() != null) {
            // Trainer validates on indices of the one data set it trains from: val/ goes after train/.
            int nt = train.n(), nv = f.validation().n();
            train = Dataset.concat("folder/train+val", train, f.validation());
            split = new Splits.Split(range(0, nt), range(nt, nt + nv));
        } else {
            int v = folderValidation != null ? folderValidation : Math.min(Splits.DEFAULT_VALIDATION, train.n() / 10);
            if (v >= train.n())
                throw new IllegalArgumentException("--validation " + v + " would hold out all " + train.n() + " pictures of " + dir.resolve("train"));
            config = config.with("validation", v);
            split = v == 0 ? new Splits.Split(train.all(), new int[0]) : Splits.holdout(train, v, config.seed());
        }
        config = config.with("dataset", TrainConfig.DataSet.FOLDER);
        // The digit recipe makes MNIST's images, so MNIST's constants; anything else, the training pixels' own.
        Normalization norm = folderSettings.digits() ? Normalization.MNIST : Normalization.of(train, split.train());
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("data_dir", dir.toString());
        facts.put("classes", f.classes().size());
        facts.put("input_size", train.rows() + "x" + train.cols());
        facts.put("channels", train.channels());
        facts.put("train_images", split.train().length);
        facts.put("validation_images", split.validation().length);
        facts.put("validation_from", f.validation() != null ? "val/" : "train/ (stratified, seeded)");
        facts.put("test_images", f.test() == null ? 0 : f.test().n());
        facts.put("files_skipped", f.skipped());
        facts.put("decode_cached", f.fromCache());
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("data_fingerprint", f.fingerprint());
        return new Data(train, split, f.test(), norm, f.classes(), facts, provenance);
    }

    /**
     * A corrections folder ({@code DIR/train/<class>/}, or {@code DIR/<class>/}) read by the {@code --init} model's own
     * recipe and classes, then {@link #replayMnist} MNIST training images; a stratified tenth (at most 1,000, or
     * {@code --validation N}) validates.
     */
    private Data loadCorrections(Path dir, boolean withTest) throws IOException {
        if (init == null) throw new IllegalArgumentException("--replay-mnist fine-tunes a trained model: give --init CHECKPOINT");
        if (dir == null || !Files.isDirectory(dir)) throw new IllegalArgumentException("--replay-mnist trains on a corrections folder: give --data-dir DIR");
        Model start = Model.load(init);
        if (start.input().preprocess() != Model.Preprocess.DIGITS || start.input().size() != 28 * 28)
            throw new IllegalArgumentException("--replay-mnist mixes in MNIST digits, but " + init + " does not read 28x28 digits");
        Path root = Files.isDirectory(dir.resolve("train")) ? dir.resolve("train") : dir;
        LabelledSamples corr = LabelledSamples.folder(start, root);
        if (corr.blank() > 0) listener.onNote(corr.blank() + " pictures of " + root + " hold no digit and were left out");
        int n = corr.size(), px = 28 * 28;
        byte[] images = new byte[n * px], labels = new byte[n];
        for (int i = 0; i < n; i++) {
            float[] s = corr.samples().get(i);
            for (int p = 0; p < px; p++) images[i * px + p] = (byte) Math.round(Math.clamp(s[p], 0f, 1f) * 255);
            labels[i] = (byte) corr.labels()[i];
        }
        Dataset corrections = new Dataset("corrections", n, 28, 28, images, labels, start.classes());
        Dataset mnist = DatasetLoader.load(DatasetKind.MNIST, Subset.TRAIN, replaySource);
        if (mnist.numClasses() != start.classes())
            throw new IllegalArgumentException(init + " has " + start.classes() + " classes; MNIST has " + mnist.numClasses());
        int[] order = mnist.all();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(config.seed());
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int replay = Math.min(replayMnist, order.length);
        Dataset train = Dataset.concat("corrections+mnist", corrections, mnist.subset(Arrays.copyOf(order, replay), "mnist-replay"));
        int v = folderValidation != null ? folderValidation : Math.min(1000, train.n() / 10);
        if (v >= train.n()) throw new IllegalArgumentException("--validation " + v + " would hold out all " + train.n() + " pictures");
        config = config.with("validation", v).with("dataset", TrainConfig.DataSet.FOLDER);
        Splits.Split split = v == 0 ? new Splits.Split(train.all(), new int[0]) : Splits.holdout(train, v, config.seed());
        Dataset test = withTest ? DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, replaySource) : null;
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("data_dir", dir.toString());
        facts.put("corrections", n);
        facts.put("replay_mnist", replay);
        facts.put("train_images", split.train().length);
        facts.put("validation_images", split.validation().length);
        facts.put("test_set", "MNIST test");
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("corrections", JSON.std.asString(Map.of("dir", dir.toString(), "pictures", n, "replay_mnist", replay)));
        provenance.put("data_sha256", JSON.std.asString(dataChecksums(DatasetKind.MNIST)));
        return new Data(train, split, test, start.input().normalization(), start.classNames(), facts, provenance);
    }

    /** How the saved model reads a picture: the digit recipe for MNIST's kind of data and digit folders, else a resize. */
    private Model.Preprocess preprocess(Data data) {
        if (replayMnist > 0) return Model.Preprocess.DIGITS; // the --init model's recipe, which read the corrections
        boolean digits = ImageFolder.isImageFolder(options.data().explicitDir()) ? folderSettings.digits()
                : data.train().rows() == 28 && data.train().cols() == 28 && data.train().channels() == 1;
        return digits ? Model.Preprocess.DIGITS : Model.Preprocess.RESIZE;
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    private BatchAugmenter augmenter(Dataset train) {
        checkAugmentable(train);
        return Augmentations.forPreset(config.augment(), config.seed(), kernels.parallel(), train.rows(), train.cols(), train.channels());
    }

    private void checkAugmentable(Dataset train) {
        TrainConfig.Augmentation a = config.augment();
        if (a == TrainConfig.Augmentation.CROP_FLIP && readsDigits())
            throw new IllegalArgumentException("--augment crop-flip mirrors pictures, and a mirrored digit is no digit: use --augment light or pen for digits");
        if (train.channels() != 1 && a != TrainConfig.Augmentation.NONE && a != TrainConfig.Augmentation.CROP_FLIP)
            throw new IllegalArgumentException("augmentation (--augment " + TrainConfig.nameOf(a) + ") works on grey images only: train colour pictures with "
                    + "--augment crop-flip or none, or read them as grey with --channels 1");
    }

    /** MNIST, or an image folder read with the digit recipe. */
    private boolean readsDigits() {
        return ImageFolder.isImageFolder(options.data().explicitDir()) ? folderSettings.digits()
                : config.dataset() == TrainConfig.DataSet.MNIST || config.dataset() == TrainConfig.DataSet.MNIST_PEN;
    }

    private Map<String, Object> crossValidate() throws IOException {
        if (init != null || !frozen.isEmpty()) throw new IllegalArgumentException("--init and --freeze train one model: drop --folds");
        long t0 = System.nanoTime();
        Data data = loadData(false);
        Dataset train = data.train();
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        List<Splits.Split> folds = Splits.kFold(train.labelsAsInts(), train.numClasses(), options.folds(), config.seed());
        List<Double> acc = new ArrayList<>();
        double seconds = 0;
        for (int f = 0; f < folds.size(); f++) {
            listener.onNote("fold " + (f + 1) + " of " + folds.size());
            Trainer t = new Trainer(config, kernels, augmenter(train), listener, null);
            trainer = t;
            Trainer.Outcome o = t.run(train, data.norm(), folds.get(f).train(), folds.get(f).validation(), false);
            if (o.interrupted()) break;
            acc.add(round(o.bestValAccuracy(), 6));
            seconds += o.trainSeconds();
        }
        double mean = acc.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double var = acc.stream().mapToDouble(a -> (a - mean) * (a - mean)).sum() / Math.max(1, acc.size() - 1);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", config.model());
        r.put("dataset", TrainConfig.nameOf(config.dataset()));
        r.put("folds", options.folds());
        r.put("fold_val_accuracy", acc);
        r.put("mean_val_accuracy", round(mean, 6));
        r.put("std_val_accuracy", round(Math.sqrt(var), 6));
        r.put("train_seconds", round(seconds, 3));
        r.put("load_seconds", round(loadSeconds, 3));
        r.put("peak_heap_mb", Memory.peakHeapMb());
        return r;
    }

    /** Saves a grid of augmented training images for a person to look at. */
    public void showAugmented(Path png) throws IOException {
        if (config.augment() == TrainConfig.Augmentation.CROP_FLIP)
            throw new IllegalArgumentException("--show-augmented draws the grey augmentations (light, pen, strong), not crop-flip");
        Dataset train = loadData(false).train();
        checkAugmentable(train);
        Augmentations.saveGrid(train, config.augment(), config.seed(), png);
    }

    private static long parameterCount(Trainer.Outcome o) {
        long n = 0;
        for (Parameter p : o.net().parameters()) n += p.size();
        return n;
    }

    private static Map<String, String> dataChecksums(DatasetKind kind) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String f : DatasetKind.allFiles()) m.put(f, kind.sha256(f));
        return m;
    }

    static double round(double v, int digits) {
        if (!Double.isFinite(v)) return v;
        double s = Math.pow(10, digits);
        return Math.round(v * s) / s;
    }
}
