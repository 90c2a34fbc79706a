package dev.simdnet.cli;

import dev.simdnet.track.CsvExport;
import dev.simdnet.track.RecordFiles;
import dev.simdnet.track.RunInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code runs export --csv}: the runs as CSV for spreadsheets, on stdout or into a file. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export the runs as CSV: one row per run (config.* columns, then the summary),",
                "or with --epochs one row per epoch of each run."})
final class RunsExportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Mixin
    RunsCommand.Dir dir;
    @Mixin
    RunsCommand.Filter filter;

    @Option(names = "--csv", description = "CSV (the one format, and the default).")
    boolean csv = true;

    @Option(names = "--epochs", description = "One row per epoch (the metrics.csv rows of every run, with its id).")
    boolean epochs;

    @Option(names = "--output", paramLabel = "FILE", description = "Write to FILE instead of stdout.")
    Path output;

    @Override
    public Integer call() throws IOException {
        List<RunInfo> runs = filter.select(spec.commandLine(), dir.store());
        String text = epochs ? CsvExport.epochs(dir.store(), runs) : CsvExport.runs(runs);
        if (output == null) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        } else {
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            RecordFiles.write(output, text);
            spec.commandLine().getErr().println("wrote " + runs.size() + " runs to " + output);
        }
        return 0;
    }
}
