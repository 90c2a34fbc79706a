package dev.simdnet.data;

/**
 * Area resampling of grey pictures (Pillow's BOX filter, OpenCV's INTER_AREA when shrinking): each output pixel is
 * the mean of the source pixels it covers, weighted by how much of each it covers. It averages away detail when
 * shrinking instead of aliasing, stretches a picture to the new aspect ratio, and leaves a picture already at the
 * target size exactly as it was.
 */
final class Resize {
    private Resize() {}

    /** {@code src} ({@code sw x sh} values 0..255, row-major) resampled to {@code dw x dh} bytes. */
    static byte[] grey(int[] src, int sw, int sh, int dw, int dh) {
        byte[] out = new byte[dw * dh];
        if (sw == dw && sh == dh) {
            for (int i = 0; i < out.length; i++) out[i] = (byte) src[i];
            return out;
        }
        Taps xs = Taps.of(sw, dw), ys = Taps.of(sh, dh);
        float[] rows = new float[sh * dw];                       // horizontal pass first
        for (int y = 0; y < sh; y++)
            for (int x = 0; x < dw; x++) {
                float s = 0;
                for (int t = 0; t < xs.count[x]; t++) s += xs.weight[x][t] * src[y * sw + xs.first[x] + t];
                rows[y * dw + x] = s;
            }
        for (int y = 0; y < dh; y++)
            for (int x = 0; x < dw; x++) {
                float s = 0;
                for (int t = 0; t < ys.count[y]; t++) s += ys.weight[y][t] * rows[(ys.first[y] + t) * dw + x];
                out[y * dw + x] = (byte) Math.clamp(Math.round(s), 0, 255);
            }
        return out;
    }

    /** For each output index along one axis: the first source index it covers, how many, and their weights (sum 1). */
    private record Taps(int[] first, int[] count, float[][] weight) {
        static Taps of(int source, int target) {
            int[] first = new int[target], count = new int[target];
            float[][] weight = new float[target][];
            double scale = (double) source / target;
            for (int o = 0; o < target; o++) {
                double lo = o * scale, hi = (o + 1) * scale;
                int a = (int) Math.floor(lo), b = Math.min(source, (int) Math.ceil(hi));
                first[o] = a;
                count[o] = b - a;
                weight[o] = new float[b - a];
                for (int i = a; i < b; i++) weight[o][i - a] = (float) ((Math.min(hi, i + 1) - Math.max(lo, i)) / scale);
            }
            return new Taps(first, count, weight);
        }
    }
}
