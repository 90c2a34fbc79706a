package dev.simdnet.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** sweep and runs report / export end to end, on tiny trials; every bad input is refused before training. */
class SweepCliTest {

    private static final String TINY = """
            {"name": "tiny", "method": "grid", "base": {"preset": "baseline", "epochs": 0.05, "validation": 1000},
             "parameters": {"lr": [0.05, 0.1]}}
            """;

    @Test
    void helpWorksForEveryNewCommand() {
        for (String[] cmd : new String[][] {{"sweep"}, {"runs"}, {"runs", "list"}, {"runs", "show"}, {"runs", "compare"}, {"runs", "report"}, {"runs", "export"}}) {
            String[] args = java.util.Arrays.copyOf(cmd, cmd.length + 1);
            args[cmd.length] = "--help";
            Cli r = Cli.run(args);
            assertThat(r.exit()).as(String.join(" ", cmd)).isZero();
            assertThat(r.out()).as(String.join(" ", cmd)).contains("Usage: simdnet " + String.join(" ", cmd));
        }
        Cli bare = Cli.run("runs");
        assertThat(bare.exit()).isEqualTo(2);
        assertThat(bare.err()).contains("name a subcommand");
    }

    @Test
    void aTinySweepRunsTaggedTrialsInParallelThenReportsAndExports(@TempDir Path dir) throws Exception {
        Path space = Files.writeString(dir.resolve("tiny.json"), TINY);
        String runs = dir.resolve("runs").toString();
        Cli r = Cli.run("sweep", space.toString(), "--parallel", "2", "--runs-dir", runs, "--data-dir", Cli.mnist(), "--offline");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("sweep tiny: {finished=2}").contains("best configurations").contains("\"lr\":0.1");
        assertThat(r.err()).contains("2 at a time");

        Cli list = Cli.run("runs", "list", "--runs-dir", runs, "--tag", "sweep=tiny", "--columns", "id,state,lr,tag.trial");
        assertThat(list.out().lines().toList()).hasSize(3);
        assertThat(list.out()).contains("finished");

        Cli again = Cli.run("sweep", space.toString(), "--runs-dir", runs, "--data-dir", Cli.mnist(), "--offline");
        assertThat(again.exit()).isZero();
        assertThat(again.err()).contains("2 already done, 0 to run");

        Cli report = Cli.run("runs", "report", "--runs-dir", runs, "--output", dir.resolve("out/report.html").toString());
        assertThat(report.exit()).as(report.err()).isZero();
        assertThat(report.out().strip()).isEqualTo(dir.resolve("out/report.html").toAbsolutePath().toString());
        assertThat(Files.readString(dir.resolve("out/report.html"))).contains("<svg").contains("class=\"cm\"");

        Cli csv = Cli.run("runs", "export", "--csv", "--runs-dir", runs);
        assertThat(csv.exit()).isZero();
        assertThat(csv.out().lines().toList()).hasSize(3);
        assertThat(csv.out().lines().findFirst().orElseThrow()).startsWith("id,state,");
    }

    @Test
    void everyBadInputIsOneLineBeforeAnyTraining(@TempDir Path dir) throws Exception {
        String runs = dir.resolve("runs").toString();
        expectUsage(dir, "", "is empty");
        expectUsage(dir, "{\"parameters\": ", "not valid JSON");
        expectUsage(dir, "{\"parameters\": {\"learning_rate\": [0.1]}}", "unknown parameter 'learning_rate'");
        expectUsage(dir, "{\"parameters\": {\"lr\": {\"min\": 1, \"max\": 0.1, \"steps\": 2}}}", "impossible range");
        expectUsage(dir, "{\"parameters\": {\"dropout\": {\"min\": 0.5, \"max\": 1.0, \"steps\": 2}}}", "dropout must be in [0, 1)");

        Cli missing = Cli.run("sweep", dir.resolve("absent.json").toString(), "--runs-dir", runs);
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("cannot read the space file");

        Path space = Files.writeString(dir.resolve("ok.json"), TINY);
        Cli parallel = Cli.run("sweep", space.toString(), "--parallel", "0", "--runs-dir", runs);
        assertThat(parallel.exit()).isEqualTo(2);

        Path file = Files.writeString(dir.resolve("a-file"), "keep me");
        Cli unwritable = Cli.run("sweep", space.toString(), "--runs-dir", file.toString(), "--data-dir", Cli.mnist(), "--offline");
        assertThat(unwritable.exit()).isEqualTo(1);
        assertThat(unwritable.oneLineError()).as(unwritable.err()).isTrue();
        assertThat(unwritable.err()).contains("not a folder").doesNotContain("trial");

        Cli noData = Cli.run("sweep", space.toString(), "--runs-dir", runs, "--data-dir", dir.resolve("nowhere").toString(), "--offline");
        assertThat(noData.exit()).isEqualTo(1);
        assertThat(noData.oneLineError()).as(noData.err()).isTrue();
        assertThat(noData.err()).doesNotContain("-> run");
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    private static void expectUsage(Path dir, String json, String message) throws Exception {
        Path space = Files.writeString(dir.resolve("space.json"), json);
        Cli r = Cli.run("sweep", space.toString(), "--runs-dir", dir.resolve("runs").toString(), "--data-dir", Cli.mnist(), "--offline");
        assertThat(r.exit()).as(json).isEqualTo(2);
        assertThat(r.err()).as(json).contains(message);
        assertThat(r.err().lines().filter(l -> l.startsWith("error:")).count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("trial").doesNotContain("Exception");
    }
}
