package dev.simdnet.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Defaults;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The benchmarks jar's entry point: JMH's command line, with two changes to the order of the runs.
 *
 * <ul>
 *   <li>The {@code impl} parameter varies fastest. JMH itself varies the parameters in the order of their
 *       names, so all of one implementation would run before the other and a burst of load from another
 *       process on the machine would hit one side only; here simdnet's and OpenBLAS's runs of each shape
 *       alternate (ABAB), and their ratio is fairer.</li>
 *   <li>Without an OpenBLAS library the {@code impl=openblas} runs are left out, with one line saying so,
 *       rather than failing in every fork.</li>
 * </ul>
 *
 * Each parameter combination is one {@link Runner} run (the same forks, iterations and JVM arguments as
 * asked for); the results of all are written together to the {@code -rf}/{@code -rff} file at the end.
 * Listing and help options go to JMH's own main unchanged.
 */
public final class Main {
    private static final String IMPL = "impl";

    private Main() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cmd;
        try {
            cmd = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing command line: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams() || cmd.shouldListProfilers()
                || cmd.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }

        List<String> includes = cmd.getIncludes().isEmpty() ? List.of(".*") : cmd.getIncludes();
        SortedSet<BenchmarkListEntry> benchmarks = BenchmarkList.defaultList().find(
                OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), includes, cmd.getExcludes());
        if (benchmarks.isEmpty()) {
            System.err.println("No matching benchmarks. Miss-spelled regexp? Use -l to list them.");
            System.exit(1);
        }

        List<Map.Entry<BenchmarkListEntry, Map<String, String>>> plan = new ArrayList<>();
        int skipped = 0;
        for (BenchmarkListEntry benchmark : benchmarks) {
            for (Map<String, String> params : combinations(benchmark, cmd)) {
                if ("openblas".equals(params.get(IMPL)) && OpenBlas.load() == null) {
                    skipped++;
                } else {
                    plan.add(Map.entry(benchmark, params));
                }
            }
        }
        if (skipped > 0) {
            System.out.println("# Skipping " + skipped + " impl=openblas run(s): " + OpenBlas.unavailableReason());
        }

        List<RunResult> results = new ArrayList<>();
        try {
            for (Map.Entry<BenchmarkListEntry, Map<String, String>> run : plan) {
                results.addAll(new Runner(only(run.getKey(), benchmarks, run.getValue(), cmd)).run());
            }
        } catch (RunnerException e) {
            System.err.println("ERROR: " + e.getMessage());
            System.exit(1);
        }

        if (cmd.getResult().hasValue() || cmd.getResultFormat().hasValue()) {
            ResultFormatType format = cmd.getResultFormat().orElse(Defaults.RESULT_FORMAT);
            String file = cmd.getResult().orElse(Defaults.RESULT_FILE_PREFIX + "." + format.toString().toLowerCase());
            ResultFormatFactory.getInstance(format, file).writeOut(results);
            System.out.println("# All " + results.size() + " results in " + file);
        }
    }

    /**
     * The benchmark's parameter combinations (the -p values where given, else the declared ones), in JMH's
     * order but with {@code impl} moved to vary fastest.
     */
    static List<Map<String, String>> combinations(BenchmarkListEntry benchmark, CommandLineOptions cmd) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        Map<String, String[]> declared = benchmark.getParams().orElse(Map.of());
        for (Map.Entry<String, String[]> e : declared.entrySet()) {
            if (!e.getKey().equals(IMPL)) values.put(e.getKey(), valuesOf(e, cmd));
        }
        if (declared.containsKey(IMPL)) values.put(IMPL, valuesOf(Map.entry(IMPL, declared.get(IMPL)), cmd));

        List<Map<String, String>> all = new ArrayList<>();
        all.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> partial : all) {
                for (String v : e.getValue()) {
                    Map<String, String> extended = new LinkedHashMap<>(partial);
                    extended.put(e.getKey(), v);
                    next.add(extended);
                }
            }
            all = next;
        }
        return all;
    }

    private static List<String> valuesOf(Map.Entry<String, String[]> declared, CommandLineOptions cmd) {
        return cmd.getParameter(declared.getKey()).hasValue()
                ? new ArrayList<>(cmd.getParameter(declared.getKey()).get())
                : List.of(declared.getValue());
    }

    /** The command line's options narrowed to one benchmark and one parameter combination. */
    private static Options only(BenchmarkListEntry benchmark, SortedSet<BenchmarkListEntry> all,
                                       Map<String, String> params, CommandLineOptions cmd) {
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cmd);
        // A child's includes are added to its parent's, so narrow with excludes (also added) instead.
        for (BenchmarkListEntry other : all) {
            if (!other.getUsername().equals(benchmark.getUsername())) {
                options.exclude("^" + Pattern.quote(other.getUsername()) + "$");
            }
        }
        params.forEach(options::param);
        return options.build();
    }
}
