package dev.simdnet.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** train records its runs; runs list / show / compare read them back. */
class RunsCliTest {

    private static Cli train(Path dir, String... extra) {
        String[] base = {"train", "--preset", "baseline", "--epochs", "0.05", "--validation", "1000", "--threads", "1",
                "--data-dir", Cli.mnist(), "--offline", "--output", dir.resolve("m.safetensors").toString(),
                "--runs-dir", dir.resolve("runs").toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Cli.run(args);
    }

    @Test
    void trainRecordsARunThatListShowAndCompareRead(@TempDir Path dir) throws Exception {
        Cli first = train(dir, "--tag", "idea=base", "--note", "the baseline");
        assertThat(first.exit()).as(first.err()).isZero();
        Map<String, Object> line = JSON.std.mapFrom(first.out().strip());
        String id = (String) line.get("run_id");
        assertThat(id).isNotBlank();
        Path run = dir.resolve("runs").resolve(id);
        for (String f : new String[] {"config.json", "env.json", "status.json", "metrics.csv", "summary.json", "confusion.csv",
                "tags.json", "note.txt", "model.safetensors"})
            assertThat(run.resolve(f)).as(f).isRegularFile();
        Map<String, Object> env = JSON.std.mapFrom(Files.readString(run.resolve("env.json")));
        assertThat(env).containsKeys("jdk", "cpu_model", "kernels", "threads", "vector_species", "git_commit", "git_dirty");
        assertThat(Files.readAllLines(run.resolve("metrics.csv"))).hasSize(2);

        Cli second = train(dir, "--tag", "idea=lr", "--lr", "0.1");
        assertThat(second.exit()).as(second.err()).isZero();
        String id2 = (String) JSON.std.mapFrom(second.out().strip()).get("run_id");

        Cli list = Cli.run("runs", "list", "--runs-dir", dir.resolve("runs").toString(), "--sort", "-lr");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out().lines().toList()).hasSize(3);
        assertThat(list.out().lines().skip(1).findFirst().orElseThrow()).startsWith(id2).contains("finished").contains("idea=lr");
        Cli filtered = Cli.run("runs", "list", "--runs-dir", dir.resolve("runs").toString(), "--tag", "idea=base", "--columns", "id,note");
        assertThat(filtered.out()).contains(id).contains("the baseline").doesNotContain(id2);

        Cli show = Cli.run("runs", "show", id.substring(id.lastIndexOf('-') + 1), "--runs-dir", dir.resolve("runs").toString());
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.out()).contains("run " + id).contains("finished").contains("note: the baseline").contains("vector_species")
                .contains("test_accuracy").contains("val_accuracy");

        Cli compare = Cli.run("runs", "compare", id2, "--baseline", id, "--runs-dir", dir.resolve("runs").toString());
        assertThat(compare.exit()).as(compare.err()).isZero();
        assertThat(compare.out()).contains("(baseline)").contains("0.1 (was 0.05)").contains("test_accuracy");
        Cli all = Cli.run("runs", "compare", "--baseline", id, "--runs-dir", dir.resolve("runs").toString());
        assertThat(all.out()).contains(id2);
    }

    @Test
    void badRunNamesAndOptionsAreOneLineUsageErrors(@TempDir Path dir) {
        String runs = dir.resolve("runs").toString();
        Cli unknown = Cli.run("runs", "show", "nope", "--runs-dir", runs);
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("no run 'nope'");
        Cli one = Cli.run("runs", "compare", "x", "--runs-dir", runs);
        assertThat(one.exit()).isEqualTo(2);
        Cli badStatus = Cli.run("runs", "list", "--status", "done", "--runs-dir", runs);
        assertThat(badStatus.exit()).isEqualTo(2);
        assertThat(badStatus.err()).contains("unknown --status 'done'");
        Cli empty = Cli.run("runs", "list", "--runs-dir", runs);
        assertThat(empty.exit()).isZero();
        assertThat(empty.err()).contains("no runs");
        Cli badTag = train(dir, "--tag", "bad key=1");
        assertThat(badTag.exit()).isEqualTo(2);
    }

    @Test
    void anUnwritableRunsFolderFailsBeforeTraining(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "keep me");
        Cli r = Cli.run("train", "--preset", "baseline", "--epochs", "0.05", "--data-dir", Cli.mnist(), "--offline",
                "--output", dir.resolve("m.safetensors").toString(), "--runs-dir", file.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.oneLineError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("not a folder").doesNotContain("epoch 1");
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void noTrackWritesNoRecord(@TempDir Path dir) throws Exception {
        Cli r = train(dir, "--no-track");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(JSON.std.mapFrom(r.out().strip())).doesNotContainKey("run_id");
        assertThat(dir.resolve("runs")).doesNotExist();
    }
}
