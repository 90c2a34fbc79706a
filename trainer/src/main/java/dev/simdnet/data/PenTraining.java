package dev.simdnet.data;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The pen digits as training data, split by writer so that no writer is in two parts:
 * writers 1-16 train, 17-22 validate (and decide every choice: recipe, epochs, seed, thresholds, calibration),
 * 23-30 are the report, never trained on and never used to choose ({@code benchmarks/run-pendigits.sh}).
 *
 * <p>A digit becomes a 28 x 28 training image exactly as a user's drawing does: drawn on a 280 x 280 canvas with one
 * of the two brushes people reach the model through ({@link Brush}), then prepared by {@link DigitPreprocessor}, the
 * recipe of {@code classify}, the server and {@code Model.predict}.
 */
public final class PenTraining {
    private PenTraining() {}

    /** The last writer of each part: 1..16 train, 17..22 validate, 23..30 report. */
    public static final int LAST_TRAIN_WRITER = 16, LAST_VALIDATION_WRITER = 22;

    /** How a digit is drawn. */
    public enum Brush {
        /** {@code render-pendigits} and the classify benchmark: straight segments, a 15-25 px brush, the digit 45-80% of the canvas, anywhere on it. */
        THICK,
        /** The page's brush ({@link CanvasBrush}, 20 px on 280, smoothed), the digit 45-80% of the canvas. */
        PAGE,
        /** The page's brush with the digit's longer side 70% of the canvas, centred: what the page tests and {@code pendigits_client.py} send. */
        PAGE_70
    }

    private static final PenDigits.RenderOptions PAGE = new PenDigits.RenderOptions(280, 20, 20, 0.45f, 0.8f);
    private static final PenDigits.RenderOptions PAGE_70 = new PenDigits.RenderOptions(280, 20, 20, 0.7f, 0.7f);

    /** The digits of writers {@code from..to}, in file order. */
    public static List<PenDigits.PenDigit> writers(List<PenDigits.PenDigit> all, int from, int to) {
        return all.stream().filter(d -> d.writer() >= from && d.writer() <= to).toList();
    }

    /**
     * The pen digits file next to the MNIST data: in the named folder, its {@code pendigits/}, or its parent's
     * {@code pendigits/} (so {@code --data-dir ../shared/data/mnist} finds {@code ../shared/data/pendigits/}).
     */
    public static Path find(DataSource source) {
        List<Path> candidates = new ArrayList<>();
        for (Path dir : new Path[] {source.explicitDir(), source.envDir() == null ? null : Path.of(source.envDir()),
                source.workingDir().resolve("data")}) {
            if (dir == null) continue;
            dir = dir.toAbsolutePath().normalize();
            candidates.add(dir.resolve(PenDigits.TRAIN_FILE));
            candidates.add(dir.resolve("pendigits").resolve(PenDigits.TRAIN_FILE));
            if (dir.getParent() != null) candidates.add(dir.getParent().resolve("pendigits").resolve(PenDigits.TRAIN_FILE));
            if (source.explicitDir() != null) break; // a named folder is the only place looked in, as for MNIST
        }
        for (Path c : candidates) if (Files.isRegularFile(c)) return c;
        throw new DataException("the pen digits (" + PenDigits.TRAIN_FILE + ") are not in " + candidates
                + ": put the UCI pendigits file beside the MNIST folder (pendigits/" + PenDigits.TRAIN_FILE + ")");
    }

    /**
     * Every digit drawn once with each brush, in that order (digit-major), as a data set of 28 x 28 grey images.
     * Digit {@code i} with brush {@code b} is placed with the seed {@code (seed, i, b)}. Drawn on all cores.
     */
    public static Dataset render(String name, List<PenDigits.PenDigit> digits, List<Brush> brushes, long seed) {
        int per = brushes.size(), n = digits.size() * per, p = DigitPreprocessor.SIDE * DigitPreprocessor.SIDE;
        byte[] images = new byte[n * p], labels = new byte[n];
        DigitPreprocessor prep = new DigitPreprocessor();
        IntStream.range(0, n).parallel().forEach(k -> {
            PenDigits.PenDigit d = digits.get(k / per);
            byte[] px = pixels(prep, d, brushes.get(k % per), seed * 1_000_003L + k);
            System.arraycopy(px, 0, images, k * p, p);
            labels[k] = (byte) d.label();
        });
        return new Dataset(name, n, DigitPreprocessor.SIDE, DigitPreprocessor.SIDE, images, labels, 10);
    }

    /** One digit drawn with a brush and prepared as classify prepares a picture: 784 bytes, white ink on black. */
    public static byte[] pixels(DigitPreprocessor prep, PenDigits.PenDigit d, Brush brush, long seed) {
        BufferedImage img = switch (brush) {
            case THICK -> PenDigits.render(d, PenDigits.RenderOptions.CANVAS_280, seed);
            case PAGE -> CanvasBrush.render(PenDigits.place(d, PAGE, seed).strokes(), 280, 280);
            case PAGE_70 -> CanvasBrush.render(PenDigits.place(d, PAGE_70, seed).strokes(), 280, 280);
        };
        DigitPreprocessor.Result r = prep.process(img);
        if (!r.isDigit()) throw new DataException("pen digit " + d.index() + " of writer " + d.writer() + " drew no digit: " + r.reason());
        return r.digitBytes();
    }
}
