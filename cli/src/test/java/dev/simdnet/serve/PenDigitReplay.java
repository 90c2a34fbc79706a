package dev.simdnet.serve;

import dev.simdnet.data.PenDigits;

import java.util.ArrayList;
import java.util.List;

/** Real pen trajectories (the trainer's {@link PenDigits}) placed on the page's canvas, for replay as pointer events. */
public final class PenDigitReplay {
    private PenDigitReplay() {}

    /** The strokes of one digit in canvas pixels ({@code side x side}, y down), its longer side 70% of the canvas. */
    public static double[][][] onCanvas(PenDigits.PenDigit digit, int side) {
        float brush = side * 20f / 280f; // the page's brush; place() only uses it to keep the digit inside
        PenDigits.Placed p = PenDigits.place(digit, new PenDigits.RenderOptions(side, brush, brush, 0.7f, 0.7f), digit.index());
        double[][][] out = new double[p.strokes().size()][][];
        for (int i = 0; i < out.length; i++) {
            float[] s = p.strokes().get(i);
            out[i] = new double[s.length / 2][];
            for (int j = 0; j < s.length / 2; j++) out[i][j] = new double[] {s[2 * j], s[2 * j + 1]};
        }
        return out;
    }

    /** {@code perClass} digits of each class, spread evenly over the file (so over many writers). */
    public static List<PenDigits.PenDigit> spread(List<PenDigits.PenDigit> all, int perClass) {
        List<PenDigits.PenDigit> out = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            final int cls = c;
            List<PenDigits.PenDigit> of = all.stream().filter(d -> d.label() == cls).toList();
            for (int k = 0; k < perClass && k < of.size(); k++) out.add(of.get((int) ((long) k * of.size() / perClass)));
        }
        return out;
    }
}
