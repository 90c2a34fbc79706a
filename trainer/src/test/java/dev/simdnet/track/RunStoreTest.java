package dev.simdnet.track;

import dev.simdnet.train.TrainConfig;
import dev.simdnet.train.TrainListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunStoreTest {

    @Test
    void aRecordHoldsEveryFileInItsDocumentedFormat(@TempDir Path dir) throws Exception {
        RunStore store = new RunStore(dir.resolve("runs"));
        RunRecorder r = FakeRuns.finished(store, "mlp", 0.05f, 0.97, Map.of("idea", "base"), 7);
        Path run = r.dir();
        assertThat(r.id()).matches("\\d{8}-\\d{6}-[0-9a-f]{6}").startsWith("20260102-030412");

        Map<String, Object> config = RecordFiles.readJson(run.resolve("config.json"));
        assertThat(TrainConfig.fromMap(config)).isEqualTo(TrainConfig.preset("baseline").with("lr", 0.05f).with("threads", 1).with("seed", 7));
        assertThat(RecordFiles.readJson(run.resolve("env.json"))).containsEntry("cpu_model", "test CPU");
        assertThat(RecordFiles.readJson(run.resolve("tags.json"))).isEqualTo(Map.of("idea", "base"));
        assertThat(Files.readString(run.resolve("note.txt"))).isEqualTo("fake run 7\n");

        Map<String, Object> status = RecordFiles.readJson(run.resolve("status.json"));
        assertThat(status).containsEntry("state", "finished").containsEntry("pid", (int) ProcessHandle.current().pid())
                .containsKeys("started", "heartbeat", "ended", "pid_start");

        List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
        assertThat(metrics.get(0)).isEqualTo("epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,images_per_second,seconds");
        assertThat(metrics).hasSize(4);
        assertThat(store.metrics(r.id())).hasSize(3);
        assertThat(store.metrics(r.id()).get(2)).containsEntry("epoch", 3.0).containsEntry("images_per_second", 1000.0);

        assertThat(RecordFiles.readJson(run.resolve("summary.json"))).containsEntry("run_id", r.id()).containsEntry("test_accuracy", 0.97);
        List<String> confusion = Files.readAllLines(run.resolve("confusion.csv"));
        assertThat(confusion.get(0)).isEqualTo("true\\predicted,0,1,2,3,4,5,6,7,8,9");
        assertThat(confusion.get(1)).isEqualTo("0,90,10,0,0,0,0,0,0,0,0");
        assertThat(store.confusion(r.id())[9][0]).isEqualTo(1);
        // no temporary files left behind
        try (var files = Files.list(run)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }

        RunInfo info = store.info(r.id());
        assertThat(info.state()).isEqualTo("finished");
        assertThat(info.field("test_accuracy")).isEqualTo(0.97);
        assertThat(info.field("config.lr")).isEqualTo(0.05);
        assertThat(info.field("tag.idea")).isEqualTo("base");
    }

    @Test
    void aRunningRunWhoseProcessIsGoneIsShownAsKilled(@TempDir Path dir) throws Exception {
        RunStore store = new RunStore(dir);
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Path dead = Files.createDirectories(dir.resolve("20260101-000000-aaaaaa"));
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        RecordFiles.writeJson(dead.resolve("status.json"), new RunStatus("running", p.pid(), null, t, t, null, null).toMap());
        // a live pid that now belongs to another process (its start time differs): also killed
        Path reused = Files.createDirectories(dir.resolve("20260101-000001-bbbbbb"));
        RecordFiles.writeJson(reused.resolve("status.json"),
                new RunStatus("running", ProcessHandle.current().pid(), "2000-01-01T00:00:00Z", t, t, null, null).toMap());
        // this process, really running
        Path alive = Files.createDirectories(dir.resolve("20260101-000002-cccccc"));
        RecordFiles.writeJson(alive.resolve("status.json"), RunStatus.running(t).toMap());

        assertThat(store.list()).extracting(RunInfo::state).containsExactly("killed", "killed", "running");
        assertThat(new RunQuery(Map.of(), null, null, "killed", null, 0).apply(store.list())).hasSize(2);
    }

    @Test
    void aCorruptStatusIsShownNotThrown(@TempDir Path dir) throws Exception {
        Path run = Files.createDirectories(dir.resolve("20260101-000000-aaaaaa"));
        Files.writeString(run.resolve("status.json"), "{\"state\": ");
        assertThat(new RunStore(dir).list()).extracting(RunInfo::state).containsExactly("corrupt");
    }

    @Test
    void concurrentWritersNeverShareAFolder(@TempDir Path dir) throws Exception {
        RunStore store = new RunStore(dir);
        Clock sameSecond = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                // the same seed on both threads: every name is drawn twice, so clashes must be resolved
                SplittableRandom random = new SplittableRandom(42);
                try {
                    go.await();
                    for (int i = 0; i < 40; i++) {
                        RunRecorder r = RunRecorder.start(store, Map.of("i", i), Map.of(), Map.of(), null, sameSecond, random);
                        r.onEpoch(new TrainListener.EpochMetrics(1, 1, 0.5, 1, 0.5, 0.1f, 10, 1));
                        r.finish(Map.of("test_accuracy", 0.5));
                        ids.add(r.id());
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) t.join();
        assertThat(errors).isEmpty();
        Set<String> unique = new HashSet<>(ids);
        assertThat(unique).hasSize(80);
        assertThat(store.list()).hasSize(80).allMatch(r -> r.state().equals("finished") && r.summary().get("test_accuracy") != null);
    }

    @Test
    void queriesFilterAndSortOnAnyField(@TempDir Path dir) throws Exception {
        RunStore store = new RunStore(dir);
        FakeRuns.finished(store, "mlp", 0.05f, 0.95, Map.of("sweep", "a"), 1);
        FakeRuns.finished(store, "lenet5", 0.1f, 0.99, Map.of("sweep", "a"), 2);
        FakeRuns.finished(store, "mlp", 0.2f, 0.97, Map.of("sweep", "b"), 3);
        List<RunInfo> all = store.list();
        assertThat(new RunQuery(Map.of(), null, null, null, "-test_accuracy", 0).apply(all)).extracting(r -> r.field("test_accuracy"))
                .containsExactly(0.99, 0.97, 0.95);
        assertThat(new RunQuery(Map.of(), null, null, null, "lr", 2).apply(all)).extracting(r -> r.field("lr")).containsExactly(0.05, 0.1);
        assertThat(new RunQuery(Map.of("sweep", "a"), "mlp", null, null, null, 0).apply(all)).hasSize(1);
        assertThat(new RunQuery(Map.of(), null, "fashion", null, null, 0).apply(all)).isEmpty();
        assertThat(new RunQuery(Map.of(), null, null, null, "-no_such_field", 0).apply(all)).hasSize(3);
    }

    @Test
    void runsAreNamedByIdPrefixOrRandomPart(@TempDir Path dir) throws Exception {
        RunStore store = new RunStore(dir);
        String a = FakeRuns.finished(store, "mlp", 0.05f, 0.95, Map.of(), 1).id();
        String b = FakeRuns.finished(store, "mlp", 0.05f, 0.95, Map.of(), 2).id();
        assertThat(store.resolve(a)).isEqualTo(a);
        assertThat(store.resolve(a.substring(a.lastIndexOf('-') + 1, a.length() - 2))).isEqualTo(a);
        assertThatThrownBy(() -> store.resolve("2026")).hasMessageContaining("matches 2 runs");
        assertThatThrownBy(() -> store.resolve("nope")).hasMessageContaining("no run 'nope'");
        assertThat(b).isNotEqualTo(a);
    }

    @Test
    void compareShowsDifferencesAgainstTheBaseline(@TempDir Path dir) throws Exception {
        RunStore store = new RunStore(dir);
        RunRecorder base = FakeRuns.finished(store, "mlp", 0.05f, 0.95, Map.of(), 1);
        FakeRuns.finished(store, "mlp", 0.1f, 0.97, Map.of(), 2);
        String text = RunText.compare(store.list(), store.info(base.id()));
        assertThat(text).contains("(baseline)").contains("0.1 (was 0.05)").contains("0.97 (+0.02)");
        assertThat(text).doesNotContain("  model ");             // the same in both: not a difference
        String table = RunText.table(store.list(), RunText.DEFAULT_COLUMNS);
        assertThat(table.lines()).hasSize(3);
        assertThat(table.lines().findFirst().orElseThrow()).startsWith("id").contains("test_accuracy");
    }

    @Test
    void anUnwritableRunsFolderIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertThatThrownBy(() -> new RunStore(file).checkWritable()).hasMessageContaining("it is a file, not a folder");
        assertThatThrownBy(() -> new RunStore(file.resolve("runs")).checkWritable()).hasMessageContaining("cannot create the runs folder");
    }

    @Test
    void statusTimesReadBackExactly() {
        for (String t : new String[] {"2026-01-02T03:04:05Z", "2026-01-02T03:04:05.1Z", "2026-11-28T12:45:16.527946526Z",
                "1999-12-31T23:59:59.999Z", "2026-01-02T03:04:05.123456Z", "+12026-01-02T03:04:05Z"})
            assertThat(RunStatus.parseInstant(t)).as(t).isEqualTo(Instant.parse(t));
        Instant now = Instant.now();
        assertThat(RunStatus.parseInstant(now.toString())).isEqualTo(now);
    }
}
