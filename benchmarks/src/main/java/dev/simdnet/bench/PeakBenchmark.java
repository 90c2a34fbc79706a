package dev.simdnet.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The attainable fp32 peak of this machine through the Vector API: independent FMA chains that live in
 * registers, no memory traffic. {@code perThread} runs on one thread, {@code allCores} on two (this
 * machine's core count); the GEMM tables are read as shares of these two numbers.
 *
 * <p>12 chains of {@code acc = acc·x + y}: an FMA has a latency of 4 cycles and two issue ports on Zen 3,
 * so 8 independent chains keep both ports busy; 12 leave slack and, with {@code x} and {@code y}, still fit
 * in the 16 AVX2 registers. This benchmark imports the Vector API directly (the one place outside the
 * engine that does): it measures the hardware, not the engine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class PeakBenchmark {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** FMA steps per chain and invocation. */
    private static final int STEPS = 4096;
    private static final int CHAINS = 12;
    /** Flops per invocation: chains × steps × lanes × 2 (a multiply and an add). */
    private static final double GFLOP_PER_CALL = (double) CHAINS * STEPS * SPECIES.length() * 2 / 1e9;

    // Fields, not constants, so the JIT cannot fold the chains; x just under 1 keeps them finite.
    private float x = 0.999999f;
    private float y = 1e-6f;
    private float start = 0.5f;

    @Benchmark
    @Threads(1)
    public float perThread(Flops flops) {
        flops.gflops += GFLOP_PER_CALL;
        return fmaChains();
    }

    @Benchmark
    @Threads(2)
    public float allCores(Flops flops) {
        flops.gflops += GFLOP_PER_CALL;
        return fmaChains();
    }

    private float fmaChains() {
        FloatVector xv = FloatVector.broadcast(SPECIES, x);
        FloatVector yv = FloatVector.broadcast(SPECIES, y);
        FloatVector a0 = FloatVector.broadcast(SPECIES, start), a1 = a0.add(1f), a2 = a0.add(2f), a3 = a0.add(3f);
        FloatVector a4 = a0.add(4f), a5 = a0.add(5f), a6 = a0.add(6f), a7 = a0.add(7f);
        FloatVector a8 = a0.add(8f), a9 = a0.add(9f), a10 = a0.add(10f), a11 = a0.add(11f);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(xv, yv);
            a1 = a1.fma(xv, yv);
            a2 = a2.fma(xv, yv);
            a3 = a3.fma(xv, yv);
            a4 = a4.fma(xv, yv);
            a5 = a5.fma(xv, yv);
            a6 = a6.fma(xv, yv);
            a7 = a7.fma(xv, yv);
            a8 = a8.fma(xv, yv);
            a9 = a9.fma(xv, yv);
            a10 = a10.fma(xv, yv);
            a11 = a11.fma(xv, yv);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7)
                .add(a8).add(a9).add(a10).add(a11).reduceLanes(VectorOperators.ADD);
    }
}
