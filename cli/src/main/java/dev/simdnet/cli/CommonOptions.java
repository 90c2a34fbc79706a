package dev.simdnet.cli;

import dev.simdnet.data.DataSource;
import dev.simdnet.kernel.Kernels;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.List;

import java.nio.file.Path;

/** Options every command shares, as a picocli mixin. */
final class CommonOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    Integer threads;
    String kernels = "auto";

    @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: all ${sys:simdnet.cores} cores).")
    void setThreads(int n) {
        if (n < 1 || n > 1024) throw new ParameterException(mixee.commandLine(), "--threads must be in [1, 1024], got " + n);
        threads = n;
    }

    @Option(names = "--kernels", paramLabel = "KIND",
            description = "Kernels: scalar, vector or auto (vector when jdk.incubator.vector is loaded). Default: auto.")
    void setKernels(String k) {
        if (!List.of("scalar", "vector", "auto").contains(k))
            throw new ParameterException(mixee.commandLine(), "unknown --kernels '" + k + "': use scalar, vector or auto");
        kernels = k;
    }

    @Option(names = "--seed", paramLabel = "N", description = "Seed of every random choice (default: the preset's, 1).")
    Long seed;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = {"Folder with the IDX files (default: $SIMDNET_DATA, then data/<dataset>/; downloaded if absent),",
                    "or an image folder: DIR/train/<class>/*.png|jpg|gif|bmp, optional DIR/val/ and DIR/test/ (train only)."})
    Path dataDir;

    @Option(names = "--offline", description = "Never download a missing data set; fail with a message instead.")
    boolean offline;

    @Option(names = "--verbose", description = "Print stack traces with errors.")
    boolean verbose;

    static {
        System.setProperty("simdnet.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    int threadsOr(int fallback) {
        return threads == null ? fallback : threads;
    }

    /** Where the data sets are looked for, and whether missing ones may be downloaded. */
    DataSource dataSource() {
        return DataSource.standard(dataDir).withDownload(!offline);
    }

    Kernels kernels(int threadCount) {
        return Kernels.create(kernels, threadCount);
    }
}
