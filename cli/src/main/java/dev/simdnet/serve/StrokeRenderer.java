package dev.simdnet.serve;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Draws strokes the way the page's canvas does, so a drawing sent as strokes is read exactly as the same drawing
 * sent as a picture: black ink on white, a round brush {@link #BRUSH_FRACTION} of the canvas' shorter side wide,
 * each stroke smoothed by quadratic curves through the midpoints of its segments (app.js draws with the same
 * rule and gets the fraction from {@code /api/models}).
 */
public final class StrokeRenderer {
    /**
     * Brush diameter over the canvas' shorter side: 20 px on the page's 280 px canvas. A digit drawn across most
     * of the canvas then has strokes about as thick, relative to its height, as MNIST's (a thinner line fades
     * when the drawing is shrunk to 20 px).
     */
    public static final double BRUSH_FRACTION = 20.0 / 280.0;

    private StrokeRenderer() {}

    /** One stroke: its points as {@code xs[i], ys[i]} in canvas pixels, y pointing down. */
    public record Stroke(float[] xs, float[] ys) {
        public Stroke {
            if (xs.length != ys.length || xs.length == 0) throw new IllegalArgumentException("a stroke needs one or more (x, y) points");
        }
    }

    public static double brushWidth(int width, int height) {
        return BRUSH_FRACTION * Math.min(width, height);
    }

    /** The drawing on a white {@code width x height} canvas, grey levels (TYPE_BYTE_GRAY). */
    public static BufferedImage render(List<Stroke> strokes, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            double w = brushWidth(width, height);
            g.setStroke(new BasicStroke((float) w, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            for (Stroke s : strokes) {
                float[] xs = s.xs(), ys = s.ys();
                int n = xs.length;
                if (n == 1) { // a dot: a path of one point draws nothing
                    g.fill(new Ellipse2D.Double(xs[0] - w / 2, ys[0] - w / 2, w, w));
                    continue;
                }
                Path2D.Float p = new Path2D.Float();
                p.moveTo(xs[0], ys[0]);
                // Through the midpoints, with each sampled point as the control point (as app.js).
                for (int i = 1; i < n - 1; i++)
                    p.quadTo(xs[i], ys[i], (xs[i] + xs[i + 1]) / 2, (ys[i] + ys[i + 1]) / 2);
                p.lineTo(xs[n - 1], ys[n - 1]);
                g.draw(p);
            }
        } finally {
            g.dispose();
        }
        return img;
    }
}
