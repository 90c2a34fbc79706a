package dev.simdnet.cli;

import dev.simdnet.data.DatasetKind;
import dev.simdnet.data.DatasetLoader;
import dev.simdnet.data.DataSource;
import dev.simdnet.data.Subset;
import dev.simdnet.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Use it from Java" programs, taken from README.md as they stand, compiled and run: an example
 * that no longer compiles or no longer works fails the build.
 */
class ReadmeExamplesTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("public class (\\w+)");

    /** The java blocks of the README's "Use it from Java" section. */
    static List<String> examples() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int from = readme.indexOf("## Use it from Java"), to = readme.indexOf("\n## ", from + 1);
        assertThat(from).as("README has a 'Use it from Java' section").isNotNegative();
        Matcher m = JAVA_BLOCK.matcher(readme.substring(from, to < 0 ? readme.length() : to));
        List<String> blocks = new ArrayList<>();
        while (m.find()) blocks.add(m.group(1));
        return blocks;
    }

    /** Compiles every example into {@code dir} and returns a loader for them. */
    static ClassLoader compiled(Path dir) throws Exception {
        List<Path> sources = new ArrayList<>();
        for (String code : examples()) {
            Matcher c = CLASS_NAME.matcher(code);
            assertThat(c.find()).as("an example declares a public class:\n" + code).isTrue();
            Path f = dir.resolve(c.group(1) + ".java");
            Files.writeString(f, code);
            sources.add(f);
        }
        assertThat(sources).hasSize(2);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-d", dir.toString(), "-classpath", System.getProperty("java.class.path"),
                "--add-modules", "jdk.incubator.vector", "-Xlint:-incubating"));
        sources.forEach(s -> args.add(s.toString()));
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(null, errors, errors, args.toArray(String[]::new));
        assertThat(rc).as(errors.toString(StandardCharsets.UTF_8)).isZero();
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, ReadmeExamplesTest.class.getClassLoader());
    }

    /** Runs {@code main} of an example, returning what it printed. */
    static String run(ClassLoader loader, String name, String... args) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            loader.loadClass(name).getMethod("main", String[].class).invoke(null, (Object) args);
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theExamplesCompileAndWork(@TempDir Path dir) throws Exception {
        ClassLoader loader = compiled(dir);

        // A 7 from the training set, drawn dark on white at three times the size.
        var train = DatasetLoader.load(DatasetKind.MNIST, Subset.TRAIN, DataSource.offline(Path.of(Cli.mnist())));
        int seven = 0;
        while (train.label(seven) != 7) seven++;
        float[] px = train.imageUnit(seven);
        BufferedImage img = new BufferedImage(84, 84, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 84; y++)
            for (int x = 0; x < 84; x++) {
                int v = 255 - Math.round(px[(y / 3) * 28 + x / 3] * 255);
                img.setRGB(x, y, v << 16 | v << 8 | v);
            }
        Path png = dir.resolve("seven.png");
        ImageIO.write(img, "png", png.toFile());
        assertThat(run(loader, "PredictDigit", png.toString())).startsWith("7 (");

        Path model = dir.resolve("trained.safetensors");
        run(loader, "TrainDigits", Cli.mnist(), model.toString());
        Model trained = Model.load(model);
        assertThat(trained.predict(png).label()).isEqualTo("7");
        assertThat(trained.classNames()).hasSize(10);
    }
}
