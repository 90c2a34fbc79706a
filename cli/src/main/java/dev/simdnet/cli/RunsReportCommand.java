package dev.simdnet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code runs report}: placeholder until the HTML report lands. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "One self-contained HTML file of the runs.")
final class RunsReportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "runs report is not built yet");
    }
}
