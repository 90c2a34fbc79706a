package dev.simdnet.track;

import dev.simdnet.train.TrainListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Records one run into its folder while it trains: created with config, env, tags, note and a "running"
 * status; one metrics.csv row per epoch; a heartbeat now and then; and at the end the summary, confusion
 * matrix, model and the final status. Give it to the trainer as (part of) its {@link TrainListener}.
 *
 * <p>Cost: a few small file writes per epoch, and a status rewrite at most every {@link #HEARTBEAT}.
 */
public final class RunRecorder implements TrainListener {
    /** metrics.csv columns, in order. */
    public static final List<String> METRIC_COLUMNS = List.of("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
            "lr", "images_per_second", "seconds");
    static final Duration HEARTBEAT = Duration.ofSeconds(10);

    private final String id;
    private final Path dir;
    private final Clock clock;
    private final StringBuilder metrics = new StringBuilder(String.join(",", METRIC_COLUMNS) + "\n");
    private RunStatus status;
    private boolean ended;
    private long overheadNanos;                                         // time spent recording, for summary.json

    private RunRecorder(Path dir, Clock clock, RunStatus status) {
        this.id = dir.getFileName().toString();
        this.dir = dir;
        this.clock = clock;
        this.status = status;
    }

    /**
     * Creates the run's folder and writes what is known before training: config.json, env.json, tags.json,
     * note.txt, an empty metrics.csv and status "running".
     *
     * @param env    env.json; null to write it later with {@link #environment} (capturing it runs {@code git},
     *               which the caller may do on another thread while the data loads)
     * @param random draws the id's suffix (seed it from something that differs between processes, e.g. the pid
     *               and the clock: it only has to keep names apart)
     */
    public static RunRecorder start(RunStore store, Map<String, Object> config, Map<String, Object> env, Map<String, String> tags,
                                    String note, Clock clock, SplittableRandom random) throws IOException {
        long t0 = System.nanoTime();
        Instant now = clock.instant();
        Path dir = store.createRun(now, random);
        RunRecorder r = new RunRecorder(dir, clock, RunStatus.running(now));
        RecordFiles.writeJson(dir.resolve(RunStore.CONFIG), config);
        if (env != null) RecordFiles.writeJson(dir.resolve(RunStore.ENV), env);
        RecordFiles.writeJson(dir.resolve(RunStore.TAGS), tags == null ? Map.of() : tags);
        if (note != null && !note.isBlank()) RecordFiles.write(dir.resolve(RunStore.NOTE), note.strip() + "\n");
        RecordFiles.write(dir.resolve(RunStore.METRICS), r.metrics.toString());
        r.writeStatus();
        r.overheadNanos += System.nanoTime() - t0;
        return r;
    }

    /** Writes env.json (for a recorder started without it). */
    public synchronized void environment(Map<String, Object> env) throws IOException {
        long t0 = System.nanoTime();
        RecordFiles.writeJson(dir.resolve(RunStore.ENV), env);
        overheadNanos += System.nanoTime() - t0;
    }

    /** Adds time spent on tracking outside the recorder (capturing the environment) to its tracking_seconds. */
    public synchronized void countOverhead(long nanos) { overheadNanos += nanos; }

    /** A recorder for the default clock, its id suffix drawn from the pid, thread and clock. */
    public static RunRecorder start(RunStore store, Map<String, Object> config, Map<String, Object> env, Map<String, String> tags,
                                    String note) throws IOException {
        long seed = System.nanoTime() ^ (ProcessHandle.current().pid() << 32) ^ Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L;
        return start(store, config, env, tags, note, Clock.systemUTC(), new SplittableRandom(seed));
    }

    public String id() { return id; }

    public Path dir() { return dir; }

    @Override
    public synchronized void onStep(StepProgress p) {
        Instant now = clock.instant();
        if (!ended && Duration.between(status.heartbeat(), now).compareTo(HEARTBEAT) >= 0) {
            long t0 = System.nanoTime();
            status = status.beat(now);
            writeStatusUnchecked();
            overheadNanos += System.nanoTime() - t0;
        }
    }

    @Override
    public synchronized void onEpoch(EpochMetrics m) {
        long t0 = System.nanoTime();
        metrics.append(String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%s,%s,%s%n", m.epoch(), num(m.trainLoss()), num(m.trainAccuracy()),
                num(m.valLoss()), num(m.valAccuracy()), Float.toString(m.lr()), num(m.imagesPerSecond()), num(m.seconds())));
        try {
            RecordFiles.write(dir.resolve(RunStore.METRICS), metrics.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record epoch " + m.epoch() + " in " + dir + ": " + e.getMessage(), e);
        }
        status = status.beat(clock.instant());
        writeStatusUnchecked();
        overheadNanos += System.nanoTime() - t0;
    }

    private static String num(double v) {
        if (!Double.isFinite(v)) return "";
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Writes the test confusion matrix {@code [true][predicted]} as confusion.csv. */
    public synchronized void confusion(int[][] confusion) throws IOException {
        if (confusion == null) return;
        long t0 = System.nanoTime();
        StringBuilder sb = new StringBuilder("true\\predicted");
        for (int c = 0; c < confusion.length; c++) sb.append(',').append(c);
        sb.append('\n');
        for (int t = 0; t < confusion.length; t++) {
            sb.append(t);
            for (int v : confusion[t]) sb.append(',').append(v);
            sb.append('\n');
        }
        RecordFiles.write(dir.resolve(RunStore.CONFUSION), sb.toString());
        overheadNanos += System.nanoTime() - t0;
    }

    /**
     * The run ended normally (or was interrupted, when {@code result} says "interrupted"): writes summary.json
     * (the result plus run_id), links or copies the checkpoint named in {@code result.checkpoint} into the
     * folder, and the final status.
     */
    public synchronized void finish(Map<String, Object> result) throws IOException {
        long t0 = System.nanoTime();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("run_id", id);
        summary.putAll(result);
        Object ckpt = result.get("checkpoint");
        if (ckpt != null) {
            Path src = Path.of(ckpt.toString()).toAbsolutePath(), dst = dir.resolve(RunStore.MODEL).toAbsolutePath();
            if (!src.equals(dst)) keepCopy(src, dst);
            summary.put("checkpoint", RunStore.MODEL);
        }
        // what recording this run cost, up to here (the last two small writes excluded)
        overheadNanos += System.nanoTime() - t0;
        t0 = System.nanoTime();
        summary.put("tracking_seconds", Math.round(overheadNanos / 1e3) / 1e6);
        RecordFiles.writeJson(dir.resolve(RunStore.SUMMARY), summary);
        boolean interrupted = Boolean.TRUE.equals(result.get("interrupted"));
        end(interrupted ? RunStatus.INTERRUPTED : RunStatus.FINISHED, interrupted ? "stopped by Ctrl-C" : null);
        overheadNanos += System.nanoTime() - t0;
    }

    /**
     * A hard link when the file system allows (no bytes copied; the model writer replaces its file by a
     * move, so the link keeps this run's version), else a copy.
     */
    private static void keepCopy(Path src, Path dst) throws IOException {
        try {
            Files.deleteIfExists(dst);
            Files.createLink(dst, src);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The run stopped early (a sweep pruned it): keeps its metrics, writes a partial summary. */
    public synchronized void prune(String why, Map<String, Object> partial) throws IOException {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("run_id", id);
        summary.putAll(partial);
        RecordFiles.writeJson(dir.resolve(RunStore.SUMMARY), summary);
        end(RunStatus.PRUNED, why);
    }

    /** The run failed: status "failed" with the reason. Never throws (it runs on the failure path). */
    public synchronized void fail(String message) {
        try {
            end(RunStatus.FAILED, message == null ? "failed" : message);
        } catch (IOException e) {
            // the original failure is what the caller reports
        }
    }

    public synchronized boolean ended() { return ended; }

    /** Seconds spent recording this run so far (file writes, the environment). */
    public synchronized double trackingSeconds() { return overheadNanos / 1e9; }

    private void end(String state, String message) throws IOException {
        if (ended) return;
        status = status.end(state, clock.instant(), message);
        writeStatus();
        ended = true;
    }

    private void writeStatus() throws IOException {
        RecordFiles.writeJson(dir.resolve(RunStore.STATUS), status.toMap());
    }

    private void writeStatusUnchecked() {
        try {
            writeStatus();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + dir.resolve(RunStore.STATUS) + ": " + e.getMessage(), e);
        }
    }

    /** Sends every event to each listener in turn (progress printing and recording). */
    public static TrainListener both(TrainListener a, TrainListener b) {
        return new TrainListener() {
            @Override public void onStep(StepProgress p) { a.onStep(p); b.onStep(p); }
            @Override public void onEpoch(EpochMetrics m) { a.onEpoch(m); b.onEpoch(m); }
            @Override public void onNote(String message) { a.onNote(message); b.onNote(message); }
        };
    }
}
