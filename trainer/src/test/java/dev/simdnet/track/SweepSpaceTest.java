package dev.simdnet.track;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SweepSpaceTest {

    @Test
    void aGridIsTheProductInFileOrder() {
        SweepSpace s = SweepSpace.parse("""
                {"method": "grid", "base": {"preset": "baseline", "epochs": 2},
                 "parameters": {"model": ["mlp", "lenet5"], "lr": {"min": 0.01, "max": 1.0, "log": true, "steps": 3}}}
                """, "g");
        List<SweepSpace.Trial> t = s.expand();
        assertThat(t).hasSize(6);
        assertThat(t.get(0).params()).isEqualTo(Map.of("model", "mlp", "lr", 0.01));
        assertThat(t.get(1).params()).isEqualTo(Map.of("model", "mlp", "lr", 0.1));
        assertThat(t.get(5).config().model()).isEqualTo("lenet5");
        assertThat(t.get(5).config().lr()).isEqualTo(1.0f);
        assertThat(t.get(5).config().epochs()).isEqualTo(2.0);
        assertThat(t).allMatch(x -> x.config().threads() == 1);
        assertThat(s.name()).isEqualTo("g");
        assertThat(s.withTrials(4).expand()).hasSize(4);
    }

    @Test
    void randomDrawsAreSeededAndMoreTrialsExtendTheFirstOnes() {
        String json = """
                {"name": "r", "method": "random", "trials": 5, "seed": 7,
                 "parameters": {"lr": {"min": 0.01, "max": 0.3, "log": true}, "batch": {"min": 16, "max": 256, "integer": true},
                                "weight_decay": [0, 0.0005], "augment": ["none", "light"]}}
                """;
        List<SweepSpace.Trial> a = SweepSpace.parse(json, "x").expand(), b = SweepSpace.parse(json, "x").withTrials(8).expand();
        assertThat(a).hasSize(5);
        assertThat(b.subList(0, 5)).isEqualTo(a);
        for (SweepSpace.Trial t : b) {
            assertThat(t.config().lr()).isBetween(0.01f, 0.3f);
            assertThat(t.config().batch()).isBetween(16, 256);
            assertThat(t.params()).containsKey("weightDecay");
        }
        assertThat(a.stream().map(t -> t.config().lr()).distinct().count()).isGreaterThan(1);
    }

    @Test
    void aListRunsItsConfigsInOrderWithTheirStages() {
        SweepSpace s = SweepSpace.parse("""
                {"configs": [{"stage": "base", "model": "mlp"}, {"stage": "reg", "model": "lenet5", "dropout": 0.25}],
                 "halving": {"eta": 2}, "goal": {"min_val_accuracy": 0.99}}
                """, "l");
        assertThat(s.method()).isEqualTo("list");
        assertThat(s.halving()).isEqualTo(new SweepSpace.Halving(2, 1));
        assertThat(s.goal()).isEqualTo(new SweepSpace.Goal(0.99, "parameters"));
        assertThat(s.expand()).extracting(t -> t.params().get("stage")).containsExactly("base", "reg");
        assertThat(s.expand().get(1).config().dropout()).isEqualTo(0.25f);
    }

    @Test
    void theExampleSpacesInTheRepoAreValid() throws Exception {
        Path dir = Path.of("../benchmarks/sweeps");
        assertThat(dir).isDirectory();
        try (var files = Files.list(dir)) {
            List<Path> spaces = files.filter(p -> p.toString().endsWith(".json")).toList();
            assertThat(spaces).hasSizeGreaterThanOrEqualTo(2);
            for (Path p : spaces) assertThat(SweepSpace.parse(Files.readString(p), "x").expand()).as(p.toString()).isNotEmpty();
        }
    }

    @Test
    void everyBadSpaceIsOneClearMessage() {
        bad("", "is empty");
        bad("   ", "is empty");
        bad("{\"method\": \"grid\", ", "not valid JSON");
        bad("[1, 2]", "must hold a JSON object");
        bad("{\"parameters\": {\"learning_rate\": [0.1]}}", "unknown parameter 'learning_rate'");
        bad("{\"parameters\": {\"threads\": [1, 2]}}", "threads cannot be swept");
        bad("{\"parameters\": {\"lr\": {\"min\": 0.5, \"max\": 0.1, \"steps\": 2}}}", "impossible range, min 0.5 is above max 0.1");
        bad("{\"parameters\": {\"dropout\": {\"min\": 0, \"max\": 1.5, \"steps\": 2}}}", "impossible range [0, 1.5]: dropout must be in [0, 1)");
        bad("{\"parameters\": {\"lr\": {\"min\": 0, \"max\": 0.1, \"log\": true}}, \"method\": \"random\", \"trials\": 2}", "log range needs min > 0");
        bad("{\"parameters\": {\"lr\": {\"min\": 0.01, \"max\": 0.1}}}", "a grid needs a list of values, or \"steps\"");
        bad("{\"parameters\": {\"lr\": []}}", "the list of values is empty");
        bad("{\"parameters\": {\"model\": [\"mlp\", \"resnet\"]}}", "unknown model 'resnet'");
        bad("{\"parameters\": {\"lr\": [0.1]}, \"method\": \"random\"}", "random search needs a number of trials");
        bad("{\"parameters\": {\"lr\": [0.1]}, \"method\": \"bayes\"}", "unknown method 'bayes'");
        bad("{\"parameters\": {}}", "varies nothing");
        bad("{\"parameters\": {\"lr\": [0.1]}, \"trails\": 3}", "unknown key 'trails'");
        bad("{\"parameters\": {\"lr\": [0.1]}, \"base\": {\"epochs\": \"three\"}}", "epochs must be a number");
        bad("{\"parameters\": {\"lr\": [0.1]}, \"halving\": {\"eta\": 1}}", "halving.eta must be 2 or more");
        bad("{\"parameters\": {\"lr\": [0.1]}, \"name\": \"a b\"}", "sweep name");
    }

    private static void bad(String json, String message) {
        assertThatThrownBy(() -> SweepSpace.parse(json, "x").expand()).as(json).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
