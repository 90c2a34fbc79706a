package dev.simdnet.train;

import dev.simdnet.data.Dataset;
import dev.simdnet.data.Normalization;
import dev.simdnet.eval.Evaluation;
import dev.simdnet.eval.Predictor;
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
                          int bestEpoch, long steps, double trainSeconds, double imagesPerSecond, boolean interrupted,
                          boolean earlyStopped) {}

    private final TrainConfig config;
    private final Kernels kernels;
    private final TrainListener listener;
    private final BatchAugmenter augmenter;
    private final Path stateDir;
    private final HeapGuard heapGuard = HeapGuard.forThisJvm();
    private volatile boolean stopRequested;
    private List<Sequential> teachers = List.of();
    private float distillWeight, distillTemperature = 1f;

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
     * Trains on {@code trainIdx} of {@code data}, validating on {@code valIdx} (may be empty) after every epoch.
     * With {@code resume}, continues from the state saved in the state directory.
     */
    public Outcome run(Dataset data, Normalization norm, int[] trainIdx, int[] valIdx, boolean resume) throws IOException {
        ModelSpec spec = specFor(config, data);
        int classes = spec.classes(), b = config.batch(), h = data.rows(), w = data.cols(), c = data.channels(), size = data.pixels();
        if (trainIdx.length < b) throw new IllegalArgumentException("the training split (" + trainIdx.length + ") is smaller than one batch (" + b + ")");
        long stepsPerEpoch = trainIdx.length / b;                       // the last partial batch is dropped
        long totalSteps = Math.max(1, Math.round(config.epochs() * stepsPerEpoch));
        int epochs = (int) ((totalSteps + stepsPerEpoch - 1) / stepsPerEpoch);

        Sequential net = Models.build(spec, config.seed());
        List<Parameter> params = net.parameters();
        Optimizer optimizer = config.optimizer().equals("adam")
                ? new AdamW(0.9f, 0.999f, 1e-8f, config.weightDecay(), kernels)
                : new Sgd(config.momentum(), true, config.weightDecay(), kernels);
        LearningRateSchedule schedule = switch (config.schedule()) {
            case "onecycle" -> new LearningRateSchedule.OneCycle(config.lr(), config.warmup(), 25, 1e4, true);
            case "cosine" -> new LearningRateSchedule.WarmupCosine(config.lr(), Math.round(config.warmup() * totalSteps), 0f);
            default -> new LearningRateSchedule.Constant(config.lr());
        };

        // Progress so far: fresh, or read back from the saved state.
        long step = 0;
        double bestVal = Double.NEGATIVE_INFINITY;
        int bestEpoch = 0, sinceBest = 0;
        Map<String, Tensor> best = null;
        List<TrainListener.EpochMetrics> history = new ArrayList<>();
        double trainSeconds = 0;
        if (resume) {
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

        long clockStart = System.nanoTime();
        warmUp(spec, h, w, c);
        double warmUpSeconds = (System.nanoTime() - clockStart) / 1e9;
        trainSeconds += warmUpSeconds;
        listener.onNote(String.format(Locale.ROOT, "warm-up (JIT compilation of the kernels): %.2f s", warmUpSeconds));

        float[] x = new float[b * size];                                // (b, h, w, c)
        int[] y = new int[b];
        float[] dlogits = new float[b * classes];                       // (b, classes)
        float[] teacherProbs = teachers.isEmpty() ? null : new float[b * classes];   // distillation only:
        float[] softScratch = teachers.isEmpty() ? null : new float[b * classes];    // logits / T
        float[] softProbs = teachers.isEmpty() ? null : new float[b * classes];      // softmax(logits / T)
        int[] order = null;
        long orderEpoch = -1;
        double lossSum = 0, epochLoss = 0;
        long correct = 0, seen = 0, lossSteps = 0, epochSteps = 0;
        long reportEvery = Math.max(1, Math.min(50, stepsPerEpoch / 10));
        long clock = System.nanoTime(), epochClock = clock, reportStep = step;
        boolean interrupted = false, earlyStopped = false;

        while (step < totalSteps) {
            long epoch = step / stepsPerEpoch, inEpoch = step % stepsPerEpoch;
            if (epoch != orderEpoch) {
                order = shuffled(trainIdx, config.seed() * 1_000_003L + epoch);
                orderEpoch = epoch;
            }

            // batch: images in [0, 1], augmented, then normalized as at inference
            int from = (int) (inEpoch * b);
            data.fillBatch(order, from, b, Normalization.IDENTITY, x, 0);
            data.fillLabels(order, from, b, y);
            augmenter.apply(x, b, epoch, order, from);
            norm.applyInPlace(x, 0, b * size);

            // the teachers first: their forward passes share the kernels' work buffers with the student's
            if (teacherProbs != null) teacherProbabilities(Tensor.view(x, 0, b, h, w, c), b, teacherProbs, softScratch, softProbs);

            // forward, loss
            Context ctx = Context.training(kernels, mix(config.seed() + 1, step));
            Tensor logits = net.forward(Tensor.view(x, 0, b, h, w, c), ctx);
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
            net.backward(Tensor.view(dlogits, 0, b, classes), ctx.withNeedInputGrad(false));
            float lr = schedule.lr(step, totalSteps);
            optimizer.step(params, lr);
            step++;
            heapGuard.check();
            seen += b;
            lossSum += loss;
            lossSteps++;
            epochLoss += loss;
            epochSteps++;

            // log
            if (step % reportEvery == 0 || step == totalSteps) {
                long now = System.nanoTime();
                double secs = (now - clock) / 1e9, ips = (step - reportStep) * b / secs;
                listener.onStep(new TrainListener.StepProgress(step, totalSteps, (int) epoch + 1, lossSum / lossSteps, lr, ips,
                        (totalSteps - step) * b / ips));
                lossSum = 0;
                lossSteps = 0;
                clock = now;
                reportStep = step;
            }

            boolean epochEnd = step % stepsPerEpoch == 0 || step == totalSteps;
            if (epochEnd) {
                double secs = (System.nanoTime() - epochClock) / 1e9;
                trainSeconds += secs;
                Evaluation val = valIdx.length == 0 ? null : Predictor.evaluate(net, kernels, data, norm, valIdx, classes, b);
                var m = new TrainListener.EpochMetrics((int) epoch + 1, epochLoss / epochSteps, (double) correct / seen,
                        val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(), lr, seen / secs, secs);
                history.add(m);
                listener.onEpoch(m);
                double score = val == null ? -m.trainLoss() : val.accuracy();
                if (score > bestVal) {
                    bestVal = score;
                    bestEpoch = (int) epoch + 1;
                    sinceBest = 0;
                    best = snapshot(net);
                } else {
                    sinceBest++;
                }
                if (stateDir != null)
                    TrainingState.save(stateFile(stateDir), spec, config, net, optimizer, step, bestVal, bestEpoch, sinceBest, best, history, trainSeconds);
                if (config.patience() > 0 && sinceBest >= config.patience() && step < totalSteps) {
                    listener.onNote("early stop after epoch " + (epoch + 1) + ": no better validation accuracy for " + sinceBest + " epochs");
                    earlyStopped = true;
                    break;
                }
                epochLoss = 0;
                epochSteps = 0;
                correct = 0;
                seen = 0;
                epochClock = System.nanoTime();
            } else if (stopRequested) {
                trainSeconds += (System.nanoTime() - epochClock) / 1e9;
                if (stateDir != null) {
                    TrainingState.save(stateFile(stateDir), spec, config, net, optimizer, step, bestVal, bestEpoch, sinceBest, best, history, trainSeconds);
                    listener.onNote("interrupted at step " + step + ": state saved to " + stateFile(stateDir) + "; continue with --resume " + stateDir);
                }
                interrupted = true;
                break;
            }
        }

        if (best != null && !interrupted) restore(net, best);            // model selection on validation only
        long imagesTrained = step * b;
        return new Outcome(net, spec, history, valIdx.length == 0 ? Double.NaN : bestVal, bestEpoch, step, trainSeconds,
                imagesTrained / Math.max(trainSeconds, 1e-9), interrupted, earlyStopped);
    }

    /** The network the config names, shaped for the data: its pictures' size and its classes (MNIST's 28x28x1 into 10). */
    public static ModelSpec specFor(TrainConfig config, Dataset data) {
        return new ModelSpec(config.model(), new int[] {data.rows(), data.cols(), data.channels()}, data.numClasses(), config.dropout());
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
     * Runs a throwaway copy of the network on tiny batches until the JIT has compiled the vector kernels. Until
     * then every vector operation is boxed, so a full-size batch run cold costs seconds and hundreds of
     * megabytes of garbage; tiny batches get the same methods compiled for a fraction of both. The time counts
     * as training time; the real network, its optimizer and every random stream are untouched.
     */
    private void warmUp(ModelSpec spec, int h, int w, int c) {
        int n = 4, classes = spec.classes();
        Sequential copy = Models.build(spec, config.seed() + 1);
        Tensor x = Tensor.zeros(n, h, w, c);
        for (int i = 0; i < x.size(); i++) x.set(i, (i * 37 % 11) / 11f);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = i % classes;
        float[] dlogits = new float[n * classes];
        for (int step = 0; step < WARM_UP_STEPS; step++) {
            Context ctx = Context.training(kernels, step);
            Tensor logits = copy.forward(x, ctx);
            kernels.softmaxCrossEntropy(n, classes, logits.data(), logits.offset(), y, 0, 0f, null, 0, dlogits, 0);
            copy.backward(Tensor.view(dlogits, 0, n, classes), ctx.withNeedInputGrad(false));
            heapGuard.check();
        }
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
