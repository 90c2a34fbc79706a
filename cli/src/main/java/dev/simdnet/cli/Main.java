package dev.simdnet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java --add-modules jdk.incubator.vector -jar cli.jar <command>}. Exit codes: 0 success, 2 usage error,
 * 1 bad data, I/O or a failed run (one line on stderr; the stack trace only with --verbose).
 */
@Command(name = "simdnet", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Train and run convolutional networks on the JDK alone: SIMD kernels on the Vector API.",
        subcommands = {TrainCommand.class, EvalCommand.class, ClassifyCommand.class, BenchCommand.class, TuneCommand.class, ServeCommand.class, ExportCommand.class,
                RunsCommand.class, SweepCommand.class, RenderPenDigitsCommand.class, CalibrateCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: train, eval, classify, bench, serve, runs or sweep");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests to capture output and exit codes. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new Errors());
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("error: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for the options.");
            return 2;
        });
        return cl;
    }
}
