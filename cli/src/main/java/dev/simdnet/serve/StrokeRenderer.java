package dev.simdnet.serve;

import dev.simdnet.data.CanvasBrush;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws strokes the way the page's canvas does, so a drawing sent as strokes is read exactly as the same drawing
 * sent as a picture: the trainer's {@link CanvasBrush} (black ink on white, a round brush {@link #BRUSH_FRACTION}
 * of the canvas' shorter side wide, quadratic curves through the midpoints; app.js draws with the same rule and
 * gets the fraction from {@code /api/models}), which also renders the pen digits the bundled model learns from.
 */
public final class StrokeRenderer {
    /** Brush diameter over the canvas' shorter side: {@link CanvasBrush#BRUSH_FRACTION}, 20 px on the page's 280 px canvas. */
    public static final double BRUSH_FRACTION = CanvasBrush.BRUSH_FRACTION;

    private StrokeRenderer() {}

    /** One stroke: its points as {@code xs[i], ys[i]} in canvas pixels, y pointing down. */
    public record Stroke(float[] xs, float[] ys) {
        public Stroke {
            if (xs.length != ys.length || xs.length == 0) throw new IllegalArgumentException("a stroke needs one or more (x, y) points");
        }
    }

    public static double brushWidth(int width, int height) {
        return CanvasBrush.brushWidth(width, height);
    }

    /** The drawing on a white {@code width x height} canvas, grey levels (TYPE_BYTE_GRAY): {@link CanvasBrush}'s. */
    public static BufferedImage render(List<Stroke> strokes, int width, int height) {
        List<float[]> xy = new ArrayList<>(strokes.size());
        for (Stroke s : strokes) {
            float[] pts = new float[2 * s.xs().length];
            for (int i = 0; i < s.xs().length; i++) {
                pts[2 * i] = s.xs()[i];
                pts[2 * i + 1] = s.ys()[i];
            }
            xy.add(pts);
        }
        return CanvasBrush.render(xy, width, height);
    }
}
