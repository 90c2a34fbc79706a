package dev.simdnet.spark;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.data.DataSource;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.track.InProcessTrialRunner;
import dev.simdnet.track.RunStore;
import dev.simdnet.track.TrialRunner;
import dev.simdnet.train.Experiment;
import dev.simdnet.train.TrainConfig;
import dev.simdnet.train.TrainListener;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Trials as Spark tasks: one trial a task (a one-partition job, so the sweep's K worker threads keep K tasks in
 * flight), trained on {@code spark.task.cpus} kernel threads by the same {@link Experiment} the in-process runner
 * uses. While it trains, the task streams its progress to the driver over a socket it opens back to it (as Spark's
 * executors reach the driver anyway): each epoch's metrics go into the run record as they happen, and the driver
 * answers each epoch with "go on" or "stop", so successive halving decides exactly as for a local sweep. At the
 * end the task ships the model file back with its summary, and the driver writes it into the run folder: the run
 * record is the same whether or not the runs folder is on a file system the executors share.
 *
 * <p>The executors read the data sets from the same data folder as the driver: on a cluster it must be at that
 * path on every machine (a shared file system), or the trials fail with the loader's message.
 */
public final class SparkTrialRunner implements TrialRunner {
    private final JavaSparkContext sc;
    private final DataSource data;
    private final String kernels;
    private final int threadsPerTask;
    private final InProcessTrialRunner checker;

    public SparkTrialRunner(JavaSparkContext sc, DataSource data, String kernels, int threadsPerTask) {
        this.sc = sc;
        this.data = data;
        this.kernels = kernels;
        this.threadsPerTask = threadsPerTask;
        this.checker = new InProcessTrialRunner(data, kernels);
    }

    /** The same checks as a local sweep's, on the driver, before any task is scheduled. */
    @Override
    public void check(List<TrainConfig> configs) throws IOException {
        checker.check(configs);
    }

    @Override
    public Result run(TrainConfig config, Path runDir, TrainListener listener) throws Exception {
        String host = sc.getConf().get("spark.driver.host", InetAddress.getLocalHost().getHostAddress());
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(0));
            Task task = new Task(JSON.std.asString(config.toMap()), data.explicitDir() == null ? null : data.explicitDir().toAbsolutePath().toString(),
                    data.download(), kernels, threadsPerTask, host, server.getLocalPort());
            Relay relay = new Relay(server, listener);
            Thread relayThread = Thread.ofPlatform().daemon().name("trial-relay-" + runDir.getFileName()).start(relay);
            sc.setJobDescription("simdnet trial " + runDir.getFileName());
            Outcome o;
            try {
                o = sc.parallelize(List.of(task), 1).map(Task::call).collect().get(0);
            } finally {
                relay.stop();
                relayThread.join(5_000);
            }
            if (relay.failure != null) throw relay.failure;            // the run record could not be written
            if (o.pruned != null) throw new TrialPruned(o.pruned);
            if (o.error != null) throw new TrialFailed(o.error);
            Path model = runDir.resolve(RunStore.MODEL);
            Files.write(model, o.model);
            Map<String, Object> summary = new LinkedHashMap<>(JSON.std.mapFrom(o.summary));
            if (summary.containsKey("checkpoint")) summary.put("checkpoint", model.toString());
            return new Result(summary, o.confusion);
        }
    }

    /** A trial that failed on its executor, with the executor's one-line reason. */
    static final class TrialFailed extends RuntimeException {
        TrialFailed(String message) { super(message, null, false, false); }
    }

    /** What the task sends back. */
    record Outcome(String summary, int[][] confusion, byte[] model, String pruned, String error) implements Serializable {}

    /** One trial, on an executor. */
    record Task(String config, String dataDir, boolean download, String kernels, int threads, String host, int port) implements Serializable {
        Outcome call() {
            Path tmp = null;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 30_000);
                PrintWriter out = new PrintWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                TrainConfig c = TrainConfig.fromMap(JSON.std.mapFrom(config)).with("threads", threads);
                DataSource source = (dataDir == null ? DataSource.standard(null) : DataSource.offline(Path.of(dataDir))).withDownload(download && dataDir == null);
                tmp = Files.createTempDirectory("simdnet-trial");
                Path model = tmp.resolve(RunStore.MODEL);
                TrainListener relay = new TrainListener() {
                    @Override
                    public void onStep(StepProgress p) {
                        out.println("S");                                  // a heartbeat for the run's status
                    }

                    @Override
                    public void onEpoch(EpochMetrics m) {
                        out.println("E\t" + m.epoch() + "\t" + m.trainLoss() + "\t" + m.trainAccuracy() + "\t" + m.valLoss() + "\t" + m.valAccuracy()
                                + "\t" + m.lr() + "\t" + m.imagesPerSecond() + "\t" + m.seconds());
                        String verdict;
                        try {
                            verdict = in.readLine();
                        } catch (IOException e) {
                            throw new UncheckedIOException("lost the driver: " + e.getMessage(), e);
                        }
                        if (verdict == null) throw new IllegalStateException("lost the driver");
                        if (verdict.startsWith("P\t")) throw new TrialPruned(verdict.substring(2));
                        if (verdict.startsWith("F\t")) throw new IllegalStateException(verdict.substring(2));
                    }

                    @Override
                    public void onNote(String message) {
                        out.println("N\t" + message.replace('\n', ' '));
                    }
                };
                try (Kernels k = Kernels.create(kernels, threads)) {
                    Experiment e = new Experiment(c, k, new Experiment.Options(source, model, tmp.resolve("state"), false, 0), relay);
                    Map<String, Object> summary = e.run();
                    return new Outcome(JSON.std.asString(summary), e.testEvaluation() == null ? null : e.testEvaluation().confusion(),
                            Files.readAllBytes(model), null, null);
                }
            } catch (TrialPruned p) {
                return new Outcome(null, null, null, p.getMessage(), null);
            } catch (Exception | Error e) {
                return new Outcome(null, null, null, null, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            } finally {
                deleteTree(tmp);
            }
        }
    }

    /** The driver's end of a task's progress stream: epochs into the listener (the run record, the halving gate). */
    private static final class Relay implements Runnable {
        private final ServerSocket server;
        private final TrainListener listener;
        private volatile boolean stopped;
        volatile Exception failure;

        Relay(ServerSocket server, TrainListener listener) {
            this.server = server;
            this.listener = listener;
        }

        void stop() {
            stopped = true;
            try {
                server.close();
            } catch (IOException ignored) {
                // closing only
            }
        }

        @Override
        public void run() {
            try (Socket s = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true);
                for (String line; (line = in.readLine()) != null; ) {
                    String[] f = line.split("\t", -1);
                    switch (f[0]) {
                        case "S" -> listener.onStep(new TrainListener.StepProgress(0, 0, 0, Double.NaN, 0f, Double.NaN, Double.NaN));
                        case "N" -> listener.onNote(f[1]);
                        case "E" -> {
                            var m = new TrainListener.EpochMetrics(Integer.parseInt(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                                    Double.parseDouble(f[4]), Double.parseDouble(f[5]), Float.parseFloat(f[6]), Double.parseDouble(f[7]),
                                    Double.parseDouble(f[8]));
                            try {
                                listener.onEpoch(m);
                                out.println("G");
                            } catch (TrialPruned p) {
                                out.println("P\t" + p.getMessage());
                            } catch (RuntimeException e) {
                                failure = e;
                                out.println("F\tthe driver could not record epoch " + m.epoch() + ": " + e.getMessage());
                            }
                        }
                        default -> { }
                    }
                }
            } catch (SocketTimeoutException | java.net.SocketException closed) {
                // the job ended (or never connected): nothing more to relay
            } catch (IOException e) {
                if (!stopped) failure = e;
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary folder left behind costs disk space only
        }
    }
}
