package dev.simdnet.cli;

import dev.simdnet.data.DataSource;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.track.Environment;
import dev.simdnet.track.InProcessTrialRunner;
import dev.simdnet.track.RunStore;
import dev.simdnet.track.RunText;
import dev.simdnet.track.Sweep;
import dev.simdnet.track.SweepSpace;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code sweep SPACE}: a grid, random or listed search, every trial a tracked run; resumable with the same command. */
@Command(name = "sweep", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Search a space of configs (a JSON file; see README.md, \"Sweeps\"): grid, random or a list,",
                "stopping poor trials early with successive halving. Every trial is a run tagged sweep=NAME.",
                "Run the same command again to resume an interrupted sweep. Ends with the best configurations."})
final class SweepCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "SPACE", description = "The space file (JSON).")
    Path spaceFile;

    @Option(names = "--trials", paramLabel = "N", description = "Random search: how many trials; grid: at most N points (default: the space's).")
    Integer trials;

    @Option(names = "--parallel", paramLabel = "K", defaultValue = "1", description = "Trials at once, each on one thread. Default: ${DEFAULT-VALUE}.")
    int parallel;

    @Option(names = "--name", paramLabel = "NAME", description = "The sweep's name (default: the space's \"name\", else the file name).")
    String name;

    @Option(names = "--runs-dir", paramLabel = "DIR", defaultValue = "runs", description = "Where the trial runs go. Default: ${DEFAULT-VALUE}.")
    Path runsDir;

    @Option(names = "--kernels", paramLabel = "KIND", defaultValue = "auto", description = "scalar, vector or auto. Default: ${DEFAULT-VALUE}.")
    String kernels;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder with the IDX files (default: $SIMDNET_DATA, then data/<dataset>/).")
    Path dataDir;

    @Option(names = "--offline", description = "Never download a missing data set.")
    boolean offline;

    @Option(names = "--verbose", description = "Print stack traces with errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException, InterruptedException {
        CommandLine cl = spec.commandLine();
        PrintWriter out = cl.getOut(), err = cl.getErr();
        if (!List.of("scalar", "vector", "auto").contains(kernels)) throw usage("unknown --kernels '" + kernels + "': use scalar, vector or auto");
        if (parallel < 1 || parallel > 256) throw usage("--parallel must be in [1, 256], got " + parallel);
        if (trials != null && trials < 1) throw usage("--trials must be 1 or more, got " + trials);
        String text;
        try {
            text = Files.readString(spaceFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw usage("cannot read the space file " + spaceFile + ": " + Errors.message(e));
        }
        SweepSpace space;
        try {
            String fileName = spaceFile.getFileName().toString().replaceFirst("\\.json$", "");
            space = SweepSpace.parse(text, fileName);
            if (name != null) space = space.withName(name);
            if (trials != null) space = space.withTrials(trials);
            space.expand();                                              // every trial's config checked now
        } catch (IllegalArgumentException e) {
            throw usage(spaceFile + ": " + e.getMessage());
        }
        RunStore store = new RunStore(runsDir);
        store.checkWritable();
        Map<String, Object> env;
        try (Kernels k = Kernels.create(kernels, 1)) {
            env = Environment.capture(k);
        }
        DataSource data = DataSource.standard(dataDir).withDownload(!offline);
        Sweep sweep = new Sweep(space, text, store, new InProcessTrialRunner(data, kernels), env, parallel, line -> {
            synchronized (err) {
                err.println(line);
                err.flush();
            }
        });
        List<Map<String, Object>> best;
        try {
            best = sweep.runUntilShutdown();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        out.println("sweep " + space.name() + ": " + sweep.counts() + "; state in " + sweep.file());
        out.print(RunText.sweepTable(best, space));
        out.flush();
        return 0;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
