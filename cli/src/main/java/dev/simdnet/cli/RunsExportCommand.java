package dev.simdnet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code runs export}: placeholder until the CSV export lands. */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Runs as CSV.")
final class RunsExportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "runs export is not built yet");
    }
}
