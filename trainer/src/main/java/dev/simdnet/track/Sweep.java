package dev.simdnet.track;

import dev.simdnet.nn.Parameter;
import dev.simdnet.model.Models;
import dev.simdnet.train.TrainConfig;
import dev.simdnet.train.TrainListener;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Runs a sweep: every trial of a {@link SweepSpace} as a tracked run (tagged {@code sweep=NAME},
 * {@code trial=I}), K at a time, stopping poor ones early with successive halving, and keeping
 * {@code <runs>/sweeps/NAME/sweep.json} up to date so that the same command resumes an interrupted sweep:
 * finished, pruned and failed trials are kept; a trial that was running is marked failed and run again.
 *
 * <p>sweep.json: name, space (the file's text hash), method, created, updated, and per trial: index, params,
 * status (pending, running, finished, pruned, failed), run_id, earlier_run_ids, best_val_accuracy, message.
 */
public final class Sweep {

    /** The state of one trial, as kept in sweep.json. */
    private static final class TrialState {
        final SweepSpace.Trial trial;
        String status = "pending", runId, message;
        Double bestValAccuracy;
        final List<String> earlierRunIds = new ArrayList<>();

        TrialState(SweepSpace.Trial trial) { this.trial = trial; }
    }

    private final SweepSpace space;
    private final String spaceHash;
    private final RunStore store;
    private final TrialRunner runner;
    private final Map<String, Object> env;
    private final int parallel;
    private final Consumer<String> log;
    private final Path dir;
    private final List<TrialState> trials = new ArrayList<>();
    /** Validation accuracy per epoch of every trial (from 1), for the halving decisions. */
    private final Map<Integer, List<Double>> curves = new ConcurrentHashMap<>();
    private final Map<Integer, RunRecorder> active = new ConcurrentHashMap<>();
    private Instant created;

    /**
     * @param spaceText the space file's text (its hash tells a resume from a clash of names)
     * @param env       env.json of every trial
     * @param parallel  trials at once, each on one thread
     * @param log       progress lines (the CLI prints them on stderr)
     */
    public Sweep(SweepSpace space, String spaceText, RunStore store, TrialRunner runner, Map<String, Object> env, int parallel,
                 Consumer<String> log) {
        if (parallel < 1 || parallel > 256) throw new IllegalArgumentException("--parallel must be in [1, 256], got " + parallel);
        this.space = space;
        this.spaceHash = sha256(spaceText + "\ntrials=" + space.trials());
        this.store = store;
        this.runner = runner;
        this.env = env;
        this.parallel = parallel;
        this.log = log;
        this.dir = store.root().resolve("sweeps").resolve(space.name());
    }

    public Path file() { return dir.resolve("sweep.json"); }

    /**
     * {@link #run} with Ctrl-C (a JVM shutdown) answered by {@link #interrupted}: the trials running stop and save
     * their state, so the same command resumes. What the sweep commands call.
     */
    public List<Map<String, Object>> runUntilShutdown() throws IOException, InterruptedException {
        Thread hook = new Thread(this::interrupted, "simdnet-sweep-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // exiting on Ctrl-C: the hook has run
            }
        }
    }

    /**
     * Checks everything before training: the trials (every config valid), the runs folder, an earlier state
     * of this sweep (same space, or a clear refusal), the data (through the runner). Then runs the
     * pending trials and returns the ranking.
     */
    public List<Map<String, Object>> run() throws IOException, InterruptedException {
        List<SweepSpace.Trial> planned = space.expand();
        store.checkWritable();
        Files.createDirectories(dir);
        resume(planned);
        List<TrainConfig> configs = new ArrayList<>();
        for (SweepSpace.Trial t : planned) configs.add(t.config());
        runner.check(configs);
        save();

        ArrayDeque<TrialState> queue = new ArrayDeque<>();
        for (TrialState t : trials) if (t.status.equals("pending")) queue.add(t);
        long done = trials.stream().filter(t -> !t.status.equals("pending")).count();
        log.accept("sweep " + space.name() + ": " + trials.size() + " trials (" + space.method() + "), " + done + " already done, "
                + queue.size() + " to run, " + parallel + " at a time; state in " + file());
        List<Thread> workers = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int w = 0; w < Math.min(parallel, Math.max(1, queue.size())); w++) {
            workers.add(Thread.ofPlatform().name("sweep-worker-" + w).start(() -> {
                while (true) {
                    TrialState t;
                    synchronized (queue) {
                        t = queue.poll();
                    }
                    if (t == null) return;
                    try {
                        runTrial(t);
                    } catch (IOException | RuntimeException e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                        return;
                    }
                }
            }));
        }
        for (Thread w : workers) w.join();
        if (!errors.isEmpty()) throw new IOException("the sweep could not record its state: " + errors.get(0).getMessage(), errors.get(0));
        return ranking();
    }

    /** Ctrl-C: marks the runs in progress failed (their trials run again on resume) and saves the state. */
    public void interrupted() {
        for (RunRecorder r : active.values()) r.fail("the sweep was interrupted; the trial runs again when the sweep resumes");
        try {
            save();
        } catch (IOException e) {
            // the next run repairs the state from the run records
        }
    }

    // ---------------------------------------------------------------- resume

    private void resume(List<SweepSpace.Trial> planned) throws IOException {
        for (SweepSpace.Trial t : planned) trials.add(new TrialState(t));
        Map<String, Object> old = RecordFiles.readJson(file());
        created = Instant.now();
        if (old == null) return;
        if (!spaceHash.equals(old.get("space_sha256")))
            throw new IllegalArgumentException("a sweep named '" + space.name() + "' in " + dir + " was started from another space (or --trials): "
                    + "pass --name to start a new sweep, or the same space file to resume it");
        if (old.get("created") instanceof String c) created = Instant.parse(c);
        List<?> oldTrials = old.get("trials") instanceof List<?> l ? l : List.of();
        for (Object o : oldTrials) {
            if (!(o instanceof Map<?, ?> m) || !(m.get("index") instanceof Number n) || n.intValue() >= trials.size()) continue;
            TrialState t = trials.get(n.intValue());
            t.status = String.valueOf(m.get("status"));
            t.runId = m.get("run_id") instanceof String s ? s : null;
            t.message = m.get("message") instanceof String s ? s : null;
            t.bestValAccuracy = m.get("best_val_accuracy") instanceof Number b ? b.doubleValue() : null;
            if (m.get("earlier_run_ids") instanceof List<?> ids) for (Object id : ids) t.earlierRunIds.add(String.valueOf(id));
            if (t.status.equals("running") || t.status.equals("pending")) retryIfDead(t);
            if (t.runId != null && !t.status.equals("pending")) curves.put(t.trial.index(), valCurve(t.runId));
        }
    }

    /** A trial left "running" by a killed sweep: its run is marked failed, and the trial goes back in the queue. */
    private void retryIfDead(TrialState t) throws IOException {
        if (t.runId != null && Files.isDirectory(store.dir(t.runId))) {
            RunInfo info = store.info(t.runId);
            if (info.status() != null && info.status().state().equals(RunStatus.FINISHED)) {   // ended just before the kill
                t.status = "finished";
                t.bestValAccuracy = number(info.summary().get("best_val_accuracy"));
                return;
            }
            if (info.status() != null && info.status().state().equals(RunStatus.RUNNING)) {
                RunStatus failed = info.status().end(RunStatus.FAILED, Instant.now(), "the sweep was killed while this trial ran; it was run again on resume");
                RecordFiles.writeJson(store.dir(t.runId).resolve(RunStore.STATUS), failed.toMap());
            }
            t.earlierRunIds.add(t.runId);
            log.accept("trial " + t.trial.index() + ": run " + t.runId + " was cut short; running it again");
        }
        t.status = "pending";
        t.runId = null;
        t.message = null;
    }

    private List<Double> valCurve(String runId) throws IOException {
        List<Double> c = new ArrayList<>();
        for (Map<String, Double> e : store.metrics(runId)) c.add(e.getOrDefault("val_accuracy", Double.NaN));
        return c;
    }

    // ---------------------------------------------------------------- one trial

    private void runTrial(TrialState t) throws IOException {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("sweep", space.name());
        tags.put("trial", Integer.toString(t.trial.index()));
        if (t.trial.params().get("stage") != null) tags.put("stage", String.valueOf(t.trial.params().get("stage")));
        RunRecorder recorder = RunRecorder.start(store, t.trial.config().toMap(), env, tags,
                "sweep " + space.name() + " trial " + t.trial.index() + ": " + RecordFiles.toJsonLine(t.trial.params()));
        synchronized (this) {
            t.status = "running";
            t.runId = recorder.id();
            active.put(t.trial.index(), recorder);
            save();
        }
        log.accept("trial " + t.trial.index() + " " + RecordFiles.toJsonLine(t.trial.params()) + " -> run " + recorder.id());
        List<Double> curve = new ArrayList<>();
        curves.put(t.trial.index(), curve);
        TrainListener gate = new TrainListener() {
            @Override
            public void onEpoch(EpochMetrics m) {
                synchronized (curve) {
                    curve.add(m.valAccuracy());
                }
                String why = prune(t.trial, m.epoch(), m.valAccuracy());
                if (why != null) throw new TrialRunner.TrialPruned(why);
            }
        };
        String status, message = null;
        Double best = null;
        try {
            TrialRunner.Result r = runner.run(t.trial.config(), recorder.dir(), RunRecorder.both(recorder, gate));
            if (r.confusion() != null) recorder.confusion(r.confusion());
            recorder.finish(r.summary());
            status = Boolean.TRUE.equals(r.summary().get("interrupted")) ? "failed" : "finished";
            best = number(r.summary().get("best_val_accuracy"));
        } catch (TrialRunner.TrialPruned p) {
            Map<String, Object> partial = new LinkedHashMap<>();
            partial.put("model", t.trial.config().model());
            partial.put("dataset", t.trial.config().toMap().get("dataset"));
            partial.put("parameters", parameterCount(t.trial.config()));
            synchronized (curve) {
                partial.put("epochs", curve.size());
                best = curve.stream().filter(Double::isFinite).max(Double::compare).orElse(null);
            }
            partial.put("best_val_accuracy", best);
            partial.put("pruned", true);
            recorder.prune(p.getMessage(), partial);
            status = "pruned";
            message = p.getMessage();
        } catch (Exception | Error e) {
            message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            recorder.fail(message);
            status = "failed";
        }
        log.accept("trial " + t.trial.index() + " " + status + (best == null ? "" : ", best val accuracy " + RunText.format(best))
                + (message == null ? "" : " (" + message + ")"));
        synchronized (this) {
            active.remove(t.trial.index());
            t.status = status;
            t.message = message;
            t.bestValAccuracy = best;
            save();
        }
    }

    /**
     * Asynchronous successive halving: at a rung epoch (min_epochs * eta^k), a trial goes on only if its
     * validation accuracy there is among the best 1/eta of the trials that have reached that epoch (itself
     * included; with fewer than eta of them, every trial goes on). Returns why it stops, or null.
     */
    String prune(SweepSpace.Trial trial, int epoch, double valAccuracy) {
        SweepSpace.Halving h = space.halving();
        if (h == null || !Double.isFinite(valAccuracy) || epoch >= Math.ceil(trial.config().epochs())) return null;
        boolean rung = false;
        for (long r = h.minEpochs(); r <= epoch; r *= h.eta()) if (r == epoch) rung = true;
        if (!rung) return null;
        List<Double> peers = new ArrayList<>();
        for (List<Double> c : curves.values()) {
            synchronized (c) {
                if (c.size() >= epoch && Double.isFinite(c.get(epoch - 1))) peers.add(c.get(epoch - 1));
            }
        }
        if (peers.size() < h.eta()) return null;
        peers.sort(Comparator.reverseOrder());
        int keep = Math.max(1, peers.size() / h.eta());
        double cutoff = peers.get(keep - 1);
        if (valAccuracy >= cutoff) return null;
        return "pruned at epoch " + epoch + ": validation accuracy " + RunText.format(valAccuracy) + " below the top 1/" + h.eta()
                + " of " + peers.size() + " trials (cut-off " + RunText.format(cutoff) + ")";
    }

    private static long parameterCount(TrainConfig c) {
        long n = 0;
        for (Parameter p : Models.build(c.modelSpec(), 0).parameters()) n += p.size();
        return n;
    }

    // ---------------------------------------------------------------- state and ranking

    private synchronized void save() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", space.name());
        m.put("space_sha256", spaceHash);
        m.put("method", space.method());
        m.put("created", created.toString());
        m.put("updated", Instant.now().toString());
        List<Object> list = new ArrayList<>();
        for (TrialState t : trials) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("index", t.trial.index());
            e.put("params", t.trial.params());
            e.put("status", t.status);
            e.put("run_id", t.runId);
            e.put("earlier_run_ids", t.earlierRunIds);
            e.put("best_val_accuracy", t.bestValAccuracy);
            e.put("message", t.message);
            list.add(e);
        }
        m.put("trials", list);
        m.put("best", rankingQuiet());
        RecordFiles.writeJson(file(), m);
    }

    private List<Map<String, Object>> rankingQuiet() {
        try {
            return ranking();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The best trials, best first: by validation accuracy; with a goal, the trials that reach its accuracy
     * first, smallest (by the goal's measure) first. Each entry: trial, run_id, status, params, best_val_accuracy,
     * test_accuracy, parameters.
     */
    public synchronized List<Map<String, Object>> ranking() throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (TrialState t : trials) {
            if (t.runId == null || t.bestValAccuracy == null) continue;
            Map<String, Object> summary = Files.exists(store.dir(t.runId).resolve(RunStore.SUMMARY)) ? store.info(t.runId).summary() : Map.of();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("trial", t.trial.index());
            r.put("run_id", t.runId);
            r.put("status", t.status);
            r.put("params", t.trial.params());
            r.put("best_val_accuracy", t.bestValAccuracy);
            r.put("test_accuracy", summary.get("test_accuracy"));
            r.put("parameters", summary.get("parameters"));
            if (space.goal() != null) r.put(space.goal().minimize(), summary.get(space.goal().minimize()));
            rows.add(r);
        }
        Comparator<Map<String, Object>> byAccuracy = Comparator.comparingDouble(r -> -((Number) r.get("best_val_accuracy")).doubleValue());
        SweepSpace.Goal g = space.goal();
        if (g == null) {
            rows.sort(byAccuracy);
        } else {
            Comparator<Map<String, Object>> reaches = Comparator.comparing(r -> ((Number) r.get("best_val_accuracy")).doubleValue() >= g.minValAccuracy() ? 0 : 1);
            Comparator<Map<String, Object>> size = Comparator.comparingDouble(r -> r.get(g.minimize()) instanceof Number n ? n.doubleValue() : Double.MAX_VALUE);
            rows.sort(reaches.thenComparing((a, b) -> ((Number) a.get("best_val_accuracy")).doubleValue() >= g.minValAccuracy()
                    ? size.compare(a, b) : byAccuracy.compare(a, b)));
        }
        return rows.size() > 10 ? new ArrayList<>(rows.subList(0, 10)) : rows;
    }

    /** How many trials are in each status, for the closing line. */
    public synchronized Map<String, Integer> counts() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (TrialState t : trials) m.merge(t.status, 1, Integer::sum);
        return m;
    }

    private static Double number(Object o) {
        return o instanceof Number n && Double.isFinite(n.doubleValue()) ? n.doubleValue() : null;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
