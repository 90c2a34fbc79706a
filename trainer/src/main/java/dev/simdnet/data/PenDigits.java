package dev.simdnet.data;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Real pen trajectories of handwritten digits (UCI "pendigits", UNIPEN text), and a renderer that draws one
 * the way a person draws on a canvas: thick, round-capped strokes, dark on a white canvas, at a random size
 * and position. What it draws is what {@code classify} and the web app are fed.
 *
 * <p>File layout: a {@code .SEGMENT DIGIT n ? "label"} line, a {@code .COMMENT label writer index} line, then
 * one {@code .PEN_DOWN} ... {@code .PEN_UP} block per stroke, one {@code x y} point per line, on a 500x500
 * tablet whose y axis points up.
 */
public final class PenDigits {
    private PenDigits() {}

    /** SHA-256 of {@code pendigits-train.unipen}. */
    public static final String TRAIN_SHA256 = "a66225d68d7d68591e62944df1ad33b3f5aa608e2df2505844b41f5568a80da4";
    public static final String TRAIN_FILE = "pendigits-train.unipen";

    /** One stroke: the pen's points between pen-down and pen-up, tablet coordinates (y up). */
    public record Stroke(int[] x, int[] y) {
        public Stroke {
            if (x.length != y.length || x.length == 0)
                throw new IllegalArgumentException("a stroke needs as many x as y and at least one point, got "
                        + x.length + " and " + y.length);
            x = x.clone();
            y = y.clone();
        }

        public int size() { return x.length; }
    }

    /**
     * One digit as written.
     *
     * @param label   the digit, 0..9
     * @param writer  the writer's number in the corpus
     * @param index   the sample's number in the file
     * @param strokes the strokes in writing order
     */
    public record PenDigit(int label, int writer, int index, List<Stroke> strokes) {
        public PenDigit {
            if (label < 0 || label > 9) throw new IllegalArgumentException("label must be 0..9, got " + label);
            strokes = List.copyOf(strokes);
            if (strokes.isEmpty()) throw new IllegalArgumentException("a digit needs at least one stroke");
        }
    }

    /**
     * How to draw a digit on a canvas.
     *
     * @param canvas   side of the square canvas in pixels
     * @param minBrush thinnest brush diameter in pixels
     * @param maxBrush thickest brush diameter in pixels
     * @param minFill  smallest longer-side size of the digit's path as a fraction of the canvas
     * @param maxFill  largest such fraction
     */
    public record RenderOptions(int canvas, float minBrush, float maxBrush, float minFill, float maxFill) {
        /** A 280x280 canvas, brushes of 15 to 25 px, digits filling 45% to 80% of it. */
        public static final RenderOptions CANVAS_280 = new RenderOptions(280, 15f, 25f, 0.45f, 0.8f);

        public RenderOptions {
            if (canvas < 8) throw new IllegalArgumentException("canvas must be at least 8 px, got " + canvas);
            if (!(minBrush > 0 && minBrush <= maxBrush && maxBrush < canvas / 2f))
                throw new IllegalArgumentException("need 0 < minBrush <= maxBrush < canvas/2, got " + minBrush + ", " + maxBrush);
            if (!(minFill > 0 && minFill <= maxFill && maxFill * canvas + maxBrush <= canvas))
                throw new IllegalArgumentException("need 0 < minFill <= maxFill and the digit plus brush to fit the canvas, got "
                        + minFill + ", " + maxFill);
        }
    }

    /**
     * A digit placed on a canvas: stroke points in canvas pixels (y down), and the brush diameter. The web app
     * replays exactly these points; {@link #render} draws them.
     *
     * @param strokes each stroke as {@code [x0, y0, x1, y1, ...]}
     */
    public record Placed(int canvas, float brush, List<float[]> strokes) {
        public Placed {
            strokes = List.copyOf(strokes);
        }
    }

    /** Reads and verifies the training file (7,494 digits). */
    public static List<PenDigit> load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e, e);
        }
        Checksums.verify(bytes, TRAIN_SHA256, file.toString());
        return parse(new String(bytes, StandardCharsets.US_ASCII), file.toString());
    }

    /** Parses UNIPEN text; {@code what} names it in errors. */
    public static List<PenDigit> parse(String text, String what) {
        List<PenDigit> out = new ArrayList<>();
        List<Stroke> strokes = null;
        int label = -1, writer = -1, index = -1;
        int[] xs = null, ys = null;
        int n = 0;
        boolean penDown = false;
        String[] lines = text.split("\n", -1);
        for (int ln = 0; ln < lines.length; ln++) {
            String line = lines[ln].strip();
            if (line.isEmpty()) continue;
            String where = what + " line " + (ln + 1);
            if (line.startsWith(".SEGMENT")) {
                if (strokes != null) out.add(finish(label, writer, index, strokes, where));
                strokes = new ArrayList<>();
                int q = line.indexOf('"');
                if (q < 0 || q + 1 >= line.length()) throw new DataException(where + ": no label in " + line);
                label = Character.digit(line.charAt(q + 1), 10);
                writer = index = -1;
            } else if (line.startsWith(".COMMENT")) {
                String[] f = line.split("\\s+");
                if (strokes == null || f.length < 4) throw new DataException(where + ": unexpected " + line);
                writer = Integer.parseInt(f[2]);
                index = Integer.parseInt(f[3]);
                if (Integer.parseInt(f[1]) != label)
                    throw new DataException(where + ": comment label " + f[1] + " differs from segment label " + label);
            } else if (line.startsWith(".PEN_DOWN")) {
                if (strokes == null || penDown) throw new DataException(where + ": unexpected .PEN_DOWN");
                penDown = true;
                xs = new int[64];
                ys = new int[64];
                n = 0;
            } else if (line.startsWith(".PEN_UP")) {
                if (!penDown) throw new DataException(where + ": .PEN_UP without .PEN_DOWN");
                penDown = false;
                if (n == 0) throw new DataException(where + ": a stroke with no points");
                strokes.add(new Stroke(Arrays.copyOf(xs, n), Arrays.copyOf(ys, n)));
            } else if (line.startsWith(".")) {
                continue; // .INCLUDE, .LEXICON, .HIERARCHY, .DT: nothing to keep
            } else {
                if (!penDown) throw new DataException(where + ": a point outside .PEN_DOWN/.PEN_UP: " + line);
                String[] f = line.split("\\s+");
                if (f.length != 2) throw new DataException(where + ": expected 'x y', got " + line);
                if (n == xs.length) {
                    xs = Arrays.copyOf(xs, 2 * n);
                    ys = Arrays.copyOf(ys, 2 * n);
                }
                try {
                    xs[n] = Integer.parseInt(f[0]);
                    ys[n] = Integer.parseInt(f[1]);
                } catch (NumberFormatException e) {
                    throw new DataException(where + ": expected 'x y', got " + line, e);
                }
                n++;
            }
        }
        if (penDown) throw new DataException(what + ": ends inside a stroke");
        if (strokes != null) out.add(finish(label, writer, index, strokes, what + " end"));
        return List.copyOf(out);
    }

    private static PenDigit finish(int label, int writer, int index, List<Stroke> strokes, String where) {
        if (label < 0) throw new DataException(where + ": a segment without a digit label");
        if (strokes.isEmpty()) throw new DataException(where + ": digit " + index + " has no strokes");
        return new PenDigit(label, writer, index, strokes);
    }

    /**
     * Places a digit on a canvas: y flipped to point down, scaled so its longer side is a random fraction of the
     * canvas (aspect ratio kept), at a random position where the whole brush stays inside, with a random brush.
     */
    public static Placed place(PenDigit digit, RenderOptions opt, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int minX = Integer.MAX_VALUE, maxX = Integer.MIN_VALUE, minY = Integer.MAX_VALUE, maxY = Integer.MIN_VALUE;
        for (Stroke s : digit.strokes())
            for (int i = 0; i < s.size(); i++) {
                minX = Math.min(minX, s.x()[i]);
                maxX = Math.max(maxX, s.x()[i]);
                minY = Math.min(minY, s.y()[i]);
                maxY = Math.max(maxY, s.y()[i]);
            }
        float brush = opt.minBrush() + (float) rng.nextDouble() * (opt.maxBrush() - opt.minBrush());
        float fill = opt.minFill() + (float) rng.nextDouble() * (opt.maxFill() - opt.minFill());
        int longer = Math.max(1, Math.max(maxX - minX, maxY - minY));
        float scale = fill * opt.canvas() / longer; // canvas px per tablet unit
        float w = (maxX - minX) * scale, h = (maxY - minY) * scale;
        float r = brush / 2;
        float left = r + (float) rng.nextDouble() * (opt.canvas() - w - brush);
        float top = r + (float) rng.nextDouble() * (opt.canvas() - h - brush);
        List<float[]> placed = new ArrayList<>();
        for (Stroke s : digit.strokes()) {
            float[] pts = new float[2 * s.size()];
            for (int i = 0; i < s.size(); i++) {
                pts[2 * i] = left + (s.x()[i] - minX) * scale;
                pts[2 * i + 1] = top + (maxY - s.y()[i]) * scale; // tablet y points up, the canvas's down
            }
            placed.add(pts);
        }
        return new Placed(opt.canvas(), brush, placed);
    }

    /** Draws a placed digit: black, antialiased, round caps and joins, on a white canvas (TYPE_INT_RGB). */
    public static BufferedImage render(Placed p) {
        BufferedImage img = new BufferedImage(p.canvas(), p.canvas(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, p.canvas(), p.canvas());
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(p.brush(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            for (float[] pts : p.strokes()) {
                if (pts.length == 2) { // a dot: a zero-length path draws nothing in Java2D
                    float r = p.brush() / 2;
                    g.fill(new Ellipse2D.Float(pts[0] - r, pts[1] - r, p.brush(), p.brush()));
                    continue;
                }
                Path2D.Float path = new Path2D.Float();
                path.moveTo(pts[0], pts[1]);
                for (int i = 2; i < pts.length; i += 2) path.lineTo(pts[i], pts[i + 1]);
                g.draw(path);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Places and draws a digit with the given seed. */
    public static BufferedImage render(PenDigit digit, RenderOptions opt, long seed) {
        return render(place(digit, opt, seed));
    }

    /** How many digits of each class. */
    public static int[] classCounts(List<PenDigit> digits) {
        int[] c = new int[10];
        for (PenDigit d : Objects.requireNonNull(digits)) c[d.label()]++;
        return c;
    }
}
