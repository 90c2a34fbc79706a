package dev.simdnet.bench;

import dev.simdnet.kernel.Kernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The element-wise kernels at the sizes of an MNIST CNN step (batch 128), scalar against vector: ReLU and
 * batch norm over the first conv's output (128, 24, 24, 20), dropout over a (128, 500) hidden layer,
 * softmax-CE over (128, 10) logits, AdamW over LeNet's 431,080 parameters. Time per call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class OpsBenchmark {
    private static final int BATCH = 128;
    private static final int ROWS = BATCH * 24 * 24;
    private static final int CHANNELS = 20;
    private static final int ACTIVATIONS = ROWS * CHANNELS;
    private static final int HIDDEN = BATCH * 500;
    private static final int CLASSES = 10;
    private static final int PARAMS = 431_080;

    @Param({"scalar", "vector"})
    public String kernels;

    @Param({"1"})
    public int threads;

    private Kernels k;
    private float[] x, y, dy, dx;
    private float[] gamma, beta, runningMean, runningVar, saveMean, saveInvStd, dgamma, dbeta;
    private float[] hidden, mask, hiddenOut;
    private float[] logits, dlogits;
    private int[] labels;
    private float[] w, g, m, v;
    private long step;

    @Setup(Level.Trial)
    public void setUp() {
        k = Kernels.create(kernels, threads);
        SplittableRandom rng = new SplittableRandom(1);
        x = random(rng, ACTIVATIONS);
        dy = random(rng, ACTIVATIONS);
        y = new float[ACTIVATIONS];
        dx = new float[ACTIVATIONS];
        gamma = random(rng, CHANNELS);
        beta = random(rng, CHANNELS);
        runningMean = new float[CHANNELS];
        runningVar = new float[CHANNELS];
        saveMean = new float[CHANNELS];
        saveInvStd = new float[CHANNELS];
        dgamma = new float[CHANNELS];
        dbeta = new float[CHANNELS];
        k.batchNormForwardTraining(ROWS, CHANNELS, x, 0, gamma, beta, 1e-5f, 0.1f, runningMean, runningVar, saveMean, saveInvStd, y, 0);
        hidden = random(rng, HIDDEN);
        mask = new float[HIDDEN];
        hiddenOut = new float[HIDDEN];
        logits = random(rng, BATCH * CLASSES);
        dlogits = new float[BATCH * CLASSES];
        labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) labels[i] = rng.nextInt(CLASSES);
        w = random(rng, PARAMS);
        g = random(rng, PARAMS);
        m = new float[PARAMS];
        v = new float[PARAMS];
    }

    @TearDown(Level.Trial)
    public void tearDown() { k.close(); }

    private static float[] random(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble() * 2 - 1);
        return a;
    }

    @Benchmark
    public float reluForward() {
        k.reluForward(ACTIVATIONS, x, 0, y, 0);
        return y[ACTIVATIONS - 1];
    }

    @Benchmark
    public float reluBackward() {
        k.reluBackward(ACTIVATIONS, x, 0, dy, 0, dx, 0);
        return dx[ACTIVATIONS - 1];
    }

    @Benchmark
    public float batchNormForwardTraining() {
        k.batchNormForwardTraining(ROWS, CHANNELS, x, 0, gamma, beta, 1e-5f, 0.1f, runningMean, runningVar, saveMean, saveInvStd, y, 0);
        return y[ACTIVATIONS - 1];
    }

    @Benchmark
    public float batchNormBackward() {
        k.batchNormBackward(ROWS, CHANNELS, x, 0, dy, 0, gamma, saveMean, saveInvStd, dx, 0, dgamma, dbeta);
        return dx[ACTIVATIONS - 1];
    }

    @Benchmark
    public float dropoutForward() {
        k.dropoutForward(HIDDEN, 0.5f, ++step, hidden, 0, mask, 0, hiddenOut, 0);
        return hiddenOut[HIDDEN - 1];
    }

    @Benchmark
    public double softmaxCrossEntropy() {
        return k.softmaxCrossEntropy(BATCH, CLASSES, logits, 0, labels, 0, 0.1f, null, 0, dlogits, 0);
    }

    @Benchmark
    public float adamUpdate() {
        // Small rates keep the weights from drifting over millions of calls.
        k.adamUpdate(PARAMS, w, g, m, v, 1e-9f, 0.9f, 0.999f, 1e-8f, 0f, 1000);
        return w[PARAMS - 1];
    }
}
