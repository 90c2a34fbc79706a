package dev.simdnet.cli;

import dev.simdnet.data.DataSource;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.DatasetKind;
import dev.simdnet.data.DatasetLoader;
import dev.simdnet.data.Subset;
import dev.simdnet.model.Model;
import dev.simdnet.onnx.HostileOnnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code export --format onnx}, and ONNX files given to classify, eval and serve with --model; damaged ones refused. */
class OnnxCliTest {

    @Test
    void exportThenClassifyEvalAndServeTheOnnxFile(@TempDir Path dir) throws Exception {
        Path onnx = dir.resolve("digits.onnx"), ckpt = dir.resolve("digits.safetensors");
        Cli ex = Cli.run("export", "--format", "onnx", "bundled", onnx.toString());
        assertThat(ex.exit()).as(ex.err()).isZero();
        assertThat(ex.err()).contains("wrote " + onnx);
        Model.bundled().save(ckpt);

        Dataset test = DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, DataSource.offline(Cli.data()));
        List<String> pictures = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Path p = dir.resolve("d" + i + ".png");
            ImageIO.write(picture(test, i), "png", p.toFile());
            pictures.add(p.toString());
        }
        Cli viaOnnx = classify(pictures, onnx), viaCkpt = classify(pictures, ckpt);
        assertThat(viaOnnx.exit()).as(viaOnnx.err()).isZero();
        assertThat(viaOnnx.out()).isEqualTo(viaCkpt.out()).contains(": 7 (");

        Cli evalOnnx = Cli.run("eval", onnx.toString(), "--data-dir", Cli.mnist(), "--offline");
        Cli evalCkpt = Cli.run("eval", ckpt.toString(), "--data-dir", Cli.mnist(), "--offline");
        assertThat(evalOnnx.exit()).as(evalOnnx.err()).isZero();
        assertThat(accuracy(evalOnnx.out())).isEqualTo(accuracy(evalCkpt.out())).isGreaterThan(0.98);

        var cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        ServeCommand serve = (ServeCommand) cl.getSubcommands().get("serve").getCommand();
        int[] exit = {-1};
        Thread t = Thread.ofVirtual().start(() -> exit[0] = cl.execute("serve", "--model", onnx.toString(), "--port", "0", "--threads", "1"));
        Matcher m = Pattern.compile("Serving digits at http").matcher("");
        for (int i = 0; i < 600 && !m.reset(out.toString()).find(); i++) Thread.sleep(50);
        assertThat(out.toString()).as(err.toString()).contains("Serving digits at http");
        serve.stop.countDown();
        t.join(10_000);
        assertThat(exit[0]).isZero();
    }

    private static Cli classify(List<String> pictures, Path model) {
        List<String> args = new ArrayList<>(List.of("classify", "--model", model.toString()));
        args.addAll(pictures);
        return Cli.run(args.toArray(String[]::new));
    }

    private static double accuracy(String evalOut) {
        Matcher m = Pattern.compile("accuracy (\\d+\\.\\d+)%").matcher(evalOut);
        assertThat(m.find()).as(evalOut).isTrue();
        return Double.parseDouble(m.group(1)) / 100;
    }

    /** Test digit i as a 3x larger dark-on-light picture. */
    private static BufferedImage picture(Dataset test, int i) {
        BufferedImage img = new BufferedImage(84, 84, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 84; y++)
            for (int x = 0; x < 84; x++) {
                int v = 255 - (test.images()[i * 784 + (y / 3) * 28 + x / 3] & 0xFF);
                img.setRGB(x, y, v << 16 | v << 8 | v);
            }
        return img;
    }

    @Test
    void damagedAndHostileOnnxFilesAreOneLineAndExitCodeOneInEveryCommand(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("blank.png");
        ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        List<HostileOnnx.Case> cases = HostileOnnx.cases();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(20);
        for (HostileOnnx.Case c : cases) {
            Path f = dir.resolve(c.name() + ".onnx");
            Files.write(f, c.bytes());
            for (String[] args : List.of(
                    new String[] {"classify", "--model", f.toString(), png.toString()},
                    new String[] {"eval", f.toString(), "--data-dir", Cli.mnist(), "--offline"},
                    new String[] {"serve", "--model", f.toString(), "--port", "0"},
                    new String[] {"export", "--format", "onnx", f.toString(), dir.resolve("again.onnx").toString()})) {
                Cli r = Cli.run(args);
                assertThat(r.exit()).as(c + " " + args[0] + ": " + r.err()).isEqualTo(1);
                assertThat(r.oneLineError()).as(c + " " + args[0] + ": " + r.err()).isTrue();
                assertThat(r.err()).as(c + " " + args[0]).contains(c.says());
            }
        }
    }

    @Test
    void exportUsageErrors(@TempDir Path dir) {
        Cli format = Cli.run("export", "--format", "tflite", "bundled", dir.resolve("m.onnx").toString());
        assertThat(format.exit()).isEqualTo(2);
        assertThat(format.err()).contains("unknown --format 'tflite'");
        Cli folder = Cli.run("export", "bundled", dir.toString());
        assertThat(folder.exit()).isEqualTo(2);
        assertThat(folder.err()).contains("is a folder");
        Cli missing = Cli.run("export", dir.resolve("none.safetensors").toString(), dir.resolve("m.onnx").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.oneLineError()).as(missing.err()).isTrue();
        Cli help = Cli.run("export", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--format").contains("probabilities");
    }
}
