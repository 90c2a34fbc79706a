package dev.simdnet.serve;

import dev.simdnet.data.DigitPreprocessor;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.model.Model;
import dev.simdnet.nn.Parameter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One served model: its description for clients, and the {@link Model} that answers. The model runs concurrent
 * calls side by side on one-thread kernels (each borrows its own replica of the network), so a large batch is
 * split over {@code concurrency} threads.
 *
 * <p>Small requests (single images, mostly) are coalesced: they queue, and each batcher thread (one for every two
 * cores) takes whatever is waiting (up to {@link #MAX_COALESCED} images) into one forward pass. Nothing waits for a
 * batch to fill, so an idle server answers at once, and a busy one runs fewer, larger passes, where the kernels are
 * several times faster per image than at batch size 1. Half as many batchers as cores, because the HTTP server and
 * the JSON of each request need the other cores: on 2 cores one batcher against two, alternated three times under
 * wrk (16 connections, one image a request), gave 8,915, 7,762, 9,141 requests/s against 8,133, 6,904, 7,181, and
 * p99 5.2, 5.9, 4.8 ms against 6.7, 7.3, 7.6 ms, batched images/s unchanged.
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

    /** A queued small request: {@code count} images, answered into {@code out}. */
    private record Job(float[] pixels, int count, float[] out, CompletableFuture<float[]> done) {}

    private final Info info;
    private final Model model;
    private final int classes;
    private final int concurrency;
    private final LinkedBlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    private final List<Thread> batchers = new ArrayList<>();

    /**
     * @param name        the name clients use in URLs
     * @param loader      loads the model
     * @param fileBytes   size of the checkpoint file, for the model picker
     * @param concurrency forward passes at once (one per core is right)
     */
    public ServedModel(String name, ModelLoader loader, long fileBytes, int concurrency, String kernelMode) throws Exception {
        if (concurrency < 1) throw new IllegalArgumentException("need at least one replica, got " + concurrency);
        Model m = loader.load();
        Model.Input in = m.input();
        if (in.height() != DigitPreprocessor.SIDE || in.width() != DigitPreprocessor.SIDE || in.channels() != 1)
            throw new IllegalArgumentException(name + " does not take 28x28 grey images, so it cannot be served for digits");
        this.model = m.withKernels(Kernels.create(kernelMode, 1));
        this.classes = model.classes();
        this.concurrency = concurrency;
        long params = 0;
        for (Parameter p : model.network().parameters()) params += p.value().size();
        this.info = new Info(name, model.spec().name(), testAccuracy(model.metadata()), fileBytes, params);
        for (int i = 0; i < Math.max(1, concurrency / 2); i++) // see the class comment
            batchers.add(Thread.ofPlatform().daemon().name("simdnet-batcher-" + name + "-" + i).start(this::coalesce));
    }

    /**
     * Warms the model up, resting twice as long as it works: run on a thread of its own while the server answers,
     * the boxed vector operations of the cold JIT make their garbage at a third of the rate. With the JVM's defaults
     * and the first requests warming the kernels up, G1 grew its heap to 0.7-1.0 GB resident; warmed up this way and
     * left idle, 0.23-0.24 GB (BENCHMARKS.md, Serving).
     */
    public void warmUp() {
        model.warmUp(model.kernels(), 2);
    }

    /** Loads the model. */
    @FunctionalInterface
    public interface ModelLoader {
        Model load() throws Exception;
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
        int chunks = Math.min(concurrency, Math.max(1, count / MIN_CHUNK));
        if (chunks == 1) {
            run(pixels, 0, count, out);
            return out;
        }
        // Split the batch: each chunk on its own (virtual) thread, where the model gives it its own replica.
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
                // One request alone is passed as it is (the model copies what it normalizes); several are joined.
                float[] x = group.size() == 1 ? group.getFirst().pixels() : new float[total * PIXELS];
                int at = 0;
                if (group.size() > 1) {
                    for (Job j : group) {
                        System.arraycopy(j.pixels(), 0, x, at * PIXELS, j.count() * PIXELS);
                        at += j.count();
                    }
                }
                float[] out = model.probabilities(x, total);
                at = 0;
                for (Job j : group) {
                    System.arraycopy(out, at * classes, j.out(), 0, j.count() * classes);
                    at += j.count();
                    j.done().complete(j.out());
                }
            } catch (RuntimeException | Error e) {
                for (Job j : group) j.done().completeExceptionally(e);
            }
        }
    }

    /** Images {@code from .. from + count} of {@code pixels} into rows {@code from ..} of {@code out}. */
    private void run(float[] pixels, int from, int count, float[] out) {
        float[] x = java.util.Arrays.copyOfRange(pixels, from * PIXELS, (from + count) * PIXELS);
        System.arraycopy(model.probabilities(x, count), 0, out, from * classes, count * classes);
    }

    /** Probabilities and conv feature maps of one 28x28 image in [0, 1]. */
    public Analysis analyze(float[] digit) {
        Model.Analysis a = model.analyze(digit);
        List<FeatureMap> maps = new ArrayList<>();
        for (Model.FeatureMap f : a.featureMaps()) maps.add(featureMap(f));
        return new Analysis(a.probabilities(), maps);
    }

    /** The model's calibration: its temperature is applied in every answer, its threshold says "not sure". */
    public dev.simdnet.model.Calibration calibration() { return model.calibration(); }

    /** The model's class names, by index. */
    public List<String> classNames() { return model.classNames(); }

    /** (h, w, c) to per-channel 0..255 planes (c, h, w): each channel stretched from its min to its max. */
    private static FeatureMap featureMap(Model.FeatureMap f) {
        int h = f.height(), w = f.width(), c = f.channels();
        float[] d = f.values();
        byte[] px = new byte[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < h * w; p++) {
                float v = d[p * c + ch];
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            float scale = hi > lo ? 255f / (hi - lo) : 0f;
            for (int p = 0; p < h * w; p++)
                px[ch * h * w + p] = (byte) Math.round((d[p * c + ch] - lo) * scale);
        }
        return new FeatureMap(f.layer(), h, w, c, px);
    }

    @Override
    public void close() {
        for (Thread t : batchers) t.interrupt();
        for (Job j : jobs) j.done().completeExceptionally(new IllegalStateException("the model is closed"));
        model.kernels().close();
    }
}
