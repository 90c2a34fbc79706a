package dev.simdnet.cli;

import dev.simdnet.model.Checkpoint;
import dev.simdnet.model.ModelSpec;
import dev.simdnet.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class ServeCommandTest {

    static Path tinyModel(Path dir, String name) throws Exception {
        ModelSpec spec = ModelSpec.mnist("fast", 0f);
        Path f = dir.resolve(name + ".safetensors");
        Checkpoint.save(f, spec, Models.build(spec, 1), Map.of());
        return f;
    }

    @Test
    void helpAndBadOptions(@TempDir Path dir) throws Exception {
        Cli help = Cli.run("serve", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--model").contains("--port").contains("--host").contains("KServe");

        assertThat(Cli.run("serve", "--port", "70000").exit()).isEqualTo(2);
        Cli missing = Cli.run("serve", "--model", dir.resolve("nope.safetensors").toString(), "--port", "0");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.oneLineError()).as(missing.err()).isTrue();
        assertThat(missing.err()).contains("nope.safetensors");
        Cli badName = Cli.run("serve", "--model", "../x=" + tinyModel(dir, "a"), "--port", "0");
        assertThat(badName.exit()).isEqualTo(2);
        assertThat(badName.err()).contains("invalid model name");
        Path a = tinyModel(dir, "a");
        Cli twice = Cli.run("serve", "--model", "m=" + a, "m=" + a, "--port", "0");
        assertThat(twice.exit()).isEqualTo(2);
        assertThat(twice.err()).contains("two models are named 'm'");

        // The corrections folder: its bounds need it, they must be positive, and it cannot be a file.
        for (String[] args : new String[][] {{"serve", "--corrections-max", "5", "--port", "0"}, {"serve", "--corrections-max-mb", "5", "--port", "0"},
                {"serve", "--corrections", dir.resolve("c").toString(), "--corrections-max", "0", "--port", "0"},
                {"serve", "--corrections", dir.resolve("c").toString(), "--corrections-max-mb", "-1", "--port", "0"}}) {
            Cli r = Cli.run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.oneLineError()).as(r.err()).isTrue();
        }
        Path file = java.nio.file.Files.writeString(dir.resolve("a-file"), "x");
        Cli notDir = Cli.run("serve", "--corrections", file.toString(), "--port", "0");
        assertThat(notDir.exit()).isEqualTo(1);
        assertThat(notDir.oneLineError()).as(notDir.err()).isTrue();
        assertThat(notDir.err()).contains("a-file").contains("not a folder");
    }

    @Test
    void servesNamedModelsUntilStopped(@TempDir Path dir) throws Exception {
        Path a = tinyModel(dir, "first"), b = tinyModel(dir, "second");
        var cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        ServeCommand serve = (ServeCommand) cl.getSubcommands().get("serve").getCommand();
        int[] exit = {-1};
        Thread t = Thread.ofVirtual().start(() -> exit[0] = cl.execute("serve", "--model", a.toString(), "other=" + b, "--port", "0", "--threads", "1"));
        Matcher m = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/)").matcher("");
        for (int i = 0; i < 600 && !m.reset(out.toString()).find(); i++) Thread.sleep(50);
        assertThat(m.reset(out.toString()).find()).as(out + " / " + err).isTrue();
        assertThat(out.toString()).contains("Serving first, other");

        HttpClient client = HttpClient.newHttpClient();
        var models = client.send(HttpRequest.newBuilder(URI.create(m.group(1) + "api/models")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(models.body()).contains("\"default\":\"first\"").contains("\"other\"");

        serve.stop.countDown();
        t.join(10_000);
        assertThat(exit[0]).isZero();
    }
}
