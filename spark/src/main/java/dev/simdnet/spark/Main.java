package dev.simdnet.spark;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.data.DataSource;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.model.Model;
import dev.simdnet.track.Environment;
import dev.simdnet.track.RunRecorder;
import dev.simdnet.track.RunStore;
import dev.simdnet.track.RunText;
import dev.simdnet.track.Sweep;
import dev.simdnet.track.SweepSpace;
import dev.simdnet.train.Experiment;
import dev.simdnet.train.TrainConfig;
import dev.simdnet.train.TrainListener;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code spark-submit --class dev.simdnet.spark.Main simdnet-spark.jar sweep|classify|train ...}, or
 * {@code spark/bin/simdnet-spark ...} on one machine. Exit codes as the local commands': 0 success, 2 usage
 * error, 1 bad data, I/O or a failed run, each with one line on stderr (the stack trace with --verbose).
 */
@Command(name = "simdnet-spark", mixinStandardHelpOptions = true, version = "simdnet-spark 0.1.0",
        description = "simdnet on Apache Spark: sweeps, batch classification and data-parallel training.",
        subcommands = {Main.SweepCmd.class, Main.ClassifyCmd.class, Main.TrainCmd.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** A session given by the caller (tests share one); null: each command makes its own from --master. */
    private final SparkSession given;

    Main(SparkSession given) { this.given = given; }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: sweep, classify or train");
    }

    static void trace(String what) {
        if (System.getenv("SIMDNET_TRACE") != null)
            System.err.printf("TRACE %6d ms %s%n", System.currentTimeMillis() - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime(), what);
    }

    public static void main(String[] args) {
        trace("main");
        int code = commandLine(null).execute(args);
        trace("command done");
        SparkSetup.stop();
        trace("stopped");
        System.exit(code);
    }

    /** The command line; with {@code session}, every command runs on it (and leaves it open). */
    public static CommandLine commandLine(SparkSession session) {
        CommandLine cl = new CommandLine(new Main(session));
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                c.getErr().println("error: " + message(e));
                return 2;
            }
            c.getErr().println("error: " + message(e));
            for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand())
                if (p.hasMatchedOption("--verbose")) e.printStackTrace(c.getErr());
            return 1;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("error: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for the options.");
            return 2;
        });
        return cl;
    }

    static String message(Throwable e) {
        if (e instanceof UncheckedIOException u) e = u.getCause();
        if (e instanceof NoSuchFileException n) return "no such file: " + n.getFile();
        if (e instanceof AccessDeniedException a) return "permission denied: " + a.getFile();
        if (e instanceof FileNotFoundException f) return f.getMessage();
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        return m.lines().findFirst().orElse(m);
    }

    /** Options every subcommand has. */
    static class Shared {
        @Option(names = "--master", paramLabel = "URL", description = "local[N], local[*], spark://HOST:PORT, yarn, k8s://... "
                + "(default: spark-submit's, else local[*]).")
        String master;

        @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting (spark.task.cpus=2, say); repeatable.")
        Map<String, String> conf = new LinkedHashMap<>();

        @Option(names = "--kernels", paramLabel = "KIND", defaultValue = "auto", description = "scalar, vector or auto. Default: ${DEFAULT-VALUE}.")
        String kernels;

        @Option(names = "--verbose", description = "Print stack traces with errors.")
        boolean verbose;

        void checkKernels(CommandLine cl) {
            if (!List.of("scalar", "vector", "auto").contains(kernels))
                throw new CommandLine.ParameterException(cl, "unknown --kernels '" + kernels + "': use scalar, vector or auto");
        }

        /** The caller's session, or a new one on --master (checked first). */
        SparkSession session(Main main, String app) {
            if (main.given != null) return main.given;
            return SparkSetup.session(SparkSetup.master(master), app, conf);
        }

        /** The caller's session's context, or a new bare context on --master (checked first). */
        org.apache.spark.SparkContext context(Main main, String app) {
            if (main.given != null) return main.given.sparkContext();
            return SparkSetup.context(SparkSetup.master(master), app, conf);
        }
    }

    // ---------------------------------------------------------------- sweep

    @Command(name = "sweep", mixinStandardHelpOptions = true,
            description = {"A sweep as a local `sweep` runs it (space file, successive halving, summary, resume with the same command),",
                    "one trial per Spark task on spark.task.cpus kernel threads."})
    static final class SweepCmd implements Callable<Integer> {
        @CommandLine.ParentCommand Main main;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Shared shared = new Shared();

        @Parameters(paramLabel = "SPACE", description = "The space file (JSON; see README.md, \"Sweeps\").")
        Path spaceFile;

        @Option(names = "--trials", paramLabel = "N", description = "Random search: how many trials; grid: at most N points.")
        Integer trials;

        @Option(names = "--parallel", paramLabel = "K", description = "Trials at once (default: the cluster's task slots).")
        Integer parallel;

        @Option(names = "--name", paramLabel = "NAME", description = "The sweep's name (default: the space's).")
        String name;

        @Option(names = "--runs-dir", paramLabel = "DIR", defaultValue = "runs", description = "Where the trial runs go. Default: ${DEFAULT-VALUE}.")
        Path runsDir;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder with the IDX files, at the same path on every executor.")
        Path dataDir;

        @Option(names = "--offline", description = "Never download a missing data set.")
        boolean offline;

        @Override
        public Integer call() throws Exception {
            CommandLine cl = spec.commandLine();
            PrintWriter out = cl.getOut(), err = cl.getErr();
            shared.checkKernels(cl);
            if (parallel != null && (parallel < 1 || parallel > 256)) throw usage(cl, "--parallel must be in [1, 256], got " + parallel);
            if (trials != null && trials < 1) throw usage(cl, "--trials must be 1 or more, got " + trials);
            String text;
            try {
                text = Files.readString(spaceFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw usage(cl, "cannot read the space file " + spaceFile + ": " + message(e));
            }
            SweepSpace space;
            try {
                space = SweepSpace.parse(text, spaceFile.getFileName().toString().replaceFirst("\\.json$", ""));
                if (name != null) space = space.withName(name);
                if (trials != null) space = space.withTrials(trials);
                space.expand();                                          // every trial's config checked now
            } catch (IllegalArgumentException e) {
                throw usage(cl, spaceFile + ": " + e.getMessage());
            }
            RunStore store = new RunStore(runsDir);
            store.checkWritable();
            SparkSession s = shared.session(main, "simdnet sweep " + space.name());
            int cpus = SparkSetup.taskCpus(s);
            int k = parallel != null ? parallel : Math.max(1, s.sparkContext().defaultParallelism() / cpus);
            Map<String, Object> env;
            try (Kernels kernels = Kernels.create(shared.kernels, cpus)) {
                env = new LinkedHashMap<>(Environment.capture(kernels));
            }
            env.put("spark_master", s.sparkContext().master());
            env.put("spark_version", s.version());
            env.put("spark_task_cpus", cpus);
            DataSource data = DataSource.standard(dataDir).withDownload(!offline);
            Sweep sweep = new Sweep(space, text, store, new SparkTrialRunner(JavaSparkContext.fromSparkContext(s.sparkContext()), data, shared.kernels, cpus),
                    env, k, line -> {
                        synchronized (err) {
                            err.println(line);
                            err.flush();
                        }
                    });
            List<Map<String, Object>> best;
            try {
                best = sweep.runUntilShutdown();
            } catch (IllegalArgumentException e) {
                throw usage(cl, e.getMessage());
            }
            out.println("sweep " + space.name() + ": " + sweep.counts() + "; state in " + sweep.file());
            out.print(RunText.sweepTable(best, space));
            out.flush();
            return 0;
        }
    }

    // ---------------------------------------------------------------- classify

    @Command(name = "classify", mixinStandardHelpOptions = true,
            description = {"Classify every picture of a folder tree (or of a Parquet table with path and content columns),",
                    "the model loaded once per executor; writes path, class, probability, error (CSV when OUT ends in .csv, else Parquet).",
                    "A picture that cannot be read is a row with its error. Ends with the counts and the throughput."})
    static final class ClassifyCmd implements Callable<Integer> {
        @CommandLine.ParentCommand Main main;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Shared shared = new Shared();

        @Option(names = "--input", required = true, paramLabel = "DIR_OR_TABLE", description = "A folder of pictures (searched recursively), or a Parquet table.")
        String input;

        @Option(names = "--format", paramLabel = "KIND", description = "folder or parquet (default: parquet when the input ends in .parquet, else folder).")
        String format;

        @Option(names = "--output", required = true, paramLabel = "OUT", description = "OUT.csv: one CSV file; anything else: a Parquet table.")
        String output;

        @Option(names = "--model", paramLabel = "CHECKPOINT", description = "Model to use (default: the one bundled in the jar).")
        Path model;

        @Option(names = "--top", paramLabel = "K", defaultValue = "1", description = "Also write the K most likely classes (column top). Default: ${DEFAULT-VALUE}.")
        int top;

        @Override
        public Integer call() throws Exception {
            CommandLine cl = spec.commandLine();
            shared.checkKernels(cl);
            if (top < 1 || top > 10) throw usage(cl, "--top must be in [1, 10], got " + top);
            String kind = format != null ? format : input.toLowerCase(java.util.Locale.ROOT).endsWith(".parquet") ? "parquet" : "folder";
            if (!kind.equals("folder") && !kind.equals("parquet")) throw usage(cl, "unknown --format '" + format + "': use folder or parquet");
            // Everything that would fail every task fails here, on the driver, first.
            byte[] bytes;
            if (model == null) {
                bytes = bundledBytes();
            } else {
                if (!Files.isRegularFile(model)) throw new FileNotFoundException("model " + model + " not found: train one, or leave out --model for the bundled one");
                bytes = Files.readAllBytes(model);
                Model.load(model);                                    // a damaged or foreign file is refused here
            }
            checkLocalInput(input);
            checkOutput(output);
            trace("checked");
            if (main.given == null && SparkSetup.master(shared.master).startsWith("local")) BatchClassifier.preload(bytes, shared.kernels);
            var sc = shared.context(main, "simdnet classify");
            trace("session");
            checkInput(sc, input);
            BatchClassifier classifier = main.given != null ? new BatchClassifier(main.given, bytes, top, shared.kernels, SparkSetup.taskCpus(sc))
                    : new BatchClassifier(sc, bytes, top, shared.kernels, SparkSetup.taskCpus(sc));
            BatchClassifier.Counts c = classifier.run(input, kind.equals("parquet"), output);
            cl.getErr().println(c.line());
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("output", output);
            line.put("read", c.read());
            line.put("classified", c.classified());
            line.put("no_digit", c.noDigit());
            line.put("failed", c.failed());
            line.put("seconds", Math.round(c.seconds() * 1000) / 1000.0);
            line.put("pictures_per_second", Math.round(c.picturesPerSecond()));
            cl.getOut().println(JSON.std.asString(line));
            cl.getOut().flush();
            return 0;
        }

        private static byte[] bundledBytes() throws IOException {
            try (var in = Model.class.getResourceAsStream("/dev/simdnet/model/digits.safetensors")) {
                if (in == null) throw new FileNotFoundException("this build has no bundled model: pass --model CHECKPOINT");
                return in.readAllBytes();
            }
        }

        private static boolean hasScheme(String p) {
            return p.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") && !p.startsWith("file:");
        }

        private static void checkLocalInput(String input) throws IOException {
            if (hasScheme(input)) return;
            Path p = BatchClassifier.localPath(input);
            if (!Files.exists(p)) throw new FileNotFoundException("--input " + input + ": no such file or folder");
            if (!Files.isReadable(p)) throw new AccessDeniedException(input);
        }

        private static void checkOutput(String output) throws IOException {
            if (hasScheme(output)) return;
            Path parent = BatchClassifier.localPath(output).getParent();
            Files.createDirectories(parent);
            if (!Files.isWritable(parent)) throw new IOException("cannot write the output " + output + ": " + parent + " is not writable");
        }

        /** An input on a cluster file system (hdfs://...) is checked through Hadoop's file system, still before any task. */
        private static void checkInput(org.apache.spark.SparkContext sc, String input) throws IOException {
            if (!hasScheme(input)) return;
            var path = new org.apache.hadoop.fs.Path(input);
            var fs = path.getFileSystem(sc.hadoopConfiguration());
            if (!fs.exists(path)) throw new FileNotFoundException("--input " + input + ": no such file or folder");
        }
    }

    // ---------------------------------------------------------------- train

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Data-parallel training by synchronous parameter averaging: the weights are broadcast, each partition",
                    "trains K steps on its shard, the weights and batch-norm statistics are averaged (treeAggregate), and again.",
                    "Schedule, validation, checkpoint and run record as in local training; one partition gives its weights exactly."})
    static final class TrainCmd implements Callable<Integer> {
        @CommandLine.ParentCommand Main main;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Shared shared = new Shared();

        @Option(names = "--preset", defaultValue = "fast", description = "baseline, fast, lenet, best or digits. Default: ${DEFAULT-VALUE}.")
        String preset;

        @Option(names = "--model", description = "Network to train (default: the preset's).") String model;
        @Option(names = "--dataset", description = "mnist or fashion (default: the preset's).") String dataset;
        @Option(names = "--epochs", description = "Epochs (a fraction is allowed).") Double epochs;
        @Option(names = "--batch", description = "Batch of each partition.") Integer batch;
        @Option(names = "--lr", description = "Peak learning rate.") Float lr;
        @Option(names = "--validation", description = "Training images held out to validate.") Integer validation;
        @Option(names = "--seed", description = "Seed of every random choice.") Long seed;

        @Option(names = "--partitions", paramLabel = "P", description = "Shards trained at once (default: the cluster's task slots).")
        Integer partitions;

        @Option(names = "--sync-every", paramLabel = "K", defaultValue = "16", description = "Steps each partition takes between averages. Default: ${DEFAULT-VALUE}.")
        int syncEvery;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder with the IDX files (read on the driver; the executors get the images from it).")
        Path dataDir;

        @Option(names = "--offline", description = "Never download a missing data set.") boolean offline;

        @Option(names = "--output", paramLabel = "FILE", description = "Where the model goes (default: <model>.safetensors).") Path output;

        @Option(names = "--runs-dir", paramLabel = "DIR", defaultValue = "runs", description = "Where the run record goes. Default: ${DEFAULT-VALUE}.")
        Path runsDir;

        @Option(names = "--no-track", description = "Do not write a run record.") boolean noTrack;

        @Override
        public Integer call() throws Exception {
            CommandLine cl = spec.commandLine();
            PrintWriter out = cl.getOut(), err = cl.getErr();
            shared.checkKernels(cl);
            if (partitions != null && (partitions < 1 || partitions > 1024)) throw usage(cl, "--partitions must be in [1, 1024], got " + partitions);
            if (syncEvery < 1) throw usage(cl, "--sync-every must be 1 or more steps, got " + syncEvery);
            if (dataDir != null && !Files.isDirectory(dataDir)) throw new FileNotFoundException("--data-dir " + dataDir + ": no such folder");
            Map<String, Object> given = new LinkedHashMap<>();
            given.put("model", model);
            given.put("dataset", dataset);
            given.put("epochs", epochs);
            given.put("batch", batch);
            given.put("lr", lr);
            given.put("validation", validation);
            given.put("seed", seed);
            given.values().removeIf(java.util.Objects::isNull);
            TrainConfig config;
            try {
                config = TrainConfig.preset(preset).with(given);
            } catch (IllegalArgumentException e) {
                throw usage(cl, e.getMessage());
            }
            RunStore store = noTrack ? null : new RunStore(runsDir);
            if (store != null) store.checkWritable();
            SparkSession s = shared.session(main, "simdnet train");
            int cpus = SparkSetup.taskCpus(s);
            int p = partitions != null ? partitions : Math.max(1, s.sparkContext().defaultParallelism() / cpus);
            config = config.with("threads", cpus);
            Map<String, Object> result = train(s, config, p, syncEvery, shared.kernels, DataSource.standard(dataDir).withDownload(!offline), output, store,
                    new Progress(err));
            out.println(JSON.std.asString(result));
            out.flush();
            return 0;
        }
    }

    /**
     * Data-parallel training on {@code s}: the run as {@code train} makes it (checked data, validation, the test
     * once, the model saved, a run record in {@code store} unless null), with {@code partitions} shards averaged
     * every {@code syncEvery} steps. Returns the result line.
     */
    public static Map<String, Object> train(SparkSession s, TrainConfig config, int partitions, int syncEvery, String kernels, DataSource data,
                                            Path output, RunStore store, TrainListener progress) throws IOException {
        int cpus = SparkSetup.taskCpus(s);
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("spark_partitions", Integer.toString(partitions));
        RunRecorder recorder = store == null ? null : RunRecorder.start(store, config.toMap(), null, tags, "spark train, " + partitions + " partitions");
        SparkDataParallel parallel = new SparkDataParallel(JavaSparkContext.fromSparkContext(s.sparkContext()), partitions, syncEvery, kernels, cpus);
        try (Kernels k = Kernels.create(kernels, Math.max(1, Runtime.getRuntime().availableProcessors()))) {
            if (recorder != null) {
                Map<String, Object> env = new LinkedHashMap<>(Environment.capture(k));
                env.put("spark_master", s.sparkContext().master());
                env.put("spark_version", s.version());
                recorder.environment(env);
            }
            TrainListener listener = recorder == null ? progress : RunRecorder.both(progress, recorder);
            Experiment e = new Experiment(config, k, new Experiment.Options(data, output, null, false, 0), listener).dataParallel(parallel);
            Map<String, Object> r;
            try {
                r = new LinkedHashMap<>(e.run());
            } catch (Exception | Error x) {
                if (recorder != null) recorder.fail(message(x));
                throw x;
            }
            r.put("spark_master", s.sparkContext().master());
            r.put("partitions", partitions);
            r.put("sync_every", syncEvery);
            r.put("rounds", parallel.rounds());
            if (recorder != null) {
                if (e.testEvaluation() != null) recorder.confusion(e.testEvaluation().confusion());
                recorder.finish(r);
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("run_id", recorder.id());
                line.putAll(r);
                return line;
            }
            return r;
        } finally {
            parallel.close();
        }
    }

    /** Progress on stderr, one line an epoch. */
    static final class Progress implements TrainListener {
        private final PrintWriter err;

        Progress(PrintWriter err) { this.err = err; }

        @Override
        public void onEpoch(EpochMetrics m) {
            err.printf(java.util.Locale.ROOT, "epoch %d: train loss %.4f, val accuracy %.4f, %.0f images/s%n", m.epoch(), m.trainLoss(), m.valAccuracy(),
                    m.imagesPerSecond());
            err.flush();
        }

        @Override
        public void onNote(String message) {
            err.println(message);
            err.flush();
        }
    }

    static CommandLine.ParameterException usage(CommandLine cl, String message) {
        return new CommandLine.ParameterException(cl, message);
    }
}
