package dev.simdnet.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.model.Checkpoint;
import dev.simdnet.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.simdnet.testing.SameBits.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;

/** A real process killed with SIGKILL mid-run, resumed with --resume, ends with the weights of a run never killed. */
class ResumeAfterKillTest {

    static List<String> trainArgs(Path dir, String name) {
        return new ArrayList<>(List.of("train", "--preset", "baseline", "--epochs", "4", "--validation", "30000", "--threads", "2",
                "--augment", "light", "--data-dir", Cli.mnist(), "--offline", "--no-track", "--output", dir.resolve(name + ".safetensors").toString()));
    }

    @Test
    void killedRunResumesToTheSameWeights(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("killed.state");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector"));
        // The vector width (-XX:UseAVX=2, -XX:MaxVectorSize=16 in the width executions) and kernel choice of this JVM for the killed one too.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("-XX:")).forEach(cmd::add);
        for (String p : new String[] {"simdnet.cache.dir", "simdnet.gemm.mr", "simdnet.gemm.blocks"})
            if (System.getProperty(p) != null) cmd.add("-D" + p + "=" + System.getProperty(p));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(trainArgs(dir, "killed"));
        cmd.addAll(List.of("--state-dir", state.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile()).start();
        try {
            // Wait for the state of the first epoch, then kill -9 while the second is under way.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(Trainer.stateFile(state)) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(Files.exists(Trainer.stateFile(state))).as(Files.readString(dir.resolve("killed.log"))).isTrue();
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(Files.exists(dir.resolve("killed.safetensors"))).as("killed before the end").isFalse();

        List<String> resume = trainArgs(dir, "killed");
        resume.addAll(List.of("--resume", state.toString()));
        Cli resumed = Cli.run(resume.toArray(String[]::new));
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("resumed at step");

        List<String> straight = trainArgs(dir, "straight");
        straight.addAll(List.of("--state-dir", dir.resolve("straight.state").toString()));
        Cli once = Cli.run(straight.toArray(String[]::new));
        assertThat(once.exit()).as(once.err()).isZero();

        var a = Checkpoint.load(dir.resolve("killed.safetensors")).net().parameters();
        var b = Checkpoint.load(dir.resolve("straight.safetensors")).net().parameters();
        for (int i = 0; i < a.size(); i++)
            assertSameBits(a.get(i).name(), a.get(i).value().toArray(), b.get(i).value().toArray());
        assertThat(JSON.std.mapFrom(resumed.out().strip()).get("test_accuracy"))
                .isEqualTo(JSON.std.mapFrom(once.out().strip()).get("test_accuracy"));
    }
}
