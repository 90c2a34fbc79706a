package dev.simdnet.augment;

import dev.simdnet.data.PenDigits;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Digit shapes that people draw and MNIST (American writers, 1990) hardly holds, drawn programmatically as pen
 * trajectories, so they go through the very brush and preprocessing that real pen digits do:
 * <ul>
 *   <li>{@link Style#FLAGGED_ONE}: a 1 with a flag at the top (a stroke rising from the left to the top of the
 *       stem) and, on 70% of them, a foot (a short bar under the stem): the European 1, which MNIST-trained models
 *       read as a 7;</li>
 *   <li>{@link Style#BARRED_SEVEN}: a 7 with a bar across its stem (and a small hook at the left end of the top
 *       bar on a third of them): the European 7, which keeps the 1 and the 7 apart;</li>
 *   <li>{@link Style#OPEN_FOUR}: a 4 in two strokes whose top stays open (an L-shaped stroke, then the stem beside
 *       it), rather than the closed, printed triangle.</li>
 * </ul>
 * Each glyph has random proportions, slant, flag or bar length and angle, and every control point moved by a few
 * percent of the height; the same seed draws the same glyphs.
 */
public final class GlyphStyles {
    private GlyphStyles() {}

    public enum Style {
        FLAGGED_ONE(1), BARRED_SEVEN(7), OPEN_FOUR(4);

        public final int label;

        Style(int label) { this.label = label; }

        @Override
        public String toString() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }
    }

    /** Tablet units of a glyph's height: the pen digits' 500-unit tablet, as they are written. */
    private static final int HEIGHT = 400, MARGIN = 50;

    /** {@code count} glyphs of each style, in style order; writer 0 (no writer), index i for the i-th. */
    public static List<PenDigits.PenDigit> generate(int count, long seed) {
        List<PenDigits.PenDigit> out = new ArrayList<>();
        for (Style s : Style.values())
            for (int i = 0; i < count; i++) out.add(glyph(s, Augmenter.sampleRandom(seed, s.ordinal(), i), out.size()));
        return out;
    }

    /** One glyph of a style with the randomness of {@code rng}. */
    public static PenDigits.PenDigit glyph(Style style, SplittableRandom rng, int index) {
        double slant = 0.25 * (2 * rng.nextDouble() - 1); // x shift per unit of height, up to 14 degrees
        List<double[]> strokes = switch (style) {
            case FLAGGED_ONE -> {
                double flag = 0.2 + 0.25 * rng.nextDouble(), angle = Math.toRadians(15 + 45 * rng.nextDouble());
                double[] top = {0.5, 0}, bottom = {0.5, 1};
                double[] start = {top[0] - flag * Math.cos(angle), top[1] + flag * Math.sin(angle)};
                List<double[]> s = new ArrayList<>();
                s.add(new double[] {start[0], start[1], top[0], top[1], bottom[0], bottom[1]});
                if (rng.nextDouble() < 0.7) {
                    double half = 0.12 + 0.2 * rng.nextDouble();
                    s.add(new double[] {bottom[0] - half, 1, bottom[0] + half, 1});
                }
                yield s;
            }
            case BARRED_SEVEN -> {
                double w = 0.55 + 0.3 * rng.nextDouble(), foot = w * (0.15 + 0.35 * rng.nextDouble());
                double dip = 0.08 * (2 * rng.nextDouble() - 1); // the top bar's right end, up or down
                List<double[]> s = new ArrayList<>();
                double[] top = rng.nextDouble() < 1 / 3.0
                        ? new double[] {0, 0.15, 0, 0, w, dip, foot, 1}  // a hook down at the bar's left end
                        : new double[] {0, 0, w, dip, foot, 1};
                s.add(top);
                double at = 0.4 + 0.2 * rng.nextDouble(), half = 0.12 + 0.18 * rng.nextDouble();
                double sx = w + (foot - w) * (at - dip) / (1 - dip); // where the stem crosses that height
                s.add(new double[] {sx - half, at, sx + half, at + 0.04 * (2 * rng.nextDouble() - 1)});
                yield s;
            }
            case OPEN_FOUR -> {
                double arm = 0.5 + 0.15 * rng.nextDouble(), right = 0.75 + 0.2 * rng.nextDouble();
                double stemX = 0.55 + 0.15 * rng.nextDouble(), stemTop = 0.05 + 0.2 * rng.nextDouble();
                double lean = 0.2 * rng.nextDouble();
                List<double[]> s = new ArrayList<>();
                s.add(new double[] {lean, 0, 0, arm, right, arm});
                s.add(new double[] {stemX, stemTop, stemX - 0.03, 1});
                yield s;
            }
        };
        List<PenDigits.Stroke> pen = new ArrayList<>();
        for (double[] s : strokes) pen.add(sampled(s, slant, rng));
        return new PenDigits.PenDigit(style.label, 0, index, pen);
    }

    /**
     * A polyline of control points (unit box, y down) as a pen would sample it: points every 5% of the height,
     * each control point moved by up to 3% of the height, slanted, in tablet units (y up).
     */
    private static PenDigits.Stroke sampled(double[] ctrl, double slant, SplittableRandom rng) {
        double[] c = ctrl.clone();
        for (int i = 0; i < c.length; i++) c[i] += 0.03 * (2 * rng.nextDouble() - 1);
        List<int[]> pts = new ArrayList<>();
        for (int k = 0; k + 3 < c.length; k += 2) {
            double ax = c[k], ay = c[k + 1], bx = c[k + 2], by = c[k + 3];
            int steps = Math.max(1, (int) Math.ceil(Math.hypot(bx - ax, by - ay) / 0.05));
            for (int t = 0; t < steps; t++) pts.add(tablet(ax + (bx - ax) * t / steps, ay + (by - ay) * t / steps, slant));
        }
        pts.add(tablet(c[c.length - 2], c[c.length - 1], slant));
        int[] x = new int[pts.size()], y = new int[pts.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = pts.get(i)[0];
            y[i] = pts.get(i)[1];
        }
        return new PenDigits.Stroke(x, y);
    }

    private static int[] tablet(double x, double y, double slant) {
        double sx = x + slant * (0.5 - y); // leaning right at the top for a positive slant
        return new int[] {MARGIN + (int) Math.round(sx * HEIGHT), MARGIN + (int) Math.round((1 - y) * HEIGHT)};
    }
}
