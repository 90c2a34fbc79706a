package dev.simdnet.train;

import dev.simdnet.model.ModelSpec;
import dev.simdnet.model.Models;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.nn.Context;
import dev.simdnet.nn.Parameter;
import dev.simdnet.nn.Sequential;
import dev.simdnet.optim.Optimizer;
import dev.simdnet.optim.Sgd;
import dev.simdnet.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * End-to-end speed on synthetic data: training steps (forward, loss, backward, SGD step) and inference, in
 * images per second, and one square SGEMM in GFLOP/s. Each figure is the median of five timed windows after
 * a warm-up, so the JIT has compiled the kernels before the clock runs.
 */
public final class Throughput {
    private Throughput() {}

    public static Map<String, Object> measure(String model, int batch, double seconds, int gemmSize, Kernels k, long seed) {
        ModelSpec spec = ModelSpec.mnist(model, 0f);
        Sequential net = Models.build(spec, seed);
        int size = 28 * 28, classes = spec.classes();
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[batch * size];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) y[i] = rng.nextInt(classes);
        float[] dlogits = new float[batch * classes];
        Optimizer opt = new Sgd(0.9f, true, 5e-4f, k);
        Tensor input = Tensor.view(x, 0, batch, 28, 28, 1);

        Runnable trainStep = () -> {
            Context ctx = Context.training(k, 1);
            Tensor logits = net.forward(input, ctx);
            k.softmaxCrossEntropy(batch, classes, logits.data(), logits.offset(), y, 0, 0f, null, 0, dlogits, 0);
            for (Parameter p : net.parameters()) p.zeroGrad();
            net.backward(Tensor.view(dlogits, 0, batch, classes), ctx.withNeedInputGrad(false));
            opt.step(net.parameters(), 1e-3f);
        };
        Context inference = Context.inference(k);
        Runnable inferStep = () -> net.forward(input, inference);

        double trainIps = batch / medianSeconds(trainStep, seconds);
        double inferIps = batch / medianSeconds(inferStep, seconds);

        int n = gemmSize;
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.nextGaussian();
            b[i] = (float) rng.nextGaussian();
        }
        double gemmSeconds = medianSeconds(() -> k.sgemm(false, false, n, n, n, a, 0, n, b, 0, n, 0f, c, 0, n), Math.min(seconds, 2));

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", model);
        r.put("batch", batch);
        r.put("kernels", k.name());
        r.put("kernel_config", k.configuration());
        r.put("threads", k.threads());
        r.put("train_images_per_second", Math.round(trainIps * 10) / 10.0);
        r.put("inference_images_per_second", Math.round(inferIps * 10) / 10.0);
        r.put("gemm_size", n);
        r.put("gemm_gflops", Math.round(2.0 * n * n * n / gemmSeconds / 1e8) / 10.0);
        r.put("peak_rss_mb", Memory.peakRssMb());
        return r;
    }

    /** Median time of one call over five windows of {@code seconds / 5}, after a warm-up of about {@code seconds / 2}. */
    static double medianSeconds(Runnable task, double seconds) {
        long warmEnd = System.nanoTime() + (long) (seconds * 0.5e9);
        do task.run(); while (System.nanoTime() < warmEnd);
        double[] perCall = new double[5];
        for (int w = 0; w < perCall.length; w++) {
            long start = System.nanoTime(), end = start + (long) (seconds / 5 * 1e9);
            int calls = 0;
            long now;
            do {
                task.run();
                calls++;
            } while ((now = System.nanoTime()) < end);
            perCall[w] = (now - start) / 1e9 / calls;
        }
        java.util.Arrays.sort(perCall);
        return perCall[2];
    }
}
