package dev.simdnet.spark;

import dev.simdnet.data.DataSource;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.model.Checkpoint;
import dev.simdnet.track.Environment;
import dev.simdnet.track.InProcessTrialRunner;
import dev.simdnet.track.RecordFiles;
import dev.simdnet.track.RunStore;
import dev.simdnet.track.Sweep;
import dev.simdnet.track.SweepSpace;
import dev.simdnet.track.TrialRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A sweep on Spark (local[2]) against the same sweep in-process: the same trial records, the same ranking. */
class SparkSweepTest {
    // 4 trials of the baseline perceptron, each on 2,950 images (a twentieth of an epoch; 1,000 validate).
    static final String SPACE = """
            {"name": "tiny", "method": "grid", "base": {"preset": "baseline", "epochs": 0.05, "validation": 1000},
             "parameters": {"lr": [0.02, 0.1], "batch": [64, 128]}}
            """;
    // Halving: trial 1 (a learning rate that cannot learn in 2 epochs) is stopped after its first epoch.
    static final String HALVING = """
            {"name": "halving", "method": "list", "base": {"preset": "baseline", "epochs": 2, "batch": 256, "validation": 30000},
             "configs": [{"lr": 0.1}, {"lr": 0.00001}], "halving": {"eta": 2, "min_epochs": 1}}
            """;

    @TempDir static Path dir;

    @BeforeAll
    static void start() {
        TestSpark.session();
    }

    static DataSource data() {
        return DataSource.offline(TestSpark.data().resolve("mnist"));
    }

    private static Sweep sweep(String text, Path runs, TrialRunner runner, int parallel, List<String> log) throws Exception {
        Map<String, Object> env;
        try (Kernels k = Kernels.create("auto", 1)) {
            env = Environment.capture(k);
        }
        return new Sweep(SweepSpace.parse(text, "x"), text, new RunStore(runs), runner, env, parallel, log::add);
    }

    @Test
    void theSameTrialRecordsAndBestConfigurationAsInProcess() throws Exception {
        List<String> log = new ArrayList<>();
        Sweep local = sweep(SPACE, dir.resolve("local"), new InProcessTrialRunner(data(), "auto"), 2, log);
        List<Map<String, Object>> a = local.run();
        Sweep spark = sweep(SPACE, dir.resolve("spark"), new SparkTrialRunner(TestSpark.context(), data(), "auto", 1), 2, log);
        List<Map<String, Object>> b = spark.run();
        assertThat(spark.counts()).isEqualTo(Map.of("finished", 4));
        assertThat(b).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(b.get(i).get("trial")).isEqualTo(a.get(i).get("trial"));
            assertThat(b.get(i).get("params")).isEqualTo(a.get(i).get("params"));
            assertThat(b.get(i).get("best_val_accuracy")).isEqualTo(a.get(i).get("best_val_accuracy"));
            assertThat(b.get(i).get("test_accuracy")).isEqualTo(a.get(i).get("test_accuracy"));
        }
        RunStore ls = new RunStore(dir.resolve("local")), ss = new RunStore(dir.resolve("spark"));
        for (int i = 0; i < 4; i++) {
            String la = (String) a.get(i).get("run_id"), sb = (String) b.get(i).get("run_id");
            Path ld = ls.dir(la), sd = ss.dir(sb);
            for (String f : List.of(RunStore.MODEL, RunStore.METRICS, RunStore.SUMMARY, RunStore.STATUS, "confusion.csv", "config.json"))
                assertThat(sd.resolve(f)).as(f).exists();
            // The same weights (the files differ in their metadata: training seconds, throughput).
            var lw = Checkpoint.weights(Checkpoint.load(ld.resolve(RunStore.MODEL)).net(), "");
            var sw = Checkpoint.weights(Checkpoint.load(sd.resolve(RunStore.MODEL)).net(), "");
            assertThat(sw.keySet()).isEqualTo(lw.keySet());
            for (String t : lw.keySet()) assertThat(sw.get(t).data()).as(t).isEqualTo(lw.get(t).data());
            assertThat(Files.readString(sd.resolve("confusion.csv"))).isEqualTo(Files.readString(ld.resolve("confusion.csv")));
            assertThat(ss.metrics(sb)).extracting(m -> m.get("val_accuracy")).isEqualTo(ls.metrics(la).stream().map(m -> m.get("val_accuracy")).toList());
            assertThat(ss.info(sb).tags()).containsEntry("sweep", "tiny").containsEntry("trial", a.get(i).get("trial").toString());
            assertThat(ss.info(sb).summary().get("checkpoint")).isEqualTo(ls.info(la).summary().get("checkpoint"));
        }
        // Run again: every trial is kept, nothing is trained.
        Sweep again = sweep(SPACE, dir.resolve("spark"), new SparkTrialRunner(TestSpark.context(), data(), "auto", 1), 2, log);
        assertThat(again.run()).extracting(m -> m.get("run_id")).isEqualTo(b.stream().map(m -> m.get("run_id")).toList());
        assertThat(log).anyMatch(l -> l.contains("4 already done, 0 to run"));
    }

    @Test
    void successiveHalvingStopsATrialOnTheExecutorAsItWouldLocally() throws Exception {
        List<String> log = new ArrayList<>();
        // One trial at a time (so the decision is deterministic), on both cores.
        Sweep s = sweep(HALVING, dir.resolve("halving"), new SparkTrialRunner(TestSpark.context(), data(), "auto", 2), 1, log);
        s.run();
        assertThat(s.counts()).isEqualTo(Map.of("finished", 1, "pruned", 1));
        Map<String, Object> state = RecordFiles.readJson(s.file());
        @SuppressWarnings("unchecked") Map<String, Object> pruned = ((List<Map<String, Object>>) state.get("trials")).get(1);
        assertThat(pruned.get("status")).isEqualTo("pruned");
        assertThat((String) pruned.get("message")).startsWith("pruned at epoch 1");
        RunStore store = new RunStore(dir.resolve("halving"));
        assertThat(store.metrics((String) pruned.get("run_id"))).hasSize(1);
    }

    @Test
    void theCommandRefusesABadSpaceFileAndAnUnreachableMasterInOneLine() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"name\": \"b\", \"base\": {\"preset\": \"fast\", \"batch\": 0}, \"parameters\": {\"lr\": [0.1]}}");
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cl = Main.commandLine(null);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("sweep", bad.toString(), "--runs-dir", dir.resolve("r").toString())).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: " + bad + ": ").contains("batch");
        Path good = dir.resolve("good.json");
        Files.writeString(good, SPACE);
        StringWriter err2 = new StringWriter();
        cl.setErr(new PrintWriter(err2, true));
        assertThat(cl.execute("sweep", good.toString(), "--master", "spark://127.0.0.1:1", "--runs-dir", dir.resolve("r").toString())).isEqualTo(2);
        assertThat(err2.toString()).startsWith("error: cannot reach the Spark master spark://127.0.0.1:1: 127.0.0.1:1 (")
                .endsWith("start the master, or run on this machine with --master local[*]" + System.lineSeparator());
    }
}
