package dev.simdnet.bench;

import dev.simdnet.kernel.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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

/**
 * SGEMM through {@link Kernels#sgemm}, in GFLOP/s ({@link Flops}), for square matrices and for the skinny
 * im2col shapes of the convolution layers, against OpenBLAS's {@code cblas_sgemm} on the same problems.
 * Parameters: {@code impl} (scalar, vector, openblas: see {@link OpenBlas}), {@code threads} (kernel threads,
 * or OpenBLAS's), {@code size} or {@code shape}. The scalar reference is slow, so by default it runs
 * only on the small squares and one im2col shape; {@code -p impl=scalar -p size=1024} asks for more.
 *
 * <p>A shape reads {@code FORM:MxNxK}: FORM is NN, NT (B stored {@code n×k}) or TN (A stored {@code k×m}).
 * The TN shapes are weight gradients and accumulate ({@code beta = 1}); the others overwrite C.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBenchmark {

    /**
     * The operands of one GEMM and what runs it: simdnet's {@link Kernels} ({@code impl} scalar or vector) on
     * Java arrays, or OpenBLAS's {@code cblas_sgemm} ({@code impl} openblas) on off-heap copies of the same
     * arrays. Both sides get the same shape, layout (row-major), transposes, alpha (1) and beta.
     */
    public abstract static class Problem {
        boolean transA, transB;
        int m, n, k, lda, ldb;
        float beta;
        float[] a, b, c;
        double gflopPerCall;
        Kernels kernels;
        OpenBlas blas;
        Arena arena;
        MemorySegment nativeA, nativeB, nativeC;

        void setUp(String impl, int threads, String shape) {
            String[] formAndDims = shape.split(":");
            String[] dims = formAndDims[1].split("x");
            transA = formAndDims[0].charAt(0) == 'T';
            transB = formAndDims[0].charAt(1) == 'T';
            m = Integer.parseInt(dims[0]);
            n = Integer.parseInt(dims[1]);
            k = Integer.parseInt(dims[2]);
            lda = transA ? m : k;
            ldb = transB ? k : n;
            beta = transA ? 1f : 0f;
            SplittableRandom rnd = new SplittableRandom(1);
            a = random(rnd, m * k);
            b = random(rnd, k * n);
            c = random(rnd, m * n);
            gflopPerCall = 2.0 * m * n * k / 1e9;
            if (impl.equals("openblas")) {
                blas = OpenBlas.load();
                if (blas == null) {
                    // The jar's entry point (Main) leaves these runs out when the library is absent; this is for JMH's own.
                    throw new IllegalStateException(OpenBlas.unavailableReason());
                }
                blas.setNumThreads(threads);
                arena = Arena.ofShared();
                nativeA = copy(arena, a);
                nativeB = copy(arena, b);
                nativeC = copy(arena, c);
                System.out.println("openblas: " + blas.library() + ", core " + blas.coreName() + ", "
                        + blas.numThreads() + " thread(s), " + blas.config().strip());
            } else {
                kernels = Kernels.create(impl, threads);
            }
        }

        /** One GEMM; returns C for JMH to consume. The branch is the same every call of a trial. */
        Object run(Flops flops) {
            flops.gflops += gflopPerCall;
            if (blas != null) {
                blas.sgemm(transA, transB, m, n, k, 1f, nativeA, lda, nativeB, ldb, beta, nativeC, n);
                return nativeC;
            }
            kernels.sgemm(transA, transB, m, n, k, a, 0, lda, b, 0, ldb, beta, c, 0, n);
            return c;
        }

        @TearDown(Level.Trial)
        public void close() {
            if (kernels != null) kernels.close();
            if (arena != null) arena.close();
        }

        private static MemorySegment copy(Arena arena, float[] x) {
            // 64-byte aligned, as OpenBLAS's own allocator would give; the Java arrays get what the heap gives.
            MemorySegment s = arena.allocate((long) x.length * Float.BYTES, 64);
            MemorySegment.copy(x, 0, s, ValueLayout.JAVA_FLOAT, 0, x.length);
            return s;
        }

        private static float[] random(SplittableRandom rnd, int length) {
            float[] x = new float[length];
            for (int i = 0; i < length; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
            return x;
        }
    }

    @State(Scope.Benchmark)
    public static class Square extends Problem {
        @Param({"128", "256", "512"})
        public int size;
        @Param({"scalar", "vector", "openblas"})
        public String impl;
        @Param({"1", "2"})
        public int threads;

        @Setup(Level.Trial)
        public void setUp() {
            setUp(impl, threads, "NN:" + size + "x" + size + "x" + size);
        }
    }

    @State(Scope.Benchmark)
    public static class LargeSquare extends Problem {
        @Param({"1024", "2048"})
        public int size;
        @Param({"vector", "openblas"})
        public String impl;
        @Param({"1", "2"})
        public int threads;

        @Setup(Level.Trial)
        public void setUp() {
            setUp(impl, threads, "NN:" + size + "x" + size + "x" + size);
        }
    }

    /**
     * The im2col GEMMs at batch 128: LeNet-5 conv1 (5×5, 1→20 on 28×28) and conv2 (5×5, 20→50 on 12×12)
     * forward, a 3×3 CNN's layers (1→16 on 28×28, 16→32 on 14×14, 32→64 on 7×7) forward, two shapes the
     * OpenBLAS reference figures use (K=25,N=16 and K=144,N=64), and both backward forms of the 16→32 layer.
     */
    @State(Scope.Benchmark)
    public static class Im2col extends Problem {
        @Param({"NT:73728x20x25", "NT:8192x50x500", "NT:100352x16x9", "NT:25088x32x144", "NT:6272x64x288",
                "NT:73728x16x25", "NT:25088x64x144", "NN:25088x144x32", "TN:32x144x25088", "TN:16x9x100352"})
        public String shape;
        @Param({"vector", "openblas"})
        public String impl;
        @Param({"1", "2"})
        public int threads;

        @Setup(Level.Trial)
        public void setUp() {
            setUp(impl, threads, shape);
        }
    }

    /** The scalar reference on one im2col shape, for the speed-up. */
    @State(Scope.Benchmark)
    public static class Im2colScalar extends Problem {
        @Param({"NT:6272x64x288"})
        public String shape;
        @Param({"scalar"})
        public String impl;
        @Param({"1", "2"})
        public int threads;

        @Setup(Level.Trial)
        public void setUp() {
            setUp(impl, threads, shape);
        }
    }

    @Benchmark
    public Object square(Square p, Flops flops) {
        return p.run(flops);
    }

    @Benchmark
    public Object squareLarge(LargeSquare p, Flops flops) {
        return p.run(flops);
    }

    @Benchmark
    public Object im2col(Im2col p, Flops flops) {
        return p.run(flops);
    }

    @Benchmark
    public Object im2colScalar(Im2colScalar p, Flops flops) {
        return p.run(flops);
    }
}
