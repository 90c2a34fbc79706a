package dev.simdnet.bench;

import dev.simdnet.kernel.ConvGeometry;
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
 * The convolution layers of LeNet-5 (DL4J's LeNet) and of a small 3x3 CNN at batch 128, forward and
 * forward + backward. The score is calls per second (ms per call = 1000 / score); the secondary metric
 * {@code gflops} counts {@code 2·macs} for a forward, {@code 2·macs·3} for forward + backward (dw and dx),
 * and {@code 2·macs·2} for forward + backward of a first layer (one input channel), which needs no dx.
 *
 * <p>{@code forwardOneGemm} is the alternative design the kernels do not use: im2col of the whole batch and
 * one batch-sized parallel GEMM (for the single-channel layers it also stands for im2col+GEMM against the
 * direct kernel). {@code im2col} and {@code col2im} time those kernels alone over the whole batch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ConvBenchmark {

    @Param({"lenet.conv1", "lenet.conv2", "cnn.conv1", "cnn.conv2", "cnn.conv3"})
    public String layer;

    @Param({"1", "2"})
    public String threads;

    /** "vector", or "scalar" (the reference: slow, run it for one layer with {@code -p impl=scalar}). */
    @Param({"vector"})
    public String impl;

    @Param({"128"})
    public int batch;

    private Kernels kernels;
    private ConvGeometry g;
    private float[] x, w, bias, y, dy, dx, dw, dbias, col, image;
    private boolean needDx;
    private double forwardGflop, trainGflop;

    static ConvGeometry geometry(String layer, int batch) {
        return switch (layer) {
            case "lenet.conv1" -> new ConvGeometry(batch, 28, 28, 1, 20, 5, 5, 1, 0);  // 5x5 1->20, valid
            case "lenet.conv2" -> new ConvGeometry(batch, 12, 12, 20, 50, 5, 5, 1, 0); // 5x5 20->50, valid
            case "cnn.conv1" -> new ConvGeometry(batch, 28, 28, 1, 16, 3, 3, 1, 1);    // 3x3 1->16, same
            case "cnn.conv2" -> new ConvGeometry(batch, 14, 14, 16, 32, 3, 3, 1, 1);   // 3x3 16->32, same
            case "cnn.conv3" -> new ConvGeometry(batch, 7, 7, 32, 64, 3, 3, 1, 1);     // 3x3 32->64, same
            default -> throw new IllegalArgumentException("unknown layer " + layer);
        };
    }

    @Setup(Level.Trial)
    public void setUp() {
        kernels = Kernels.create(impl, Integer.parseInt(threads));
        g = geometry(layer, batch);
        SplittableRandom rng = new SplittableRandom(42);
        x = random(g.inputSize(), rng);
        w = random(g.weightSize(), rng);
        bias = random(g.outC(), rng);
        dy = random(g.outputSize(), rng);
        y = new float[g.outputSize()];
        dw = new float[g.weightSize()];
        dbias = new float[g.outC()];
        needDx = g.inC() > 1;
        dx = needDx ? new float[g.inputSize()] : null;
        col = new float[g.rows() * g.cols()];
        image = new float[g.inputSize()];
        forwardGflop = 2.0 * g.macs() / 1e9;
        trainGflop = forwardGflop * (needDx ? 3 : 2);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kernels.close();
    }

    private static float[] random(int n, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (2 * rng.nextDouble() - 1);
        return a;
    }

    @Benchmark
    public float[] forward(Flops flops) {
        kernels.conv2dForward(g, x, 0, w, 0, bias, 0, y, 0);
        flops.gflops += forwardGflop;
        return y;
    }

    @Benchmark
    public float[] forwardBackward(Flops flops) {
        kernels.conv2dForward(g, x, 0, w, 0, bias, 0, y, 0);
        kernels.conv2dBackward(g, x, 0, w, 0, dy, 0, dx, 0, dw, 0, dbias, 0);
        flops.gflops += trainGflop;
        return dw;
    }

    @Benchmark
    public float[] forwardOneGemm(Flops flops) {
        int n = g.outC(), k = g.cols();
        kernels.im2col(g, x, 0, col, 0);
        kernels.sgemm(false, true, g.rows(), n, k, col, 0, k, w, 0, k, 0f, y, 0, n);
        for (int r = 0; r < g.rows(); r++)
            for (int j = 0; j < n; j++) y[r * n + j] += bias[j];
        flops.gflops += forwardGflop;
        return y;
    }

    @Benchmark
    public float[] im2col() {
        kernels.im2col(g, x, 0, col, 0);
        return col;
    }

    @Benchmark
    public float[] col2im() {
        kernels.col2im(g, col, 0, image, 0);
        return image;
    }
}
