package dev.simdnet.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The pendigits pen trajectories (UNIPEN text, see shared/data/pendigits/README.md) for replaying on the page:
 * each digit's strokes with y flipped (the tablet's y points up) and scaled so the digit's longer side spans
 * {@link #SPAN} of the canvas, centred. benchmarks/pendigits_client.py places them the same way.
 */
record PenDigits(int label, List<float[][]> strokes) {
    static final double SPAN = 0.7;

    static List<PenDigits> read(Path file) throws IOException {
        List<PenDigits> out = new ArrayList<>();
        Integer label = null;
        List<float[][]> strokes = new ArrayList<>();
        List<float[]> stroke = null;
        for (String line : Files.readAllLines(file)) {
            String t = line.strip();
            if (t.isEmpty()) continue;
            if (t.startsWith(".SEGMENT")) {
                if (label != null) out.add(new PenDigits(label, strokes));
                String[] parts = t.split("\\s+");
                label = Integer.parseInt(parts[parts.length - 1].replace("\"", ""));
                strokes = new ArrayList<>();
            } else if (t.startsWith(".PEN_DOWN")) {
                stroke = new ArrayList<>();
            } else if (t.startsWith(".PEN_UP")) {
                if (stroke != null && !stroke.isEmpty()) strokes.add(stroke.toArray(float[][]::new));
                stroke = null;
            } else if (stroke != null && !t.startsWith(".")) {
                String[] xy = t.split("\\s+");
                stroke.add(new float[] {Float.parseFloat(xy[0]), Float.parseFloat(xy[1])});
            }
        }
        if (label != null) out.add(new PenDigits(label, strokes));
        return out;
    }

    /** The strokes in canvas pixels ({@code side x side}, y down): [stroke][point][x or y]. */
    double[][][] onCanvas(int side) {
        double x0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (float[][] s : strokes)
            for (float[] p : s) {
                x0 = Math.min(x0, p[0]);
                x1 = Math.max(x1, p[0]);
                y0 = Math.min(y0, p[1]);
                y1 = Math.max(y1, p[1]);
            }
        double scale = SPAN * side / Math.max(Math.max(x1 - x0, y1 - y0), 1.0);
        double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
        double[][][] out = new double[strokes.size()][][];
        for (int i = 0; i < out.length; i++) {
            float[][] s = strokes.get(i);
            out[i] = new double[s.length][];
            for (int j = 0; j < s.length; j++)
                out[i][j] = new double[] {side / 2.0 + (s[j][0] - cx) * scale, side / 2.0 - (s[j][1] - cy) * scale};
        }
        return out;
    }

    /** {@code perClass} digits of each class, spread evenly over the file (so over many writers). */
    static List<PenDigits> spread(List<PenDigits> all, int perClass) {
        List<PenDigits> out = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            final int cls = c;
            List<PenDigits> of = all.stream().filter(d -> d.label() == cls).toList();
            for (int k = 0; k < perClass && k < of.size(); k++) out.add(of.get((int) ((long) k * of.size() / perClass)));
        }
        return out;
    }
}
