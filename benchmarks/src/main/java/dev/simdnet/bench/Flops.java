package dev.simdnet.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A JMH secondary metric that reports GFLOP/s, shared by every kernel benchmark so that
 * {@code benchmarks/run-kernels.sh} can read them all the same way.
 *
 * <p>Use: take it as a benchmark argument and add the work of one invocation, in GFLOP, to {@link #gflops}:
 * <pre>{@code
 * @Benchmark
 * public float[] sgemm(Problem p, Flops flops) {
 *     kernels.sgemm(...);
 *     flops.gflops += p.gflopPerCall;   // 2·m·n·k / 1e9
 *     return p.c;
 * }
 * }</pre>
 * JMH divides an {@link AuxCounters.Type#OPERATIONS} counter by the measured time (the benchmark must run
 * in {@code Mode.Throughput} with {@code @OutputTimeUnit(TimeUnit.SECONDS)}), sums it over the benchmark's
 * threads, and writes it to the {@code -rf json} result as {@code secondaryMetrics.gflops}: GFLOP/s.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Flops {
    /** GFLOP done in the current iteration; JMH reads it as a rate. */
    public double gflops;

    @Setup(Level.Iteration)
    public void reset() {
        gflops = 0;
    }
}
