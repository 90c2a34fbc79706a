package dev.simdnet.cli;

import dev.simdnet.data.PenDigits;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code render-pendigits}: draws real pen trajectories as a person draws on a canvas (thick strokes, varied
 * size and position) and saves them as PNG files in one folder per digit, the input of the real-handwriting
 * benchmark ({@code classify --json DIR}, the folder name being the truth).
 */
@Command(name = "render-pendigits", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Render the UCI pen-digit trajectories as PNG drawings, in OUTPUT/<digit>/<writer>_<index>.png."})
final class RenderPenDigitsCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "The UNIPEN file (pendigits-train.unipen).")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Folder to write the drawings into.")
    Path output;

    @Option(names = "--count", paramLabel = "N", description = "Render only the first N digits (default: all).")
    Integer count;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the brush widths and placements. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (count != null && count < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1, got " + count);
        List<PenDigits.PenDigit> digits = PenDigits.load(input);
        int n = count == null ? digits.size() : Math.min(count, digits.size());
        for (int d = 0; d < 10; d++) Files.createDirectories(output.resolve(Integer.toString(d)));
        java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
            PenDigits.PenDigit p = digits.get(i);
            Path file = output.resolve(Integer.toString(p.label())).resolve(p.writer() + "_" + p.index() + ".png");
            try {
                ImageIO.write(PenDigits.render(p, PenDigits.RenderOptions.CANVAS_280, seed * 1_000_003L + i), "png", file.toFile());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            }
        });
        spec.commandLine().getErr().println("rendered " + n + " pen digits into " + output);
        return 0;
    }
}
