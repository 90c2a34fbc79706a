package dev.simdnet.serve;

import dev.simdnet.data.DigitPreprocessor;
import dev.simdnet.data.Normalization;
import dev.simdnet.eval.DigitClassifier;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.nn.BatchNorm;
import dev.simdnet.nn.Context;
import dev.simdnet.nn.Conv2d;
import dev.simdnet.nn.Layer;
import dev.simdnet.nn.Parameter;
import dev.simdnet.nn.Relu;
import dev.simdnet.nn.Sequential;
import dev.simdnet.tensor.Tensor;
import dev.simdnet.train.Checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One served model: its description for clients, and a pool of replicas of the network. A layer reuses its
 * buffers from call to call, so a replica runs one forward pass at a time; with one replica per core, requests
 * run in parallel, and a large batch is split over the replicas. Each replica's kernels are single-threaded.
 *
 * <p>Small requests (single images, mostly) are coalesced: they queue, and each of a few batcher threads takes
 * whatever is waiting (up to {@link #MAX_COALESCED} images) into one forward pass. Nothing waits for a batch to
 * fill, so an idle server answers at once, and a busy one runs fewer, larger passes, where the kernels are
 * several times faster per image than at batch size 1.
 */
public final class ServedModel implements AutoCloseable {
    /** Images per chunk when a batch is split over the replicas: below this the split costs more than it saves. */
    private static final int MIN_CHUNK = 32;
    private static final int PIXELS = DigitPreprocessor.SIDE * DigitPreprocessor.SIDE;
    /** Most images that queued requests are merged into for one forward pass. */
    static final int MAX_COALESCED = 32;

    /** What clients are told about the model. */
    public record Info(String name, String architecture, Double testAccuracy, long fileBytes, long parameters) {}

    /** A conv layer's output for one image, each channel scaled to 0..255, laid out (channels, height, width). */
    public record FeatureMap(String layer, int height, int width, int channels, byte[] pixels) {}

    /** The probabilities of one image and the feature maps of its conv layers. */
    public record Analysis(float[] probabilities, List<FeatureMap> featureMaps) {}

    private record Replica(Sequential net, Kernels kernels) {}

    /** A queued small request: {@code count} images, answered into {@code out}. */
    private record Job(float[] pixels, int count, float[] out, CompletableFuture<float[]> done) {}

    private final Info info;
    private final Normalization norm;
    private final int classes;
    private final BlockingQueue<Replica> replicas;
    private final List<Replica> all = new ArrayList<>();
    private final LinkedBlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    private final List<Thread> batchers = new ArrayList<>();

    /**
     * @param name     the name clients use in URLs
     * @param loader   loads a fresh copy of the checkpoint (called once per replica)
     * @param fileBytes size of the checkpoint file, for the model picker
     */
    public ServedModel(String name, CheckpointLoader loader, long fileBytes, int replicaCount, String kernelMode) throws Exception {
        if (replicaCount < 1) throw new IllegalArgumentException("need at least one replica, got " + replicaCount);
        Checkpoint.Loaded first = loader.load();
        int[] in = first.spec().inputShape();
        if (in[0] != DigitPreprocessor.SIDE || in[1] != DigitPreprocessor.SIDE || in[2] != 1)
            throw new IllegalArgumentException(first.file() + " does not take 28x28 grey images, so it cannot be served for digits");
        this.norm = DigitClassifier.normalizationOf(first);
        this.classes = first.spec().classes();
        long params = 0;
        for (Parameter p : first.net().parameters()) params += p.value().size();
        this.info = new Info(name, first.spec().name(), testAccuracy(first.metadata()), fileBytes, params);
        this.replicas = new ArrayBlockingQueue<>(replicaCount);
        try {
            for (int i = 0; i < replicaCount; i++) {
                Sequential net = i == 0 ? first.net() : loader.load().net();
                Replica r = new Replica(net, Kernels.create(kernelMode, 1));
                all.add(r);
                replicas.add(r);
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
        for (int i = 0; i < replicaCount; i++)
            batchers.add(Thread.ofPlatform().daemon().name("simdnet-batcher-" + name + "-" + i).start(this::coalesce));
    }

    /** Loads one copy of a checkpoint. */
    @FunctionalInterface
    public interface CheckpointLoader {
        Checkpoint.Loaded load() throws Exception;
    }

    private static Double testAccuracy(Map<String, String> meta) {
        try {
            String s = meta.get("test_accuracy");
            return s == null ? null : Double.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public Info info() { return info; }

    public int classes() { return classes; }

    /**
     * Class probabilities {@code (count, classes)} for {@code count} images of 28x28 in [0, 1], MNIST polarity;
     * {@code pixels} is not modified.
     */
    public float[] probabilities(float[] pixels, int count) throws InterruptedException {
        if (pixels.length < count * PIXELS) throw new IllegalArgumentException("need " + count * PIXELS + " pixels, got " + pixels.length);
        float[] out = new float[count * classes];
        if (count < MIN_CHUNK) {
            Job job = new Job(pixels, count, out, new CompletableFuture<>());
            jobs.add(job);
            try {
                return job.done().get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException(e.getCause());
            }
        }
        int chunks = Math.min(all.size(), Math.max(1, count / MIN_CHUNK));
        if (chunks == 1) {
            run(pixels, 0, count, out);
            return out;
        }
        // Split the batch: each chunk borrows its own replica, on its own (virtual) thread.
        int per = (count + chunks - 1) / chunks;
        try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int from = 0; from < count; from += per) {
                int f = from, n = Math.min(per, count - from);
                done.add(exec.submit((Callable<Void>) () -> {
                    run(pixels, f, n, out);
                    return null;
                }));
            }
            for (Future<?> d : done) d.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
        return out;
    }

    /** A batcher thread: takes what is queued, one forward pass for all of it, answers each request. */
    private void coalesce() {
        List<Job> group = new ArrayList<>();
        while (!Thread.currentThread().isInterrupted()) {
            group.clear();
            try {
                group.add(jobs.take());
            } catch (InterruptedException e) {
                return;
            }
            int total = group.getFirst().count();
            for (Job j; total < MAX_COALESCED && (j = jobs.poll()) != null; total += j.count()) group.add(j);
            try {
                float[] x = new float[total * PIXELS], out = new float[total * classes];
                int at = 0;
                for (Job j : group) {
                    System.arraycopy(j.pixels(), 0, x, at * PIXELS, j.count() * PIXELS);
                    at += j.count();
                }
                run(x, 0, total, out);
                at = 0;
                for (Job j : group) {
                    System.arraycopy(out, at * classes, j.out(), 0, j.count() * classes);
                    at += j.count();
                    j.done().complete(j.out());
                }
            } catch (InterruptedException e) {
                for (Job j : group) j.done().completeExceptionally(e);
                return;
            } catch (RuntimeException | Error e) {
                for (Job j : group) j.done().completeExceptionally(e);
            }
        }
    }

    /** Images {@code from .. from + count} of {@code pixels} into rows {@code from ..} of {@code out}. */
    private void run(float[] pixels, int from, int count, float[] out) throws InterruptedException {
        float[] x = new float[count * PIXELS];
        System.arraycopy(pixels, from * PIXELS, x, 0, count * PIXELS);
        norm.applyInPlace(x, 0, x.length);
        Replica r = replicas.take();
        try {
            Tensor logits = r.net().forward(Tensor.view(x, 0, count, DigitPreprocessor.SIDE, DigitPreprocessor.SIDE, 1),
                    Context.inference(r.kernels()));
            r.kernels().softmax(count, classes, logits.data(), logits.offset(), out, from * classes);
        } finally {
            replicas.add(r);
        }
    }

    /** Probabilities and conv feature maps of one 28x28 image in [0, 1]. */
    public Analysis analyze(float[] digit) throws InterruptedException {
        float[] x = digit.clone();
        norm.applyInPlace(x, 0, x.length);
        float[] probs = new float[classes];
        List<FeatureMap> maps = new ArrayList<>();
        Replica r = replicas.take();
        try {
            List<Tensor> outs = r.net().forwardAll(Tensor.view(x, 0, 1, DigitPreprocessor.SIDE, DigitPreprocessor.SIDE, 1),
                    Context.inference(r.kernels()));
            Tensor logits = outs.getLast();
            r.kernels().softmax(1, classes, logits.data(), logits.offset(), probs, 0);
            List<Layer> layers = r.net().layers();
            for (int i = 0; i < layers.size(); i++) {
                if (!(layers.get(i) instanceof Conv2d conv)) continue;
                // Show the conv block's activation: after its batch norm and ReLU, where they follow.
                int j = i;
                while (j + 1 < layers.size() && (layers.get(j + 1) instanceof BatchNorm || layers.get(j + 1) instanceof Relu)) j++;
                maps.add(featureMap(conv.name(), outs.get(j)));
            }
        } finally {
            replicas.add(r);
        }
        return new Analysis(probs, maps);
    }

    /** (1, h, w, c) to per-channel 0..255 planes (c, h, w): each channel stretched from its min to its max. */
    private static FeatureMap featureMap(String name, Tensor t) {
        int h = t.dim(1), w = t.dim(2), c = t.dim(3);
        float[] d = t.data();
        int off = t.offset();
        byte[] px = new byte[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < h * w; p++) {
                float v = d[off + p * c + ch];
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            float scale = hi > lo ? 255f / (hi - lo) : 0f;
            for (int p = 0; p < h * w; p++)
                px[ch * h * w + p] = (byte) Math.round((d[off + p * c + ch] - lo) * scale);
        }
        return new FeatureMap(name, h, w, c, px);
    }

    @Override
    public void close() {
        for (Thread t : batchers) t.interrupt();
        for (Job j : jobs) j.done().completeExceptionally(new IllegalStateException("the model is closed"));
        for (Replica r : all) r.kernels().close();
    }
}
