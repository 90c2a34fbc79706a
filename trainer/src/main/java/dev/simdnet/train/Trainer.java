package dev.simdnet.train;

import dev.simdnet.model.Model;
import dev.simdnet.model.ModelSpec;
import dev.simdnet.model.Models;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.Normalization;
import dev.simdnet.eval.Evaluation;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.nn.Context;
import dev.simdnet.nn.Parameter;
import dev.simdnet.nn.Sequential;
import dev.simdnet.optim.AdamW;
import dev.simdnet.optim.LearningRateSchedule;
import dev.simdnet.optim.Optimizer;
import dev.simdnet.optim.Sgd;
import dev.simdnet.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The training loop. {@link #run} reads top to bottom: batch, augment, forward, loss, backward, step,
 * schedule, log; then validation, checkpoint and early stopping at each epoch's end.
 *
 * <p>Determinism: the weights come from the seed, each epoch's order from (seed, epoch), each batch's
 * augmentation from (seed, step) and dropout from (seed, step); so a run resumed from a checkpoint ends with
 * the same weights as one never stopped, for the same thread count.
 */
public final class Trainer {

    /** The run's outcome: the network with the best validation weights restored, and what it measured. */
    public record Outcome(Sequential net, ModelSpec spec, List<TrainListener.EpochMetrics> history, double bestValAccuracy,
                          int bestEpoch, long steps, double trainSeconds, double warmUpSeconds, double imagesPerSecond,
                          boolean interrupted, boolean earlyStopped) {}

    private final TrainConfig config;
    private final Kernels kernels;
    private final TrainListener listener;
    private final BatchAugmenter augmenter;
    private final Path stateDir;
    private final HeapGuard heapGuard = HeapGuard.forThisJvm();
    private volatile boolean stopRequested;
    // What it trains, when code gives it rather than the config's registry name (see network, optimizer, schedule).
    private ModelSpec spec;
    private Sequential net;
    private Optimizer optimizer;
    private LearningRateSchedule schedule;
    private java.util.Set<String> frozen = java.util.Set.of();
    private dev.simdnet.nn.Profile profile;
    private List<Sequential> teachers = List.of();
    private float distillWeight, distillTemperature = 1f;
    private Parallel parallel;

    /**
     * @param stateDir where the per-epoch training state goes for {@code --resume} (null: none)
     */
    public Trainer(TrainConfig config, Kernels kernels, BatchAugmenter augmenter, TrainListener listener, Path stateDir) {
        this.config = config;
        this.kernels = kernels;
        this.augmenter = augmenter;
        this.listener = listener;
        this.stateDir = stateDir;
    }

    /**
     * Knowledge distillation (Hinton et al. 2015): each step also pulls the student's softened probabilities toward
     * the average of the teachers' on the same augmented batch. The loss becomes
     * {@code (1 - weight) · CE(label) + weight · T² · KL(teachers_T || student_T)} at temperature {@code T}.
     */
    public Trainer distillFrom(List<Sequential> teachers, float weight, float temperature) {
        if (teachers.isEmpty()) throw new IllegalArgumentException("distillation needs at least one teacher");
        if (!(weight > 0 && weight <= 1)) throw new IllegalArgumentException("distillation weight must be in (0, 1], got " + weight);
        if (!(temperature >= 1 && temperature <= 20)) throw new IllegalArgumentException("distillation temperature must be in [1, 20], got " + temperature);
        this.teachers = List.copyOf(teachers);
        this.distillWeight = weight;
        this.distillTemperature = temperature;
        return this;
    }

    /** Asks the loop to save its state at the next step and return (Ctrl-C). */
    public void requestStop() { stopRequested = true; }

    /** The file the loop saves its state to, and resumes from. */
    public static Path stateFile(Path dir) { return dir.resolve("training-state.safetensors"); }

    /**
     * Trains this network instead of a fresh one from the registry: built in code, or a trained model to fine-tune.
     * Its spec must describe it (its input shape and classes); the config still gives the loop's recipe.
     */
    public Trainer network(ModelSpec spec, Sequential net) {
        this.spec = java.util.Objects.requireNonNull(spec, "spec");
        this.net = java.util.Objects.requireNonNull(net, "net");
        return this;
    }

    /** Updates the weights with this optimizer instead of the config's (SGD or AdamW). */
    public Trainer optimizer(Optimizer optimizer) {
        this.optimizer = java.util.Objects.requireNonNull(optimizer, "optimizer");
        return this;
    }

    /** Follows this learning-rate schedule instead of the config's. */
    public Trainer schedule(LearningRateSchedule schedule) {
        this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
        return this;
    }

    /**
     * Keeps the named layers fixed ({@code conv1}): their parameters get no update and their batch-norm statistics
     * stay as they were; the others train. For fine-tuning a model on a little data.
     */
    public Trainer freeze(java.util.Set<String> layers) {
        this.frozen = java.util.Set.copyOf(layers);
        return this;
    }

    /**
     * Data-parallel training by synchronous parameter averaging (the spark module gives one). The loop no longer
     * takes its steps itself: it hands every run of steps (at most {@link Parallel#stepsPerRound}, never across an
     * epoch's end) to {@code p}, which has each shard take them from the same state and returns the average. The
     * schedule, validation, best weights, state saving and early stopping stay the loop's own. An epoch is then
     * {@code (training images / shards) / batch} steps, each of {@code shards × batch} images.
     */
    public Trainer parallel(Parallel p) {
        this.parallel = java.util.Objects.requireNonNull(p, "parallel");
        return this;
    }

    /** Where the steps of a data-parallel run are taken (see {@link #parallel}). */
    public interface Parallel {
        /** How many shards train at once. */
        int shards();

        /** The most steps a shard takes between two averages. */
        int stepsPerRound();

        /** Called once before the first round, with what the shards train on ({@code trainIdx} is split among them). */
        void start(TrainConfig config, Dataset data, Normalization norm, int[] trainIdx) throws IOException;

        /**
         * Every shard takes steps {@code [fromStep, fromStep + count)} starting from {@code state} (see
         * {@link #shardSteps}); returns the average of their states, and their training figures added up.
         */
        Round round(Map<String, Tensor> state, long optimizerSteps, long fromStep, int count) throws IOException;
    }

    /**
     * A round's outcome: the state ({@code model.*} weights and batch-norm buffers, {@code optim.*} optimizer state),
     * the sum of the steps' mean losses (averaged over the shards), and the training images read right and read.
     */
    public record Round(Map<String, Tensor> state, double lossSum, long correct, long seen) {}

    /**
     * One shard's part of a data-parallel round: from {@code state} (as a {@link Round} holds it; empty {@code optim.*}
     * before the first step) and the optimizer's step count, takes steps {@code [fromStep, fromStep + count)} on the
     * {@code shard} indices of {@code data}, exactly as {@link #run} would take them on that training split, and
     * returns the state after them. With one shard holding the whole split, a run of rounds is the same computation
     * as one {@link #run}, bit for bit (SparkDataParallelTest).
     */
    public Round shardSteps(Dataset data, Normalization norm, int[] shard, Map<String, Tensor> state, long optimizerSteps,
                            long fromStep, int count) {
        Loop loop = new Loop(data, norm, shard, new int[0]);
        loop.load(state, optimizerSteps);
        loop.step = fromStep;
        for (int i = 0; i < count; i++) loop.step();
        return new Round(loop.state(), loop.epochLoss, loop.correct, loop.seen);
    }

    /** Times every layer's forward and backward, and the rest of each step, into {@code p} (train --profile). */
    public Trainer profile(dev.simdnet.nn.Profile p) {
        this.profile = p;
        return this;
    }

    /**
     * Trains on {@code trainIdx} of {@code data}, validating on {@code valIdx} (may be empty) after every epoch.
     * With {@code resume}, continues from the state saved in the state directory.
     */
    public Outcome run(Dataset data, Normalization norm, int[] trainIdx, int[] valIdx, boolean resume) throws IOException {
        Loop loop = new Loop(data, norm, trainIdx, valIdx);
        if (resume) loop.resume();
        if (parallel != null) {
            if (!teachers.isEmpty() || !frozen.isEmpty() || profile != null)
                throw new IllegalArgumentException("data-parallel training does not distil, freeze layers or profile: train in one process for those");
            parallel.start(config, data, norm, trainIdx);
        }
        loop.warmUp();
        while (loop.step < loop.totalSteps) {
            if (parallel != null) loop.round();
            else loop.step();
            if (loop.step % loop.stepsPerEpoch == 0 || loop.step == loop.totalSteps) {
                if (!loop.endEpoch()) break;                            // early stop
            } else if (stopRequested) {
                loop.interrupt();
                break;
            }
        }
        return loop.outcome();
    }

    /** The network, optimizer and schedule the config names: the registry's shortcut onto the same loop. */
    private Optimizer configOptimizer() {
        return config.optimizer() == TrainConfig.OptimizerKind.ADAM
                ? new AdamW(0.9f, 0.999f, 1e-8f, config.weightDecay(), kernels)
                : new Sgd(config.momentum(), true, config.weightDecay(), kernels);
    }

    private LearningRateSchedule configSchedule(long totalSteps) {
        return switch (config.schedule()) {
            case ONECYCLE -> new LearningRateSchedule.OneCycle(config.lr(), config.warmup(), 25, 1e4, true);
            case COSINE -> new LearningRateSchedule.WarmupCosine(config.lr(), Math.round(config.warmup() * totalSteps), 0f);
            case CONSTANT -> new LearningRateSchedule.Constant(config.lr());
        };
    }

    /** One run of the loop: what it trains, its buffers, and its progress (saved in the training state). */
    private final class Loop {
        final Dataset data;
        final Normalization norm;
        final int[] trainIdx, valIdx;
        final ModelSpec spec;
        final Sequential net;
        final int classes, b = config.batch(), h, w, c, size;
        final long stepsPerEpoch, totalSteps, reportEvery;
        final Optimizer optimizer;
        final LearningRateSchedule schedule;
        final List<Parameter> params, trained;
        final Map<String, Tensor> frozenBuffers;
        /** Validation through the model's own prediction path, on the training network itself (no second set of buffers). */
        final Model evaluator;

        final float[] x, dlogits;                                       // (b, h, w, c), (b, classes)
        final int[] y;
        final float[] teacherProbs, softScratch, softProbs;             // distillation only: q, logits / T, softmax(logits / T)

        // progress, saved and resumed
        long step;
        double bestVal = Double.NEGATIVE_INFINITY;
        int bestEpoch, sinceBest;
        Map<String, Tensor> best;
        final List<TrainListener.EpochMetrics> history = new ArrayList<>();
        double trainSeconds, warmUpSeconds;

        // this epoch's and this report's counters
        int[] order;
        long orderEpoch = -1, correct, seen, lossSteps, epochSteps, reportStep, clock, epochClock;
        double lossSum, epochLoss;
        float lr;
        boolean interrupted, earlyStopped;

        Loop(Dataset data, Normalization norm, int[] trainIdx, int[] valIdx) {
            this.data = data;
            this.norm = norm;
            this.trainIdx = trainIdx;
            this.valIdx = valIdx;
            h = data.rows();
            w = data.cols();
            c = data.channels();
            size = data.pixels();
            spec = Trainer.this.spec != null ? Trainer.this.spec : specFor(config, data);
            net = Trainer.this.net != null ? Trainer.this.net : Models.build(spec, config.seed());
            classes = spec.classes();
            int[] in = spec.inputShape();
            if (in[0] != h || in[1] != w || in[2] != c)
                throw new IllegalArgumentException("the network takes " + in[0] + "x" + in[1] + "x" + in[2] + " images, the data holds " + h + "x" + w + "x" + c);
            if (spec.classes() != data.numClasses())
                throw new IllegalArgumentException("the network reads " + spec.classes() + " classes, the data has " + data.numClasses());
            int shards = parallel == null ? 1 : parallel.shards(), shardSize = trainIdx.length / shards;
            if (shardSize < b)
                throw new IllegalArgumentException((shards > 1 ? "a shard of the training split (" + trainIdx.length + " / " + shards + " = " + shardSize
                        : "the training split (" + trainIdx.length) + ") is smaller than one batch (" + b + ")");
            stepsPerEpoch = shardSize / b;                              // the last partial batch is dropped
            totalSteps = Math.max(1, Math.round(config.epochs() * stepsPerEpoch));
            reportEvery = Math.max(1, Math.min(50, stepsPerEpoch / 10));
            optimizer = Trainer.this.optimizer != null ? Trainer.this.optimizer : configOptimizer();
            schedule = Trainer.this.schedule != null ? Trainer.this.schedule : configSchedule(totalSteps);
            params = net.parameters();
            trained = params.stream().filter(p -> !frozen.contains(layerOf(p.name()))).toList();
            frozenBuffers = new LinkedHashMap<>();
            for (var e : net.buffers().entrySet()) if (frozen.contains(layerOf(e.getKey()))) frozenBuffers.put(e.getKey(), e.getValue().copy());
            checkFrozenLayersExist();
            evaluator = Model.of(spec, net, new Model.Input(h, w, c, norm, Model.Preprocess.RESIZE), Model.numberedClasses(classes)).withKernels(kernels);
            x = new float[b * size];
            y = new int[b];
            dlogits = new float[b * classes];
            teacherProbs = teachers.isEmpty() ? null : new float[b * classes];
            softScratch = teachers.isEmpty() ? null : new float[b * classes];
            softProbs = teachers.isEmpty() ? null : new float[b * classes];
        }

        private void checkFrozenLayersExist() {
            java.util.Set<String> layers = new java.util.HashSet<>();
            for (Parameter p : params) layers.add(layerOf(p.name()));
            for (String f : frozen)
                if (!layers.contains(f)) throw new IllegalArgumentException("cannot freeze '" + f + "': the network's layers with weights are " + layers.stream().sorted().toList());
        }

        void resume() throws IOException {
            TrainingState s = TrainingState.load(stateFile(stateDir), spec, config, net, optimizer);
            step = s.step();
            bestVal = s.bestValAccuracy();
            bestEpoch = s.bestEpoch();
            sinceBest = s.sinceBest();
            best = s.bestWeights();
            history.addAll(s.history());
            trainSeconds = s.trainSeconds();
            listener.onNote("resumed at step " + step + " of " + totalSteps + " (epoch " + (step / stepsPerEpoch + 1) + ")");
        }

        void warmUp() {
            long start = System.nanoTime();
            Trainer.this.warmUp(net, spec, h, w, c);
            warmUpSeconds = (System.nanoTime() - start) / 1e9;
            trainSeconds += warmUpSeconds;
            listener.onNote(String.format(Locale.ROOT, "warm-up (JIT compilation of the kernels): %.2f s", warmUpSeconds));
            clock = epochClock = System.nanoTime();
            reportStep = step;
        }

        /** One batch: augment, forward, loss, backward, update, schedule, log. */
        void step() {
            long epoch = step / stepsPerEpoch, inEpoch = step % stepsPerEpoch;
            if (epoch != orderEpoch) {
                order = shuffled(trainIdx, config.seed() * 1_000_003L + epoch);
                orderEpoch = epoch;
            }

            // batch: images in [0, 1], augmented, then normalized as at inference
            long t0 = profile == null ? 0 : System.nanoTime();
            int from = (int) (inEpoch * b);
            data.fillBatch(order, from, b, Normalization.IDENTITY, x, 0);
            data.fillLabels(order, from, b, y);
            augmenter.apply(x, b, epoch, order, from);
            norm.applyInPlace(x, 0, b * size);

            // the teachers first: their forward passes share the kernels' work buffers with the student's
            if (teacherProbs != null) teacherProbabilities(Tensor.view(x, 0, b, h, w, c), b, teacherProbs, softScratch, softProbs);

            // forward, loss
            Context ctx = Context.training(kernels, mix(config.seed() + 1, step));
            if (profile != null) {
                profile.stage("data and augmentation", System.nanoTime() - t0);
                ctx = ctx.withProfile(profile);
            }
            Tensor logits = net.forward(Tensor.view(x, 0, b, h, w, c), ctx);
            long t1 = profile == null ? 0 : System.nanoTime();
            double loss = kernels.softmaxCrossEntropy(b, classes, logits.data(), logits.offset(), y, 0,
                    config.labelSmoothing(), null, 0, dlogits, 0) / b;
            if (teacherProbs != null) {
                softmaxAt(kernels, b, classes, logits.data(), logits.offset(), distillTemperature, softScratch, softProbs);
                loss = distill(b, classes, softProbs, teacherProbs, distillWeight, distillTemperature, loss, dlogits);
            }
            if (!Double.isFinite(loss))
                throw new TrainingDivergedException("the loss became " + loss + " at step " + (step + 1)
                        + ": lower the learning rate (now " + config.lr() + ") or check the data");
            for (int i = 0; i < b; i++)
                if (Evaluation.argmax(logits.data(), logits.offset() + i * classes, classes) == y[i]) correct++;

            // backward, step
            for (Parameter p : params) p.zeroGrad();
            if (profile != null) profile.stage("loss", System.nanoTime() - t1);
            net.backward(Tensor.view(dlogits, 0, b, classes), ctx.withNeedInputGrad(false));
            long t2 = profile == null ? 0 : System.nanoTime();
            lr = schedule.lr(step, totalSteps);
            optimizer.step(trained, lr);
            for (var e : frozenBuffers.entrySet()) copyInto(e.getValue(), net.buffers().get(e.getKey()));
            if (profile != null) {
                profile.stage("optimizer", System.nanoTime() - t2);
                profile.countStep();
            }
            step++;
            heapGuard.check();
            seen += b;
            lossSum += loss;
            lossSteps++;
            epochLoss += loss;
            epochSteps++;
            if (step % reportEvery == 0 || step == totalSteps) report();
        }

        /** Data parallelism: the shards take the steps up to the epoch's end or stepsPerRound, and their average comes back. */
        void round() throws IOException {
            long end = Math.min(totalSteps, (step / stepsPerEpoch + 1) * stepsPerEpoch);
            int count = (int) Math.min(parallel.stepsPerRound(), end - step);
            Round r = parallel.round(state(), optimizer.steps(), step, count);
            load(r.state(), optimizer.steps() + count);
            lr = schedule.lr(step + count - 1, totalSteps);
            step += count;
            seen += r.seen();
            correct += r.correct();
            epochLoss += r.lossSum();
            epochSteps += count;
            lossSum += r.lossSum();
            lossSteps += count;
            report();
        }

        /** Weights, buffers and optimizer state by name (live tensors: copy them to keep). */
        Map<String, Tensor> state() {
            Map<String, Tensor> m = dev.simdnet.model.Checkpoint.weights(net, "model.");
            for (var e : optimizer.state().entrySet()) m.put("optim." + e.getKey(), e.getValue());
            return m;
        }

        void load(Map<String, Tensor> state, long optimizerSteps) {
            dev.simdnet.model.Checkpoint.copyWeights(state, "model.", net, null);
            Map<String, Tensor> optim = new LinkedHashMap<>();
            for (var e : state.entrySet()) if (e.getKey().startsWith("optim.")) optim.put(e.getKey().substring(6), e.getValue());
            optimizer.loadState(optim, optimizerSteps);
        }

        private void report() {
            long now = System.nanoTime();
            double secs = (now - clock) / 1e9, ips = (step - reportStep) * b / secs;
            listener.onStep(new TrainListener.StepProgress(step, totalSteps, (int) (step - 1) / (int) stepsPerEpoch + 1,
                    lossSum / lossSteps, lr, ips, (totalSteps - step) * b / ips));
            lossSum = 0;
            lossSteps = 0;
            clock = now;
            reportStep = step;
        }

        /** Validation, the best weights so far, the training state; false when early stopping ends the run. */
        boolean endEpoch() throws IOException {
            int epoch = (int) ((step - 1) / stepsPerEpoch);
            double secs = (System.nanoTime() - epochClock) / 1e9;
            trainSeconds += secs;
            Evaluation val = evaluate();
            var m = new TrainListener.EpochMetrics(epoch + 1, epochLoss / epochSteps, (double) correct / seen,
                    val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(), lr, seen / secs, secs);
            history.add(m);
            listener.onEpoch(m);
            double score = val == null ? -m.trainLoss() : val.accuracy();
            if (score > bestVal) {
                bestVal = score;
                bestEpoch = epoch + 1;
                sinceBest = 0;
                best = snapshot(net);
            } else {
                sinceBest++;
            }
            saveState();
            if (config.patience() > 0 && sinceBest >= config.patience() && step < totalSteps) {
                listener.onNote("early stop after epoch " + (epoch + 1) + ": no better validation accuracy for " + sinceBest + " epochs");
                earlyStopped = true;
                return false;
            }
            epochLoss = 0;
            epochSteps = 0;
            correct = 0;
            seen = 0;
            epochClock = System.nanoTime();
            return true;
        }

        /** Accuracy and loss on the validation images, or null without any. */
        Evaluation evaluate() {
            return valIdx.length == 0 ? null : evaluator.evaluate(data, valIdx, b);
        }

        /** Ctrl-C: the state saved at this step, to resume from. */
        void interrupt() throws IOException {
            trainSeconds += (System.nanoTime() - epochClock) / 1e9;
            if (stateDir != null) {
                saveState();
                listener.onNote("interrupted at step " + step + ": state saved to " + stateFile(stateDir) + "; continue with --resume " + stateDir);
            }
            interrupted = true;
        }

        private void saveState() throws IOException {
            if (stateDir != null)
                TrainingState.save(stateFile(stateDir), spec, config, net, optimizer, step, bestVal, bestEpoch, sinceBest, best, history, trainSeconds);
        }

        Outcome outcome() {
            if (best != null && !interrupted) restore(net, best);        // model selection on validation only
            long imagesTrained = step * b;
            return new Outcome(net, spec, history, valIdx.length == 0 ? Double.NaN : bestVal, bestEpoch, step, trainSeconds, warmUpSeconds,
                    imagesTrained / Math.max(trainSeconds, 1e-9), interrupted, earlyStopped);
        }
    }

    /** The network the config names, shaped for the data: its pictures' size and its classes (MNIST's 28x28x1 into 10). */
    public static ModelSpec specFor(TrainConfig config, Dataset data) {
        return new ModelSpec(config.model(), new int[] {data.rows(), data.cols(), data.channels()}, data.numClasses(), config.dropout());
    }

    /** The layer of a parameter or buffer path: {@code conv1} of {@code conv1.weight}. */
    static String layerOf(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(0, dot);
    }

    /** The teachers' probabilities at the distillation temperature, averaged over the teachers, into {@code out}. */
    private void teacherProbabilities(Tensor x, int rows, float[] out, float[] scratch, float[] probs) {
        Arrays.fill(out, 0f);
        for (Sequential t : teachers) {
            Tensor z = t.forward(x, Context.inference(kernels));
            softmaxAt(kernels, rows, out.length / rows, z.data(), z.offset(), distillTemperature, scratch, probs);
            for (int k = 0; k < out.length; k++) out[k] += probs[k] / teachers.size();
        }
    }

    /** {@code out = softmax(z / temperature)}, row by row, by the kernels; {@code scratch} holds the scaled logits. */
    static void softmaxAt(Kernels kernels, int rows, int classes, float[] z, int off, float temperature, float[] scratch, float[] out) {
        for (int k = 0; k < rows * classes; k++) scratch[k] = z[off + k] / temperature;
        kernels.softmax(rows, classes, scratch, 0, out, 0);
    }

    /**
     * Mixes the distillation term into the label loss {@code ceLoss} (mean over the batch) and its gradient
     * {@code dlogits} (already divided by the batch), for the student's probabilities {@code p} and the teachers'
     * {@code q}, both at temperature {@code t}, with weight {@code a}: the gradient of
     * {@code T² · KL(q || softmax(z / T))} in the logits z is {@code T · (softmax(z / T) - q)}. Returns the mixed loss.
     */
    static double distill(int b, int classes, float[] p, float[] q, float a, float t, double ceLoss, float[] dlogits) {
        double kl = 0;
        for (int k = 0; k < b * classes; k++) {
            float qk = q[k];
            if (qk > 0) kl += qk * (Math.log(qk) - Math.log(Math.max(p[k], 1e-30f)));
            dlogits[k] = (1 - a) * dlogits[k] + a * t * (p[k] - qk) / b;
        }
        return (1 - a) * ceLoss + a * t * t * kl / b;
    }

    /**
     * Runs a replica of the network on tiny batches until the JIT has compiled the vector kernels. Until then
     * every vector operation is boxed, so a full-size batch run cold costs seconds and hundreds of megabytes of
     * garbage; tiny batches get the same methods compiled for a fraction of both. The time counts as training
     * time. The replica shares the weights, which it only reads; what it writes there (gradients, batch-norm
     * statistics) is put back, so the network, its optimizer and every random stream are as before.
     */
    private void warmUp(Sequential net, ModelSpec spec, int h, int w, int c) {
        int n = 4, classes = spec.classes();
        Map<String, Tensor> buffers = new LinkedHashMap<>();
        for (var e : net.buffers().entrySet()) buffers.put(e.getKey(), e.getValue().copy());
        Sequential replica = net.replica();
        Tensor x = Tensor.zeros(n, h, w, c);
        for (int i = 0; i < x.size(); i++) x.set(i, (i * 37 % 11) / 11f);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = i % classes;
        float[] dlogits = new float[n * classes];
        for (int step = 0; step < WARM_UP_STEPS; step++) {
            Context ctx = Context.training(kernels, step);
            Tensor logits = replica.forward(x, ctx);
            kernels.softmaxCrossEntropy(n, classes, logits.data(), logits.offset(), y, 0, 0f, null, 0, dlogits, 0);
            replica.backward(Tensor.view(dlogits, 0, n, classes), ctx.withNeedInputGrad(false));
            heapGuard.check();
        }
        for (var e : buffers.entrySet()) copyInto(e.getValue(), net.buffers().get(e.getKey()));
        for (Parameter p : net.parameters()) p.zeroGrad();
    }

    /** Enough tiny steps for C2 to compile the kernels (measured: cold first epochs lose about 0.6 s without it). */
    private static final int WARM_UP_STEPS = 250;

    /** Parameters and buffers, copied, by name. */
    static Map<String, Tensor> snapshot(Sequential net) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Parameter p : net.parameters()) m.put(p.name(), p.value().copy());
        for (var e : net.buffers().entrySet()) m.put(e.getKey(), e.getValue().copy());
        return m;
    }

    static void restore(Sequential net, Map<String, Tensor> weights) {
        for (Parameter p : net.parameters()) copyInto(weights.get(p.name()), p.value());
        for (var e : net.buffers().entrySet()) copyInto(weights.get(e.getKey()), e.getValue());
    }

    private static void copyInto(Tensor src, Tensor dst) {
        System.arraycopy(src.data(), src.offset(), dst.data(), dst.offset(), dst.size());
    }

    /** A seeded Fisher-Yates shuffle of a copy of {@code idx}. */
    static int[] shuffled(int[] idx, long seed) {
        int[] a = idx.clone();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** SplitMix64 of (seed, step): independent-looking seeds for each step. */
    static long mix(long seed, long step) {
        long z = seed * 0x9E3779B97F4A7C15L + step + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Makes sure the state directory can be written before any training starts. */
    public static void checkWritable(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (!Files.isWritable(dir)) throw new IOException("cannot write to " + dir);
    }
}
