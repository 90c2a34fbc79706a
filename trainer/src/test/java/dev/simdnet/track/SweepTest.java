package dev.simdnet.track;

import dev.simdnet.train.TrainConfig;
import dev.simdnet.train.TrainListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sweep engine with a fake runner: each trial's validation accuracy grows with its learning rate. */
class SweepTest {

    /** Reports {@code epochs} epochs with val accuracy lr + epoch/100, without training. */
    static final class FakeRunner implements TrialRunner {
        final List<Float> ran = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Result run(TrainConfig config, Path runDir, TrainListener listener) {
            ran.add(config.lr());
            int epochs = (int) Math.ceil(config.epochs());
            double acc = 0;
            for (int e = 1; e <= epochs; e++) {
                acc = config.lr() + e / 100.0;
                listener.onEpoch(new TrainListener.EpochMetrics(e, 1 - acc, acc, 1 - acc, acc, config.lr(), 100, 0.1));
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", config.model());
            summary.put("parameters", (long) (config.lr() * 1000));
            summary.put("test_accuracy", acc);
            summary.put("best_val_accuracy", acc);
            return new Result(summary, new int[][] {{5, 1}, {2, 7}});
        }
    }

    private static final String GRID = """
            {"name": "lr", "method": "grid", "base": {"epochs": 9},
             "parameters": {"lr": [0.5, 0.1, 0.3, 0.2, 0.4, 0.6]}%s}
            """;

    private static Sweep sweep(Path runs, String json, TrialRunner runner, List<String> log) {
        SweepSpace s = SweepSpace.parse(json, "x");
        return new Sweep(s, json, new RunStore(runs), runner, FakeRuns.ENV, 1, log::add);
    }

    @Test
    void everyTrialIsATaggedRunAndTheSummaryRanksThem(@TempDir Path dir) throws Exception {
        FakeRunner runner = new FakeRunner();
        List<String> log = new ArrayList<>();
        String json = GRID.formatted("");
        List<Map<String, Object>> best = sweep(dir, json, runner, log).run();
        assertThat(runner.ran).hasSize(6);
        assertThat(best).extracting(r -> r.get("trial")).containsExactly(5, 0, 4, 2, 3, 1);
        RunStore store = new RunStore(dir);
        assertThat(store.list()).hasSize(6).allMatch(r -> r.tags().get("sweep").equals("lr") && r.state().equals("finished"));
        Map<String, Object> state = RecordFiles.readJson(dir.resolve("sweeps/lr/sweep.json"));
        assertThat((List<?>) state.get("trials")).hasSize(6).allMatch(t -> ((Map<?, ?>) t).get("status").equals("finished"));
        assertThat(store.confusion(store.list().get(0).id())).isDeepEqualTo(new int[][] {{5, 1}, {2, 7}});
    }

    @Test
    void aGoalRanksTheSmallestTrialThatReachesIt(@TempDir Path dir) throws Exception {
        String json = GRID.formatted(", \"goal\": {\"min_val_accuracy\": 0.45, \"minimize\": \"parameters\"}");
        List<Map<String, Object>> best = sweep(dir, json, new FakeRunner(), new ArrayList<>()).run();
        // lr 0.4, 0.5, 0.6 reach 0.45 (0.49, 0.59, 0.69): smallest (parameters = 1000 lr) first; then the rest by accuracy
        assertThat(best).extracting(r -> r.get("trial")).containsExactly(4, 0, 5, 2, 3, 1);
    }

    @Test
    void successiveHalvingStopsPoorTrialsAtTheRungs(@TempDir Path dir) throws Exception {
        FakeRunner runner = new FakeRunner();
        String json = GRID.formatted(", \"halving\": {\"eta\": 3, \"min_epochs\": 1}");
        sweep(dir, json, runner, new ArrayList<>()).run();
        RunStore store = new RunStore(dir);
        Map<Float, String> states = new LinkedHashMap<>();
        Map<Float, Integer> epochs = new LinkedHashMap<>();
        for (RunInfo r : store.list()) {
            float lr = ((Number) r.config().get("lr")).floatValue();
            states.put(lr, r.state());
            epochs.put(lr, store.metrics(r.id()).size());
        }
        // order 0.5, 0.1, 0.3 | 0.2, 0.4, 0.6. At rung 1 the third trial (0.3) sees 0.5 and 0.1: top third is 0.5 -> pruned;
        // 0.2 sees 4 values, keeps the best 1 -> pruned; 0.4 sees 5, keeps 1 (0.5) -> pruned; 0.6 is the best -> on.
        // At rung 3 only 0.5 and 0.6 (fewer than eta) -> they run to the end.
        assertThat(states).containsEntry(0.5f, "finished").containsEntry(0.1f, "finished").containsEntry(0.6f, "finished")
                .containsEntry(0.3f, "pruned").containsEntry(0.2f, "pruned").containsEntry(0.4f, "pruned");
        assertThat(epochs).containsEntry(0.3f, 1).containsEntry(0.5f, 9);
        RunInfo pruned = store.list().stream().filter(r -> r.state().equals("pruned")).findFirst().orElseThrow();
        assertThat(pruned.status().message()).contains("pruned at epoch 1");
        assertThat(pruned.summary()).containsEntry("pruned", true).containsKey("parameters");
    }

    @Test
    void aKilledSweepResumesKeepingFinishedTrialsAndRerunningTheRunningOne(@TempDir Path dir) throws Exception {
        String json = GRID.formatted("");
        sweep(dir, json, new FakeRunner(), new ArrayList<>()).run();
        // What a kill leaves on disk: trials 4 and 5 "running" in sweep.json, their runs "running" for a dead process.
        Path state = dir.resolve("sweeps/lr/sweep.json");
        Map<String, Object> s = RecordFiles.readJson(state);
        @SuppressWarnings("unchecked") List<Map<String, Object>> trials = (List<Map<String, Object>>) s.get("trials");
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        List<String> cut = new ArrayList<>();
        for (int i : new int[] {4, 5}) {
            Map<String, Object> t = trials.get(i);
            t.put("status", i == 4 ? "running" : "pending");
            if (i == 5) {
                Files.walk(dir.resolve((String) t.get("run_id"))).sorted(Collections.reverseOrder()).forEach(f -> f.toFile().delete());
                t.put("run_id", null);
                continue;
            }
            String id = (String) t.get("run_id");
            cut.add(id);
            Files.delete(dir.resolve(id).resolve("summary.json"));
            Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
            RecordFiles.writeJson(dir.resolve(id).resolve("status.json"), new RunStatus("running", p.pid(), null, t0, t0, null, null).toMap());
        }
        RecordFiles.writeJson(state, s);
        assertThat(new RunStore(dir).info(cut.get(0)).state()).isEqualTo("killed");

        FakeRunner again = new FakeRunner();
        List<String> log = new ArrayList<>();
        List<Map<String, Object>> best = sweep(dir, json, again, log).run();
        assertThat(again.ran).containsExactly(0.4f, 0.6f);              // only the cut-short and the pending trial
        RunInfo old = new RunStore(dir).info(cut.get(0));
        assertThat(old.state()).isEqualTo("failed");
        assertThat(old.status().message()).contains("killed");
        Map<String, Object> after = RecordFiles.readJson(state);
        @SuppressWarnings("unchecked") List<Map<String, Object>> t2 = (List<Map<String, Object>>) after.get("trials");
        assertThat(t2).allMatch(t -> t.get("status").equals("finished"));
        assertThat(t2.get(4).get("earlier_run_ids")).isEqualTo(List.of(cut.get(0)));
        assertThat(best).hasSize(6);
        assertThat(log).anyMatch(l -> l.contains("4 already done"));
        assertThat(new RunStore(dir).list()).hasSize(7);                 // 6 trials + the failed attempt
    }

    @Test
    void aDifferentSpaceUnderTheSameNameIsRefused(@TempDir Path dir) throws Exception {
        sweep(dir, GRID.formatted(""), new FakeRunner(), new ArrayList<>()).run();
        FakeRunner runner = new FakeRunner();
        assertThatThrownBy(() -> sweep(dir, GRID.formatted(", \"seed\": 2"), runner, new ArrayList<>()).run())
                .hasMessageContaining("was started from another space");
        assertThat(runner.ran).isEmpty();
    }

    @Test
    void aFailingTrialIsRecordedAndTheSweepGoesOn(@TempDir Path dir) throws Exception {
        TrialRunner flaky = (config, runDir, listener) -> {
            if (config.lr() == 0.3f) throw new IllegalStateException("the loss became NaN");
            return new FakeRunner().run(config, runDir, listener);
        };
        sweep(dir, GRID.formatted(""), flaky, new ArrayList<>()).run();
        assertThat(new RunStore(dir).list()).filteredOn(r -> r.state().equals("failed")).singleElement()
                .satisfies(r -> assertThat(r.status().message()).isEqualTo("the loss became NaN"));
    }
}
