package dev.simdnet.augment;

import static dev.simdnet.testing.SameBits.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.simdnet.data.Dataset;
import dev.simdnet.data.Normalization;
import dev.simdnet.data.TestData;
import dev.simdnet.kernel.Parallel;
import dev.simdnet.model.Model;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StrokeRedrawTest {
    private static final int N = 28;

    /** A line drawn with the redraw's own brush, {@code width} px wide. */
    private static float[] line(float ax, float ay, float bx, float by, float width) {
        float[] img = new float[N * N];
        StrokeRedraw.segment(img, N, N, ax, ay, bx, by, width / 2);
        return img;
    }

    private static boolean[] ink(float[] img) {
        boolean[] b = new boolean[img.length];
        for (int i = 0; i < img.length; i++) b[i] = img[i] >= StrokeRedraw.INK;
        return b;
    }

    private static int count(boolean[] b) {
        int n = 0;
        for (boolean v : b) if (v) n++;
        return n;
    }

    /** No 2x2 block all set: one pixel wide. */
    private static boolean onePixelWide(boolean[] b) {
        for (int y = 0; y + 1 < N; y++)
            for (int x = 0; x + 1 < N; x++)
                if (b[y * N + x] && b[y * N + x + 1] && b[(y + 1) * N + x] && b[(y + 1) * N + x + 1]) return false;
        return true;
    }

    /** Connected components of the set pixels (8-connected) or, with {@code background}, of the unset ones (4-connected). */
    private static int components(boolean[] b, boolean background) {
        boolean[] seen = new boolean[b.length];
        int n = 0;
        int[][] steps = background ? new int[][] {{1, 0}, {-1, 0}, {0, 1}, {0, -1}}
                : new int[][] {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
        for (int s = 0; s < b.length; s++) {
            if (b[s] == background || seen[s]) continue;
            n++;
            ArrayDeque<Integer> q = new ArrayDeque<>();
            q.add(s);
            seen[s] = true;
            while (!q.isEmpty()) {
                int i = q.poll(), x = i % N, y = i / N;
                for (int[] d : steps) {
                    int nx = x + d[0], ny = y + d[1];
                    if (nx < 0 || ny < 0 || nx >= N || ny >= N) continue;
                    int j = ny * N + nx;
                    if (b[j] != background && !seen[j]) {
                        seen[j] = true;
                        q.add(j);
                    }
                }
            }
        }
        return n;
    }

    @Test
    void theSkeletonOfADrawnLineIsOnePixelWideConnectedAndOnTheLine() {
        for (float[] l : new float[][] {{4, 14, 23, 14}, {14, 3, 14, 24}, {5, 5, 22, 22}, {6, 22, 21, 4}, {4, 9, 24, 18}})
            for (float width : new float[] {2, 3.5f, 5}) {
                boolean[] drawn = ink(line(l[0], l[1], l[2], l[3], width));
                boolean[] skeleton = StrokeRedraw.thin(drawn, N, N);
                String what = "line " + java.util.Arrays.toString(l) + " of width " + width;
                assertThat(onePixelWide(skeleton)).as(what + ": one pixel wide").isTrue();
                assertThat(components(skeleton, false)).as(what + ": connected").isEqualTo(1);
                double length = Math.hypot(l[2] - l[0], l[3] - l[1]), steps = Math.max(Math.abs(l[2] - l[0]), Math.abs(l[3] - l[1]));
                // One pixel per step along the longer axis (no staircase); thinning shortens each end by up to half the width.
                assertThat(count(skeleton)).as(what + ": its length").isBetween((int) (steps - width), (int) steps + 2);
                for (int i = 0; i < skeleton.length; i++) {
                    if (!skeleton[i]) continue;
                    double px = i % N - l[0], py = i / N - l[1], dx = l[2] - l[0], dy = l[3] - l[1];
                    double dist = Math.abs(px * dy - py * dx) / length;
                    assertThat(dist).as(what + ": pixel " + i + " on the line").isLessThanOrEqualTo(1.0);
                }
            }
    }

    @Test
    void thinningKeepsTheShapesTopology() {
        // A ring (a drawn 0) stays one closed loop: one component, and the background split in two (inside, outside).
        float[] ring = new float[N * N];
        for (int k = 0; k < 40; k++) {
            double a = 2 * Math.PI * k / 40, b = 2 * Math.PI * (k + 1) / 40;
            StrokeRedraw.segment(ring, N, N, (float) (14 + 8 * Math.cos(a)), (float) (14 + 10 * Math.sin(a)),
                    (float) (14 + 8 * Math.cos(b)), (float) (14 + 10 * Math.sin(b)), 2f);
        }
        boolean[] skeleton = StrokeRedraw.thin(ink(ring), N, N);
        assertThat(components(skeleton, false)).isEqualTo(1);
        assertThat(components(skeleton, true)).isEqualTo(2);
        assertThat(onePixelWide(skeleton)).isTrue();
        // An already thin shape is left as it is; an empty one stays empty.
        boolean[] thin = StrokeRedraw.thin(ink(line(3, 14, 24, 14, 1)), N, N);
        assertThat(StrokeRedraw.thin(thin, N, N)).isEqualTo(thin);
        assertThat(count(StrokeRedraw.thin(new boolean[N * N], N, N))).isZero();
        assertThatThrownBy(() -> StrokeRedraw.thin(new boolean[10], N, N)).hasMessageContaining("10 pixels for 28x28");
    }

    @Test
    void theRedrawHasTheBrushWidthItDrew() {
        StrokeRedraw.Settings noJitter = new StrokeRedraw.Settings(1, 3, 3, 0);
        float[] img = line(4, 14, 24, 14, 5); // a 5 px line, redrawn 3 px wide
        assertThat(StrokeRedraw.redraw(img, N, N, new SplittableRandom(1), noJitter)).isTrue();
        double ink = 0;
        for (int y = 0; y < N; y++) ink += img[y * N + 14];
        assertThat(ink).as("ink across the middle of the line").isBetween(2.5, 3.5);
        // Too little ink for a skeleton: the image is left untouched.
        float[] speck = new float[N * N];
        speck[14 * N + 14] = 1;
        float[] copy = speck.clone();
        assertThat(StrokeRedraw.redraw(speck, N, N, new SplittableRandom(1), noJitter)).isFalse();
        assertThat(speck).isEqualTo(copy);
    }

    @Test
    void aRedrawnDigitIsStillReadAsItsDigit() throws Exception {
        // The bundled model reads the test digits before and after the redraw: the redraw keeps the digit's shape.
        // Measured with the model bundled before issue 12: 499 of 500 before, 483 after (482 and 481 with seeds 8 and
        // 9); with the pen-trained bundle of issue 12 (never trained on redraws either): 495 before, 480 after (476, 476).
        Dataset test = TestData.mnistTest();
        int n = 500;
        int[] ids = IntStream.range(0, n).map(i -> i * 19).toArray();
        float[] before = new float[n * 784];
        test.fillBatch(ids, 0, n, Normalization.IDENTITY, before, 0);
        float[] after = before.clone();
        new StrokeRedraw(new StrokeRedraw.Settings(1, 1.3f, 3.5f, 0.8f), 7, N, N).apply(after, 0, n, 0, ids, 0, null);
        Model model = Model.bundled();
        java.util.List<float[]> a = new java.util.ArrayList<>(), b = new java.util.ArrayList<>();
        int changed = 0;
        for (int i = 0; i < n; i++) {
            a.add(java.util.Arrays.copyOfRange(before, i * 784, (i + 1) * 784));
            b.add(java.util.Arrays.copyOfRange(after, i * 784, (i + 1) * 784));
            if (!java.util.Arrays.equals(a.getLast(), b.getLast())) changed++;
        }
        var pa = model.predictAll(a);
        var pb = model.predictAll(b);
        int rightBefore = 0, rightAfter = 0;
        for (int i = 0; i < n; i++) {
            if (pa.get(i).index() == test.label(ids[i])) rightBefore++;
            if (pb.get(i).index() == test.label(ids[i])) rightAfter++;
        }
        assertThat(changed).as("digits redrawn").isGreaterThanOrEqualTo(n - 2);
        assertThat(rightBefore).isGreaterThanOrEqualTo(n * 97 / 100);
        assertThat(rightAfter).as("read after the redraw, of " + n).isGreaterThanOrEqualTo(n * 95 / 100);
    }

    @Test
    void eachSampleIsRedrawnTheSameWhateverItsBatchOrThreads() {
        Dataset test = TestData.mnistTest();
        int n = 64;
        int[] ids = IntStream.range(0, n).map(i -> i * 151).toArray();
        float[] base = new float[n * 784];
        test.fillBatch(ids, 0, n, Normalization.IDENTITY, base, 0);
        StrokeRedraw r = new StrokeRedraw(StrokeRedraw.Settings.CANVAS, 3, N, N);
        float[] serial = base.clone(), threaded = base.clone(), again = base.clone(), otherEpoch = base.clone();
        r.apply(serial, 0, n, 2, ids, 0, null);
        try (Parallel p = new Parallel(2)) {
            r.apply(threaded, 0, n, 2, ids, 0, p);
        }
        new StrokeRedraw(StrokeRedraw.Settings.CANVAS, 3, N, N).apply(again, 0, n, 2, ids, 0, null);
        r.apply(otherEpoch, 0, n, 3, ids, 0, null);
        assertSameBits("two threads", threaded, serial);
        assertSameBits("the same seed again", again, serial);
        // Image 5 alone, as the first of a batch of one: the same pixels.
        float[] one = java.util.Arrays.copyOfRange(base, 5 * 784, 6 * 784);
        r.apply(one, 0, 1, 2, ids, 5, null);
        assertSameBits("image 5 alone", one, java.util.Arrays.copyOfRange(serial, 5 * 784, 6 * 784));
        int redrawn = 0, differ = 0;
        for (int i = 0; i < n; i++) {
            var s = java.util.Arrays.copyOfRange(serial, i * 784, (i + 1) * 784);
            if (!java.util.Arrays.equals(s, java.util.Arrays.copyOfRange(base, i * 784, (i + 1) * 784))) redrawn++;
            if (!java.util.Arrays.equals(s, java.util.Arrays.copyOfRange(otherEpoch, i * 784, (i + 1) * 784))) differ++;
        }
        assertThat(redrawn).as("about half redrawn (probability 0.5), of " + n).isBetween(n / 4, 3 * n / 4);
        assertThat(differ).as("another epoch draws others").isGreaterThan(n / 4);
        assertThatThrownBy(() -> new StrokeRedraw.Settings(1.5f, 1, 2, 0)).hasMessageContaining("probability");
        assertThatThrownBy(() -> new StrokeRedraw.Settings(0.5f, 3, 2, 0)).hasMessageContaining("minWidth");
    }
}
