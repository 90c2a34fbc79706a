package dev.simdnet.cli;

import dev.simdnet.kernel.KernelTuner;
import dev.simdnet.kernel.Kernels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tune}: measures the GEMM tile candidates on this machine and keeps the faster; {@code --show} prints the choice in force. */
@Command(name = "tune", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Measure the GEMM micro-tile candidates (4 and 8 rows) on this machine, alternately, and keep the faster",
                "for later runs (a small file in the user's cache folder, keyed by CPU, vector width, JDK and version)."})
final class TuneCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--show", description = "Print the kernel choice in force and where it comes from; measure nothing.")
    boolean show;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "0.3", description = "Time per candidate, shape and round. Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Override
    public Integer call() throws Exception {
        if (!(seconds > 0 && seconds <= 10)) throw new CommandLine.ParameterException(spec.commandLine(), "--seconds must be in (0, 10], got " + seconds);
        PrintWriter out = spec.commandLine().getOut();
        try (Kernels k = common.kernels(common.threadsOr(1))) {
            if (!show) {
                KernelTuner.Result r = KernelTuner.tune(k, seconds);
                out.printf(Locale.ROOT, "%-4s %-26s %-46s %8s%n", "rows", "blocks", "shape", "GFLOP/s");
                for (KernelTuner.Row row : r.rows())
                    out.printf(Locale.ROOT, "%-4d %-26s %-46s %8.1f%n", row.candidate().mr(), row.candidate().blocks(), row.shape(), row.gflops());
                out.println("chosen: " + r.chosen() + " (blocks from " + r.chosen().blocks().source().replaceFirst(":.*", "")
                        + "), written to " + r.file() + " (used by the next run)");
            }
            Map<String, Object> c = k.configuration();
            String what = show ? "kernels in force: " : "this run started with: ";
            if (c.isEmpty()) out.println(what + k.name() + " (no tile to choose)");
            else out.println(what + c.get("vector_bits") + "-bit vectors, " + c.get("vector_registers") + " registers, GEMM tile "
                    + c.get("gemm_tile") + " (" + c.get("gemm_tile_source") + "), cache blocks " + c.get("gemm_blocks")
                    + " (" + c.get("gemm_blocks_source") + "); caches: " + c.get("caches"));
        }
        out.flush();
        return 0;
    }
}
