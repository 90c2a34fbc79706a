package dev.simdnet.cli;

import dev.simdnet.data.PenDigits;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
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
        description = {"Render the UCI pen-digit trajectories as PNG drawings, in OUTPUT/<digit>/<writer>_<index>.png.",
                "Writers 1-16 train the bundled model, 17-22 choose it, 23-30 are its report (benchmarks/run-pendigits.sh)."})
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

    @Option(names = "--writers", paramLabel = "FROM-TO", description = "Only the digits of these writers (1-30), e.g. 23-30; each keeps the drawing it has among all.")
    String writers;

    @Option(names = "--style", paramLabel = "STYLE", defaultValue = "dark-on-light",
            description = "dark-on-light (black ink on white), light-on-dark (white ink on black) or transparent (black ink on a transparent background, as a canvas exports). Default: ${DEFAULT-VALUE}.")
    String style;

    @Override
    public Integer call() throws IOException {
        if (count != null && count < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1, got " + count);
        if (!List.of("dark-on-light", "light-on-dark", "transparent").contains(style))
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown --style '" + style + "': use dark-on-light, light-on-dark or transparent");
        int[] range = writerRange();
        List<PenDigits.PenDigit> digits = PenDigits.load(input);
        int n = count == null ? digits.size() : Math.min(count, digits.size());
        for (int d = 0; d < 10; d++) Files.createDirectories(output.resolve(Integer.toString(d)));
        java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
        java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
            PenDigits.PenDigit p = digits.get(i);
            if (p.writer() < range[0] || p.writer() > range[1]) return;
            Path file = output.resolve(Integer.toString(p.label())).resolve(p.writer() + "_" + p.index() + ".png");
            try {
                // The seed of digit i among all, so a digit is drawn the same whichever writers are asked for.
                BufferedImage img = PenDigits.render(p, PenDigits.RenderOptions.CANVAS_280, seed * 1_000_003L + i);
                ImageIO.write(styled(img, style), "png", file.toFile());
                written.incrementAndGet();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            }
        });
        spec.commandLine().getErr().println("rendered " + written.get() + " pen digits into " + output);
        return 0;
    }

    private int[] writerRange() {
        if (writers == null) return new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(?:-(\\d+))?").matcher(writers.trim());
        if (!m.matches()) throw new CommandLine.ParameterException(spec.commandLine(), "--writers needs FROM-TO or N, e.g. 23-30, got '" + writers + "'");
        int from = Integer.parseInt(m.group(1)), to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
        if (from > to) throw new CommandLine.ParameterException(spec.commandLine(), "--writers " + writers + ": FROM is after TO");
        return new int[] {from, to};
    }

    /** The black-on-white drawing in the asked polarity: inverted, or as ink in the alpha channel of black. */
    private static BufferedImage styled(BufferedImage img, String style) {
        if (style.equals("dark-on-light")) return img;
        int w = img.getWidth(), h = img.getHeight();
        BufferedImage out = new BufferedImage(w, h, style.equals("transparent") ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int ink = 255 - (img.getRGB(x, y) & 0xff); // grey drawing: any channel
                out.setRGB(x, y, style.equals("transparent") ? ink << 24 : ink * 0x010101);
            }
        return out;
    }
}
