package dev.simdnet.cli;

import dev.simdnet.track.RunInfo;
import dev.simdnet.track.RunQuery;
import dev.simdnet.track.RunStore;
import dev.simdnet.track.RunText;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code runs}: look at the run records that {@code train} and {@code sweep} leave under the runs folder. */
@Command(name = "runs", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "List, show, compare, report and export recorded runs.",
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Compare.class,
                RunsReportCommand.class, RunsExportCommand.class})
final class RunsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: list, show, compare, report or export");
    }

    /** The runs folder option of every subcommand. */
    static final class Dir {
        @Option(names = "--runs-dir", paramLabel = "DIR", defaultValue = "runs", description = "The runs folder. Default: ${DEFAULT-VALUE}.")
        Path runsDir;

        @Option(names = "--verbose", description = "Print stack traces with errors.")
        boolean verbose;

        RunStore store() { return new RunStore(runsDir); }
    }

    /** Filters and sorting shared by list, report and export. */
    static final class Filter {
        @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Only runs with this tag (repeatable: all must match).")
        Map<String, String> tags = new LinkedHashMap<>();

        @Option(names = "--model", paramLabel = "NAME", description = "Only runs of this model.")
        String model;

        @Option(names = "--dataset", paramLabel = "NAME", description = "Only runs on this data set.")
        String dataset;

        @Option(names = "--status", paramLabel = "STATE", description = "Only runs in this state: running, finished, failed, interrupted, pruned or killed.")
        String status;

        @Option(names = "--sort", paramLabel = "FIELD", description = "Sort by any summary or config field (-FIELD: descending), e.g. --sort -test_accuracy.")
        String sort;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Show at most N runs (0: all).")
        int limit;

        List<RunInfo> select(CommandLine cl, RunStore store) throws IOException {
            if (status != null && !List.of("running", "finished", "failed", "interrupted", "pruned", "killed", "corrupt").contains(status))
                throw new CommandLine.ParameterException(cl, "unknown --status '" + status + "': use running, finished, failed, interrupted, pruned or killed");
            RunQuery q;
            try {
                q = new RunQuery(tags, model, dataset, status, sort, limit);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
            return q.apply(store.list());
        }
    }

    /** Resolves run names, turning an unknown or ambiguous one into a usage error. */
    static String resolve(CommandLine cl, RunStore store, String name) throws IOException {
        try {
            return store.resolve(name);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "A table of runs, filtered and sorted.")
    static final class ListRuns implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        Dir dir;
        @Mixin
        Filter filter;

        @Option(names = "--columns", paramLabel = "A,B,...", split = ",",
                description = "Fields to show (summary, config, tag.KEY, id, state, started, note, tags).")
        List<String> columns;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            List<RunInfo> runs = filter.select(spec.commandLine(), dir.store());
            out.print(RunText.table(runs, columns == null ? RunText.DEFAULT_COLUMNS : columns));
            out.flush();
            if (runs.isEmpty()) spec.commandLine().getErr().println("no runs in " + dir.runsDir + (filter.tags.isEmpty() && filter.model == null
                    && filter.dataset == null && filter.status == null ? "" : " match"));
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Everything recorded about one run.")
    static final class Show implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        Dir dir;

        @Parameters(paramLabel = "ID", description = "A run id, a unique prefix of one, or of its random part.")
        String id;

        @Override
        public Integer call() throws IOException {
            RunStore store = dir.store();
            RunInfo r = store.info(resolve(spec.commandLine(), store, id));
            spec.commandLine().getOut().print(RunText.show(store, r));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = {"Runs side by side: the config fields that differ, and the metrics.",
                    "With --baseline, every run's change against the baseline (all runs when no IDs are given)."})
    static final class Compare implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        Dir dir;
        @Mixin
        Filter filter;

        @Parameters(paramLabel = "ID", arity = "0..*", description = "Runs to compare (ids, or unique prefixes of ids or of their random part).")
        List<String> ids = new ArrayList<>();

        @Option(names = "--baseline", paramLabel = "ID", description = "Score every other run against this one.")
        String baseline;

        @Override
        public Integer call() throws IOException {
            CommandLine cl = spec.commandLine();
            RunStore store = dir.store();
            RunInfo base = baseline == null ? null : store.info(resolve(cl, store, baseline));
            List<RunInfo> runs = new ArrayList<>();
            if (ids.isEmpty()) {
                if (base == null) throw new CommandLine.ParameterException(cl, "name at least two runs to compare, or a --baseline");
                runs.addAll(filter.select(cl, store));
            } else {
                for (String id : ids) runs.add(store.info(resolve(cl, store, id)));
                if (base == null && runs.size() < 2) throw new CommandLine.ParameterException(cl, "name at least two runs to compare, or a --baseline");
            }
            cl.getOut().print(RunText.compare(runs, base));
            cl.getOut().flush();
            return 0;
        }
    }
}
