package dev.simdnet.cli;

import dev.simdnet.track.HtmlReport;
import dev.simdnet.track.RecordFiles;
import dev.simdnet.track.RunInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code runs report}: one self-contained HTML file of the selected runs; prints its path. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write one self-contained HTML file (no network needed): the runs table, learning curves,",
                "hyper-parameters against validation accuracy, and each run's confusion matrix. Prints its path."})
final class RunsReportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Mixin
    RunsCommand.Dir dir;
    @Mixin
    RunsCommand.Filter filter;

    @Option(names = "--output", paramLabel = "FILE", description = "Where to write the report (default: <runs-dir>/report.html).")
    Path output;

    @Override
    public Integer call() throws IOException {
        List<RunInfo> runs = filter.select(spec.commandLine(), dir.store());
        Path file = output != null ? output : dir.runsDir.resolve("report.html");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        RecordFiles.write(file, HtmlReport.render(dir.store(), runs, Instant.now()));
        spec.commandLine().getOut().println(file.toAbsolutePath());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
