package dev.simdnet.cli;

import dev.simdnet.kernel.Kernels;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options every command shares, as a picocli mixin. */
final class CommonOptions {
    @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: all ${sys:simdnet.cores} cores).")
    Integer threads;

    @Option(names = "--kernels", paramLabel = "KIND", defaultValue = "auto",
            description = "Kernels: scalar, vector or auto (vector when jdk.incubator.vector is loaded). Default: ${DEFAULT-VALUE}.")
    String kernels;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of every random choice (default: the preset's, 1).")
    Long seed;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder with the IDX files (default: $SIMDNET_DATA, then data/<dataset>/; downloaded if absent).")
    Path dataDir;

    @Option(names = "--verbose", description = "Print stack traces with errors.")
    boolean verbose;

    static {
        System.setProperty("simdnet.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    int threadsOr(int fallback) {
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        return threads == null ? fallback : threads;
    }

    Kernels kernels(int threadCount) {
        return Kernels.create(kernels, threadCount);
    }
}
