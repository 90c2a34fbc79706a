package dev.simdnet.model;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.DatasetKind;
import dev.simdnet.data.DigitPreprocessor;
import dev.simdnet.data.Normalization;
import dev.simdnet.eval.Evaluation;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.nn.Context;
import dev.simdnet.nn.Sequential;
import dev.simdnet.tensor.Tensor;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

/**
 * A trained classifier, the one front door: its network and weights, what it takes as input, its class names and
 * its metadata. Load one, predict, save:
 *
 * <pre>{@code
 * Model model = Model.load(Path.of("fast.safetensors"));     // or Model.bundled(): the digit model in the jar
 * Prediction p = model.predict(Path.of("digit.png"));
 * System.out.println(p.label() + " " + p.probability());
 * }</pre>
 *
 * <p>Thread-safe without locks, as llama3.java splits weights from state: the weights are one set, shared and
 * only read; each call borrows a replica of the network (its own activations) from a lock-free free-list and
 * gives it back, so concurrent callers each get one and a single caller always reuses the same.
 */
public final class Model {
    /** Metadata keys beside the checkpoint's own ({@link Checkpoint}): JSON array of class names, and the input recipe. */
    public static final String CLASSES_KEY = "classes", PREPROCESS_KEY = "preprocess";
    /** Metadata key of the input normalization, {@code {"mean": m, "std": s}} on a [0, 1] pixel scale. */
    public static final String NORMALIZATION_KEY = "normalization";
    /** The digit model shipped in this jar (README: "The bundled model"). */
    static final String BUNDLED = "/dev/simdnet/model/digits.safetensors";

    /** How a picture becomes the network's input. */
    public enum Preprocess {
        /** Scaled to the input size, grey or colour: for pictures of anything. */
        RESIZE,
        /** MNIST's digit recipe (crop, 20x20 box, centre of mass in 28x28, polarity): blank pictures are "no digit". */
        DIGITS
    }

    /** What the network takes: one sample of {@code height × width × channels} values in [0, 1], then normalized. */
    public record Input(int height, int width, int channels, Normalization normalization, Preprocess preprocess) {
        public Input {
            if (height < 1 || width < 1 || channels < 1) throw new IllegalArgumentException("bad input size " + height + "x" + width + "x" + channels);
            Objects.requireNonNull(normalization, "normalization");
            Objects.requireNonNull(preprocess, "preprocess");
        }

        public int size() { return height * width * channels; }
    }

    /** A sample ready for the network ({@code pixels}), or the reason there is none (a blank picture). */
    public record Prepared(float[] pixels, String reason) {
        public boolean found() { return pixels != null; }
    }

    /**
     * What the model read: the class {@code index} (-1 when the picture holds nothing to read, with the
     * {@code reason}), its name and probability, and every class's probability (calibrated, when the model is:
     * {@link #calibration()}). {@code sure} is false when that probability is under the calibration's threshold:
     * the answer is "not sure", between the two best guesses of {@link #ranking()}.
     */
    public record Prediction(int index, String label, float probability, float[] probabilities, String reason, boolean sure) {
        /** A prediction of a model without a "not sure" threshold: sure whenever a digit was found. */
        public Prediction(int index, String label, float probability, float[] probabilities, String reason) {
            this(index, label, probability, probabilities, reason, index >= 0);
        }

        public boolean found() { return index >= 0; }

        /** The classes by descending probability (ties in class order). */
        public int[] ranking() { return mostLikelyFirst(probabilities, 0, probabilities.length); }
    }

    /** A conv block's output for one sample, {@code (height, width, channels)} in NHWC order. */
    public record FeatureMap(String layer, int height, int width, int channels, float[] values) {}

    /** The probabilities of one sample and its conv blocks' feature maps. */
    public record Analysis(float[] probabilities, List<FeatureMap> featureMaps) {}

    private final ModelSpec spec;
    private final Sequential net;
    private final Input input;
    private final List<String> classNames;
    private final Map<String, String> metadata;
    private final Kernels kernels;
    /** Divides the logits before the softmax, and says when an answer is "not sure" ({@link Calibration#KEY}). */
    private final Calibration calibration;
    /** Replicas of {@link #net} not in use; the network itself is the first, so one caller needs no second set. */
    private final ConcurrentLinkedQueue<Sequential> free;

    private Model(ModelSpec spec, Sequential net, Input input, List<String> classNames, Map<String, String> metadata,
                  Kernels kernels, Calibration calibration, ConcurrentLinkedQueue<Sequential> free) {
        this.spec = spec;
        this.net = net;
        this.input = input;
        this.classNames = List.copyOf(classNames);
        this.metadata = Map.copyOf(metadata);
        this.kernels = kernels;
        this.calibration = calibration;
        this.free = free;
    }

    /** Class names "0", "1", ...: for data sets whose classes have no other names. */
    public static List<String> numberedClasses(int n) {
        return IntStream.range(0, n).mapToObj(Integer::toString).toList();
    }

    /** A model of a network built in code (or by {@link Models}), run on one-thread kernels. */
    public static Model of(ModelSpec spec, Sequential net, Input input, List<String> classNames) {
        int[] in = spec.inputShape();
        if (in[0] != input.height() || in[1] != input.width() || in[2] != input.channels())
            throw new IllegalArgumentException("the input " + input + " does not match the network's " + spec.describe());
        if (classNames.size() != spec.classes())
            throw new IllegalArgumentException(classNames.size() + " class names for " + spec.classes() + " classes");
        ConcurrentLinkedQueue<Sequential> free = new ConcurrentLinkedQueue<>();
        free.add(net);
        return new Model(spec, net, input, classNames, Map.of(), defaultKernels(), Calibration.NONE, free);
    }

    /**
     * Reads a checkpoint ({@link Checkpoint}), or an ONNX model ({@code *.onnx}, read into the engine's own layers by
     * {@link dev.simdnet.onnx.OnnxImport}); the model runs on one-thread kernels (see {@link #withKernels}).
     */
    public static Model load(Path file) throws IOException {
        if (dev.simdnet.onnx.OnnxImport.isOnnx(file)) return dev.simdnet.onnx.OnnxImport.load(file);
        return fromCheckpoint(Checkpoint.load(file));
    }

    /** The digit model bundled in this jar: the {@code fast} network, MNIST's preprocessing. */
    public static Model bundled() throws IOException {
        return fromCheckpoint(Checkpoint.loadResource(BUNDLED));
    }

    /** The size of the bundled model's checkpoint file, in bytes. */
    public static long bundledFileBytes() throws IOException {
        try (var in = Model.class.getResourceAsStream(BUNDLED)) {
            if (in == null) throw new Checkpoint.CheckpointException("this build has no bundled model " + BUNDLED + ": pass --model CHECKPOINT");
            return in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    /** The same model (the same weights and replicas) run on other kernels: more threads for large batches. */
    public Model withKernels(Kernels other) {
        return new Model(spec, net, input, classNames, metadata, other, calibration, free);
    }

    /** The same model with these metadata entries added (training results, say), saved by {@link #save}. */
    public Model withMetadata(Map<String, String> more) {
        Map<String, String> m = new LinkedHashMap<>(metadata);
        m.putAll(more);
        Calibration c = more.containsKey(Calibration.KEY) ? Calibration.parse(more.get(Calibration.KEY), "metadata") : calibration;
        return new Model(spec, net, input, classNames, m, kernels, c, free);
    }

    /** The same model with this calibration (saved with it by {@link #save}); {@link Calibration#NONE} removes it. */
    public Model withCalibration(Calibration c) {
        Map<String, String> m = new LinkedHashMap<>(metadata);
        if (c.isNone()) m.remove(Calibration.KEY);
        else m.put(Calibration.KEY, c.toJson());
        return new Model(spec, net, input, classNames, m, kernels, c, free);
    }

    /** Its calibration: {@link Calibration#NONE} for a model never calibrated (README: "Calibration"). */
    public Calibration calibration() { return calibration; }

    private static Kernels defaultKernels() {
        // One thread: no pool to start or close, and concurrent callers run side by side.
        return Kernels.create("auto", 1);
    }

    static Model fromCheckpoint(Checkpoint.Loaded c) {
        Map<String, String> meta = c.metadata();
        int[] in = c.spec().inputShape();
        DatasetKind kind = datasetOf(meta);
        Normalization norm = meta.containsKey(NORMALIZATION_KEY) ? normalizationOf(c, meta.get(NORMALIZATION_KEY))
                : kind != null ? kind.normalization() : Normalization.MNIST;
        Preprocess prep;
        if (meta.containsKey(PREPROCESS_KEY)) {
            try {
                prep = Preprocess.valueOf(meta.get(PREPROCESS_KEY).toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new Checkpoint.CheckpointException(c.file() + " names an unknown preprocessing '" + meta.get(PREPROCESS_KEY) + "'");
            }
        } else {
            // Checkpoints from before the key: MNIST's digits, and anything else 28x28 grey, read as digits.
            prep = in[0] == DigitPreprocessor.SIDE && in[1] == DigitPreprocessor.SIDE && in[2] == 1 ? Preprocess.DIGITS : Preprocess.RESIZE;
        }
        List<String> names = classNamesOf(c, kind);
        ConcurrentLinkedQueue<Sequential> free = new ConcurrentLinkedQueue<>();
        free.add(c.net());
        Calibration cal = meta.containsKey(Calibration.KEY) ? Calibration.parse(meta.get(Calibration.KEY), c.file().toString()) : Calibration.NONE;
        return new Model(c.spec(), c.net(), new Input(in[0], in[1], in[2], norm, prep), names, meta, defaultKernels(), cal, free);
    }

    private static Normalization normalizationOf(Checkpoint.Loaded c, String json) {
        try {
            Map<String, Object> m = JSON.std.mapFrom(json);
            return new Normalization(((Number) m.get("mean")).floatValue(), ((Number) m.get("std")).floatValue());
        } catch (IOException | RuntimeException e) {
            throw new Checkpoint.CheckpointException(c.file() + ": its input normalization is not {\"mean\": m, \"std\": s} (" + json + ")");
        }
    }

    private static List<String> classNamesOf(Checkpoint.Loaded c, DatasetKind kind) {
        int classes = c.spec().classes();
        String json = c.metadata().get(CLASSES_KEY);
        if (json != null) {
            List<Object> list;
            try {
                list = JSON.std.listFrom(json);
            } catch (IOException e) {
                throw new Checkpoint.CheckpointException(c.file() + ": its class names are not a JSON list (" + e.getMessage() + ")");
            }
            if (list.size() != classes)
                throw new Checkpoint.CheckpointException(c.file() + " names " + list.size() + " classes but its network has " + classes);
            return list.stream().map(String::valueOf).toList();
        }
        if (kind != null && kind.numClasses() == classes) return kind.classNames();
        return numberedClasses(classes);
    }

    /** The data set named by the checkpoint's training config, or null. */
    private static DatasetKind datasetOf(Map<String, String> meta) {
        try {
            Object d = JSON.std.mapFrom(meta.getOrDefault("config", "{}")).get("dataset");
            return d == null ? DatasetKind.MNIST : DatasetKind.parse(d.toString());
        } catch (IOException | RuntimeException e) {
            return null; // an image folder ("folder"), or a data set this version does not know
        }
    }

    /** The data set named in the training config ("mnist", "fashion"), or null when it names none this version knows. */
    public String dataset() {
        DatasetKind k = datasetOf(metadata);
        return k == null ? null : k.dirName();
    }

    public ModelSpec spec() { return spec; }
    public Input input() { return input; }
    public List<String> classNames() { return classNames; }
    public int classes() { return classNames.size(); }
    public Map<String, String> metadata() { return metadata; }
    /** The network whose parameters are the weights: for training, fine-tuning and export, not for concurrent use. */
    public Sequential network() { return net; }
    public Kernels kernels() { return kernels; }

    /** Writes the model as a checkpoint, atomically, with its class names and input recipe. */
    public void save(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.remove(Checkpoint.FORMAT_KEY);
        meta.remove(Checkpoint.MODEL_KEY);
        meta.put(CLASSES_KEY, JSON.std.asString(classNames));
        meta.put(PREPROCESS_KEY, input.preprocess().name().toLowerCase(java.util.Locale.ROOT));
        meta.put(NORMALIZATION_KEY, JSON.std.asString(Map.of("mean", input.normalization().mean(), "std", input.normalization().std())));
        Checkpoint.save(file, spec, net, meta);
    }

    // ---------------------------------------------------------------- predicting

    /** Reads a picture file (PNG, JPEG, GIF, BMP) and predicts its class. */
    public Prediction predict(Path picture) {
        return predict(prepare(picture));
    }

    public Prediction predict(BufferedImage picture) {
        return predict(prepare(picture));
    }

    /** One sample already at the input size: {@code height × width × channels} values in [0, 1], NHWC order. */
    public Prediction predict(float[] pixels) {
        return predictionOf(probabilities(checkSample(pixels), 1), 0);
    }

    /** Many samples in one batched pass; each is {@code height × width × channels} values in [0, 1]. */
    public List<Prediction> predictAll(List<float[]> samples) {
        int size = input.size();
        float[] batch = new float[samples.size() * size];
        for (int i = 0; i < samples.size(); i++) System.arraycopy(checkSample(samples.get(i)), 0, batch, i * size, size);
        float[] probs = probabilities(batch, samples.size());
        List<Prediction> out = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) out.add(predictionOf(probs, i));
        return out;
    }

    private Prediction predict(Prepared p) {
        return p.found() ? predict(p.pixels()) : new Prediction(-1, null, Float.NaN, new float[0], p.reason());
    }

    private float[] checkSample(float[] pixels) {
        if (pixels.length != input.size())
            throw new IllegalArgumentException("a sample of this model is " + input.height() + "x" + input.width() + "x" + input.channels()
                    + " = " + input.size() + " values, got " + pixels.length);
        return pixels;
    }

    /** Row {@code row} of a {@code (n, classes)} probability matrix as a prediction. */
    public Prediction predictionOf(float[] probs, int row) {
        int classes = classes(), off = row * classes;
        float[] p = java.util.Arrays.copyOfRange(probs, off, off + classes);
        int best = Evaluation.argmax(p, 0, classes);
        return new Prediction(best, classNames.get(best), p[best], p, null, calibration.sure(p[best]));
    }

    /** A picture file made ready for the network by the model's own recipe; a file that cannot be read throws. */
    public Prepared prepare(Path picture) {
        if (input.preprocess() == Preprocess.DIGITS) return prepared(new DigitPreprocessor().process(picture));
        return prepare(DigitPreprocessor.readImage(picture));
    }

    public Prepared prepare(BufferedImage picture) {
        if (input.preprocess() == Preprocess.DIGITS) return prepared(new DigitPreprocessor().process(picture));
        return new Prepared(resized(picture, input.height(), input.width(), input.channels()), null);
    }

    private Prepared prepared(DigitPreprocessor.Result r) {
        if (input.height() != DigitPreprocessor.SIDE || input.width() != DigitPreprocessor.SIDE || input.channels() != 1)
            throw new IllegalStateException("the digit recipe makes 28x28 grey samples, but this model takes "
                    + input.height() + "x" + input.width() + "x" + input.channels());
        return new Prepared(r.digit(), r.reason());
    }

    /** The picture scaled to {@code h × w} (bilinear), as grey or RGB values in [0, 1]. */
    static float[] resized(BufferedImage picture, int h, int w, int channels) {
        BufferedImage scaled = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(picture, 0, 0, w, h, java.awt.Color.WHITE, null); // transparency over white, as a page shows it
        } finally {
            g.dispose();
        }
        float[] out = new float[h * w * channels];
        for (int y = 0, i = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int rgb = scaled.getRGB(x, y), r = (rgb >> 16) & 255, gr = (rgb >> 8) & 255, b = rgb & 255;
                if (channels == 1) {
                    out[i++] = (0.299f * r + 0.587f * gr + 0.114f * b) / 255f;
                } else {
                    out[i++] = r / 255f;
                    out[i++] = gr / 255f;
                    out[i++] = b / 255f;
                }
            }
        return out;
    }

    /**
     * Class probabilities {@code (count, classes)} of {@code count} samples in [0, 1] laid out one after another:
     * normalized, the network in inference mode, the logits divided by the calibration's temperature, softmax.
     * {@code samples} is not modified. Every prediction path ends here.
     */
    public float[] probabilities(float[] samples, int count) {
        float[] probs = new float[count * classes()];
        forward(samples, count, probs, true);
        return probs;
    }

    /** The raw logits {@code (count, classes)}, before calibration and softmax: what a calibration is fitted on. */
    public float[] logits(float[] samples, int count) {
        float[] out = new float[count * classes()];
        forward(samples, count, out, false);
        return out;
    }

    private void forward(float[] samples, int count, float[] out, boolean softmax) {
        int size = input.size();
        if (samples.length < count * size) throw new IllegalArgumentException("need " + count * size + " values, got " + samples.length);
        float[] x = java.util.Arrays.copyOf(samples, count * size);
        input.normalization().applyInPlace(x, 0, x.length);
        Sequential replica = borrow();
        try {
            Tensor logits = replica.forward(Tensor.view(x, 0, count, input.height(), input.width(), input.channels()), Context.inference(kernels));
            if (softmax) calibratedSoftmax(count, logits, out, 0);
            else System.arraycopy(logits.data(), logits.offset(), out, 0, count * classes());
        } finally {
            free.add(replica);
        }
    }

    /** Softmax of the logits over the temperature; the logits are the replica's own output buffer, overwritten next pass. */
    private void calibratedSoftmax(int count, Tensor logits, float[] out, int outOffset) {
        double t = calibration.temperature();
        if (t != 1) {
            float inv = (float) (1 / t);
            float[] d = logits.data();
            for (int i = logits.offset(), end = i + count * classes(); i < end; i++) d[i] *= inv;
        }
        kernels.softmax(count, classes(), logits.data(), logits.offset(), out, outOffset);
    }

    /**
     * Probabilities {@code (idx.length, classes)} of the images {@code idx} of a data set, {@code batch} at a time
     * (during training: the training batch, so the network keeps the buffers it has).
     */
    public float[] probabilities(Dataset data, int[] idx, int batch) {
        if (data.rows() != input.height() || data.cols() != input.width() || data.channels() != input.channels())
            throw new IllegalArgumentException(data.name() + " holds " + data.rows() + "x" + data.cols() + "x" + data.channels()
                    + " images; this model takes " + input.height() + "x" + input.width() + "x" + input.channels());
        int n = idx.length, size = data.pixels(), classes = classes();
        float[] out = new float[n * classes];
        float[] x = new float[Math.min(batch, Math.max(n, 1)) * size];
        Context ctx = Context.inference(kernels);
        Sequential replica = borrow();
        try {
            for (int from = 0; from < n; from += batch) {
                int count = Math.min(batch, n - from);
                data.fillBatch(idx, from, count, input.normalization(), x, 0);
                Tensor logits = replica.forward(Tensor.view(x, 0, count, data.rows(), data.cols(), data.channels()), ctx);
                calibratedSoftmax(count, logits, out, from * classes);
            }
        } finally {
            free.add(replica);
        }
        return out;
    }

    /** Accuracy, loss and confusion on the images {@code idx} of a data set. */
    public Evaluation evaluate(Dataset data, int[] idx, int batch) {
        int[] labels = new int[idx.length];
        for (int i = 0; i < idx.length; i++) labels[i] = data.label(idx[i]);
        return Evaluation.of(probabilities(data, idx, batch), labels, idx.length, classes());
    }

    /** Probabilities and the conv blocks' feature maps (after their batch norm and ReLU) of one sample. */
    public Analysis analyze(float[] pixels) {
        float[] x = checkSample(pixels).clone();
        input.normalization().applyInPlace(x, 0, x.length);
        float[] probs = new float[classes()];
        List<FeatureMap> maps = new ArrayList<>();
        Sequential replica = borrow();
        try {
            Map<String, Tensor> blocks = new LinkedHashMap<>();
            Tensor logits = replica.forwardWithFeatureMaps(Tensor.view(x, 0, 1, input.height(), input.width(), input.channels()),
                    Context.inference(kernels), blocks);
            calibratedSoftmax(1, logits, probs, 0);
            for (var e : blocks.entrySet()) {
                Tensor t = e.getValue();
                maps.add(new FeatureMap(e.getKey(), t.dim(1), t.dim(2), t.dim(3), t.toArray()));
            }
        } finally {
            free.add(replica);
        }
        return new Analysis(probs, maps);
    }

    /**
     * Runs a throwaway replica on tiny batches until the JIT has compiled the vector kernels: until then a vector
     * operation is boxed and a first large batch takes over a second. On {@code with}: one thread leaves the other
     * cores free meanwhile.
     */
    public void warmUp(Kernels with) {
        warmUp(with, 0);
    }

    /**
     * {@link #warmUp(Kernels)}, resting after each pass {@code restFraction} times as long as the pass took: the
     * boxed vector operations of a cold JIT make garbage at a gigabyte a second, and a server that warms up at full
     * speed makes G1 grow its heap to match (section Serving of BENCHMARKS.md); at rest 1 it makes half as much a
     * second, over twice the time.
     */
    public void warmUp(Kernels with, double restFraction) {
        Sequential replica = net.replica();
        int n = 4, size = input.size();
        float[] x = new float[n * size];
        for (int i = 0; i < x.length; i++) x[i] = (i * 37 % 11) / 11f;
        float[] probs = new float[n * classes()];
        for (int pass = 0; pass < WARM_UP_PASSES; pass++) {
            long t0 = System.nanoTime();
            Tensor logits = replica.forward(Tensor.view(x, 0, n, input.height(), input.width(), input.channels()), Context.inference(with));
            with.softmax(n, classes(), logits.data(), logits.offset(), probs, 0);
            long rest = (long) ((System.nanoTime() - t0) * restFraction);
            if (rest > 0) java.util.concurrent.locks.LockSupport.parkNanos(rest);
        }
    }

    /** Passes of the warm-up: enough for C2 to compile the kernels (measured on 2 cores). */
    private static final int WARM_UP_PASSES = 100;

    private Sequential borrow() {
        Sequential r = free.poll();
        return r != null ? r : net.replica();
    }

    /**
     * The classes by descending probability, ties in class order: an insertion sort of a handful of ints, rather
     * than a sorted stream of boxed Integers for every picture.
     */
    public static int[] mostLikelyFirst(float[] probs, int off, int classes) {
        int[] order = new int[classes];
        for (int c = 0; c < classes; c++) {
            int i = c;
            for (; i > 0 && Float.compare(probs[off + order[i - 1]], probs[off + c]) < 0; i--) order[i] = order[i - 1];
            order[i] = c;
        }
        return order;
    }

    @Override
    public String toString() {
        return spec.describe() + " (" + input.preprocess().name().toLowerCase(java.util.Locale.ROOT) + ", classes " + classNames + ")";
    }
}
