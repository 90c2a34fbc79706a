package dev.simdnet.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.train.Throughput;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code bench}: quick end-to-end figures without JMH (use the benchmarks jar for the rigorous kernel numbers). */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Measure training and inference images per second of a model, and SGEMM GFLOP/s.",
                "Synthetic data, so no data set is needed. Prints one JSON line on stdout."})
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "fast", description = "Model to measure. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "128", description = "Training batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "3", description = "Time per measurement after warm-up. Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Option(names = "--gemm-size", paramLabel = "N", defaultValue = "1024", description = "Square SGEMM size. Default: ${DEFAULT-VALUE}.")
    int gemmSize;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || batch > 4096) throw usage("--batch must be in [1, 4096], got " + batch);
        if (!(seconds > 0 && seconds <= 600)) throw usage("--seconds must be in (0, 600], got " + seconds);
        if (gemmSize < 1 || gemmSize > 8192) throw usage("--gemm-size must be in [1, 8192], got " + gemmSize);
        int threads = common.threadsOr(Runtime.getRuntime().availableProcessors());
        PrintWriter err = spec.commandLine().getErr(), out = spec.commandLine().getOut();
        Map<String, Object> r;
        try (Kernels k = common.kernels(threads)) {
            try {
                r = Throughput.measure(model, batch, seconds, gemmSize, k, common.seed == null ? 1 : common.seed);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        err.printf(Locale.ROOT, "%s, batch %d, %s kernels, %d threads: train %.0f img/s, inference %.0f img/s, SGEMM %d^3 %.1f GFLOP/s%n",
                model, batch, r.get("kernels"), threads, (double) r.get("train_images_per_second"),
                (double) r.get("inference_images_per_second"), gemmSize, (double) r.get("gemm_gflops"));
        if (r.get("kernel_config") instanceof Map<?, ?> c && !c.isEmpty())
            err.println("kernels on this machine: " + c.get("vector_bits") + "-bit vectors, " + c.get("vector_registers")
                    + " registers, GEMM tile " + c.get("gemm_tile") + " (" + c.get("gemm_tile_source") + ")");
        out.println(JSON.std.asString(r));
        out.flush();
        return 0;
    }

    private CommandLine.ParameterException usage(String m) {
        return new CommandLine.ParameterException(spec.commandLine(), m);
    }
}
