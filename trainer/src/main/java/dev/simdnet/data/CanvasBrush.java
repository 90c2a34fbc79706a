package dev.simdnet.data;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The drawing page's brush: black ink on white, a round brush {@link #BRUSH_FRACTION} of the canvas' shorter side
 * wide, each stroke smoothed by quadratic curves through the midpoints of its segments (the page's app.js draws with
 * the same rule). The server renders the strokes it is sent with it, and the trainer renders pen trajectories with it
 * so that the bundled model learns from exactly what the page shows it.
 */
public final class CanvasBrush {
    /**
     * Brush diameter over the canvas' shorter side: 20 px on the page's 280 px canvas. A digit drawn across most
     * of the canvas then has strokes about as thick, relative to its height, as MNIST's (a thinner line fades
     * when the drawing is shrunk to 20 px).
     */
    public static final double BRUSH_FRACTION = 20.0 / 280.0;

    private CanvasBrush() {}

    public static double brushWidth(int width, int height) {
        return BRUSH_FRACTION * Math.min(width, height);
    }

    /**
     * The drawing on a white {@code width x height} canvas, grey levels (TYPE_BYTE_GRAY).
     *
     * @param strokes each stroke as {@code [x0, y0, x1, y1, ...]} in canvas pixels, y pointing down, one point or more
     */
    public static BufferedImage render(List<float[]> strokes, int width, int height) {
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
            for (float[] s : strokes) {
                if (s.length < 2 || s.length % 2 != 0)
                    throw new IllegalArgumentException("a stroke needs one or more (x, y) points, got " + s.length + " values");
                int n = s.length / 2;
                if (n == 1) { // a dot: a path of one point draws nothing
                    g.fill(new Ellipse2D.Double(s[0] - w / 2, s[1] - w / 2, w, w));
                    continue;
                }
                Path2D.Float p = new Path2D.Float();
                p.moveTo(s[0], s[1]);
                // Through the midpoints, with each sampled point as the control point (as app.js).
                for (int i = 1; i < n - 1; i++)
                    p.quadTo(s[2 * i], s[2 * i + 1], (s[2 * i] + s[2 * i + 2]) / 2, (s[2 * i + 1] + s[2 * i + 3]) / 2);
                p.lineTo(s[2 * n - 2], s[2 * n - 1]);
                g.draw(p);
            }
        } finally {
            g.dispose();
        }
        return img;
    }
}
