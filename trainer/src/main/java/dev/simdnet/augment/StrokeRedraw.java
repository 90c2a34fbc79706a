package dev.simdnet.augment;

import dev.simdnet.kernel.Parallel;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Stroke-domain augmentation: a scanned digit redrawn as a canvas draws it. MNIST's strokes are pen-pressure
 * strokes of uneven width; a canvas draws one even width with a round brush. So each chosen image is thinned to its
 * skeleton (Zhang and Suen's parallel thinning, 1984), the skeleton is moved by a smooth random displacement (the
 * hand's jitter), and redrawn with a round, antialiased brush of a random width.
 *
 * <p>Widths are those the classify preprocessing produces from canvas drawings: a 15-25 px brush on a 280 px canvas,
 * the digit 45-80% of it, scaled into MNIST's 20 px box, is a stroke 1.3 to 3.5 px wide in the 28 x 28 image.
 *
 * <p>Each sample's randomness comes from {@code (seed, epoch, sample id)} alone, as {@link Augmenter}'s (with another
 * salt), so the thread count and the batch change nothing. Instances are immutable and thread-safe.
 */
public final class StrokeRedraw {
    /**
     * @param probability chance that a sample is redrawn, [0, 1]
     * @param minWidth    thinnest brush diameter, pixels of the image
     * @param maxWidth    thickest brush diameter
     * @param jitter      largest displacement of the skeleton, pixels (two smooth waves, one per axis)
     */
    public record Settings(float probability, float minWidth, float maxWidth, float jitter) {
        /** Half the images, canvas widths, under a pixel of jitter. */
        public static final Settings CANVAS = new Settings(0.5f, 1.3f, 3.5f, 0.8f);

        public Settings {
            if (!(probability >= 0 && probability <= 1)) throw new IllegalArgumentException("probability must be in [0, 1], got " + probability);
            if (!(minWidth >= 0.5f && minWidth <= maxWidth && maxWidth <= 8))
                throw new IllegalArgumentException("need 0.5 <= minWidth <= maxWidth <= 8 px, got " + minWidth + ", " + maxWidth);
            if (!(jitter >= 0 && jitter <= 4)) throw new IllegalArgumentException("jitter must be in [0, 4] px, got " + jitter);
        }
    }

    /** Pixels at or above this (on [0, 1]) are ink for the thinning: MNIST's cores are near 1, its soft edges below. */
    static final float INK = 0.4f;
    /** A skeleton of fewer pixels is a speck, not a digit: the image is left as it is. */
    private static final int MIN_SKELETON = 4;
    private static final long SALT = 0x5EED_D4A3L;

    private final Settings settings;
    private final long seed;
    private final int rows, cols;

    public StrokeRedraw(Settings settings, long seed, int rows, int cols) {
        this.settings = Objects.requireNonNull(settings, "settings");
        if (rows < 3 || cols < 3) throw new IllegalArgumentException("images must be at least 3x3, got " + rows + "x" + cols);
        this.seed = seed;
        this.rows = rows;
        this.cols = cols;
    }

    public Settings settings() { return settings; }

    /**
     * Redraws, in place, the chosen ones of {@code count} images on a [0, 1] scale from {@code offset}; image
     * {@code b} is sample {@code ids[idsFrom + b]}.
     *
     * @param parallel threads to spread the images over, or null for the calling thread
     */
    public void apply(float[] images, int offset, int count, long epoch, int[] ids, int idsFrom, Parallel parallel) {
        int p = rows * cols;
        Objects.checkFromIndexSize(offset, count * p, images.length);
        Objects.checkFromIndexSize(idsFrom, count, ids.length);
        if (settings.probability() == 0) return;
        Parallel.RangeBody body = (from, to) -> {
            float[] img = new float[p];
            for (int b = from; b < to; b++) {
                SplittableRandom rng = Augmenter.sampleRandom(seed ^ SALT, epoch, ids[idsFrom + b]);
                if (rng.nextDouble() >= settings.probability()) continue;
                System.arraycopy(images, offset + b * p, img, 0, p);
                if (redraw(img, rows, cols, rng, settings)) System.arraycopy(img, 0, images, offset + b * p, p);
            }
        };
        if (parallel == null) body.run(0, count);
        else parallel.forRange(count, 8, body);
    }

    /**
     * Thins {@code img} ({@code rows x cols}, [0, 1]) and redraws it in place with a brush and a jitter drawn from
     * {@code rng}; false (image untouched) when it holds too little ink to have a skeleton.
     */
    static boolean redraw(float[] img, int rows, int cols, SplittableRandom rng, Settings s) {
        float width = s.minWidth() + (float) rng.nextDouble() * (s.maxWidth() - s.minWidth());
        // Jitter: per axis a sine wave across the image, of 0.3 to 1.2 periods, random direction and phase.
        float[] wave = new float[8];
        for (int axis = 0; axis < 2; axis++) {
            double amp = s.jitter() * rng.nextDouble(), angle = 2 * Math.PI * rng.nextDouble();
            double k = 2 * Math.PI * (0.3 + 0.9 * rng.nextDouble()) / Math.max(rows, cols);
            wave[4 * axis] = (float) amp;
            wave[4 * axis + 1] = (float) (k * Math.cos(angle));
            wave[4 * axis + 2] = (float) (k * Math.sin(angle));
            wave[4 * axis + 3] = (float) (2 * Math.PI * rng.nextDouble());
        }
        boolean[] ink = new boolean[rows * cols];
        for (int i = 0; i < ink.length; i++) ink[i] = img[i] >= INK;
        boolean[] skeleton = thin(ink, rows, cols);
        int n = 0;
        for (boolean b : skeleton) if (b) n++;
        if (n < MIN_SKELETON) return false;
        // Skeleton points, displaced.
        float[] px = new float[rows * cols], py = new float[rows * cols];
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < cols; x++) {
                int i = y * cols + x;
                px[i] = x + wave[0] * (float) Math.sin(wave[1] * x + wave[2] * y + wave[3]);
                py[i] = y + wave[4] * (float) Math.sin(wave[5] * x + wave[6] * y + wave[7]);
            }
        java.util.Arrays.fill(img, 0f);
        float r = width / 2;
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < cols; x++) {
                int i = y * cols + x;
                if (!skeleton[i]) continue;
                boolean joined = false;
                // Each 8-neighbour pair once: east, south-west, south, south-east.
                int[][] next = {{1, 0}, {-1, 1}, {0, 1}, {1, 1}};
                for (int[] d : next) {
                    int nx = x + d[0], ny = y + d[1];
                    if (nx < 0 || nx >= cols || ny >= rows || !skeleton[ny * cols + nx]) continue;
                    int j = ny * cols + nx;
                    segment(img, rows, cols, px[i], py[i], px[j], py[j], r);
                    joined = true;
                }
                if (!joined) segment(img, rows, cols, px[i], py[i], px[i], py[i], r); // an end or a dot
            }
        return true;
    }

    /**
     * Draws the segment (ax, ay)-(bx, by) with a round brush of radius {@code r}, antialiased over one pixel:
     * each pixel takes the larger of its value and {@code clamp(r + 0.5 - distance, 0, 1)}.
     */
    static void segment(float[] img, int rows, int cols, float ax, float ay, float bx, float by, float r) {
        int x0 = Math.max(0, (int) Math.floor(Math.min(ax, bx) - r - 1)), x1 = Math.min(cols - 1, (int) Math.ceil(Math.max(ax, bx) + r + 1));
        int y0 = Math.max(0, (int) Math.floor(Math.min(ay, by) - r - 1)), y1 = Math.min(rows - 1, (int) Math.ceil(Math.max(ay, by) + r + 1));
        float dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++) {
                float t = len2 == 0 ? 0 : Math.clamp(((x - ax) * dx + (y - ay) * dy) / len2, 0f, 1f);
                float ex = x - (ax + t * dx), ey = y - (ay + t * dy);
                float v = r + 0.5f - (float) Math.sqrt(ex * ex + ey * ey);
                if (v <= 0) continue;
                int i = y * cols + x;
                img[i] = Math.max(img[i], Math.min(1f, v));
            }
    }

    /**
     * Zhang-Suen thinning of a binary image ({@code rows x cols}, true = ink, outside = background): the two
     * sub-iterations alternate, each deleting in parallel the border pixels whose removal keeps the shape connected
     * and does not shorten its ends, until nothing changes. The result is one pixel wide and as connected as the input.
     */
    public static boolean[] thin(boolean[] ink, int rows, int cols) {
        if (ink.length != rows * cols) throw new IllegalArgumentException(ink.length + " pixels for " + rows + "x" + cols);
        boolean[] img = ink.clone();
        boolean[] delete = new boolean[img.length];
        int[] p = new int[9]; // p[1..8] = P2..P9: north, then clockwise
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int pass = 0; pass < 2; pass++) {
                java.util.Arrays.fill(delete, false);
                boolean any = false;
                for (int y = 0; y < rows; y++)
                    for (int x = 0; x < cols; x++) {
                        if (!img[y * cols + x]) continue;
                        p[1] = at(img, rows, cols, x, y - 1);
                        p[2] = at(img, rows, cols, x + 1, y - 1);
                        p[3] = at(img, rows, cols, x + 1, y);
                        p[4] = at(img, rows, cols, x + 1, y + 1);
                        p[5] = at(img, rows, cols, x, y + 1);
                        p[6] = at(img, rows, cols, x - 1, y + 1);
                        p[7] = at(img, rows, cols, x - 1, y);
                        p[8] = at(img, rows, cols, x - 1, y - 1);
                        int b = 0, a = 0;
                        for (int k = 1; k <= 8; k++) {
                            b += p[k];
                            if (p[k] == 0 && p[k % 8 + 1] == 1) a++; // 0 -> 1 transitions around the ring
                        }
                        if (b < 2 || b > 6 || a != 1) continue;
                        // P2 = p[1], P4 = p[3], P6 = p[5], P8 = p[7]
                        boolean ok = pass == 0 ? p[1] * p[3] * p[5] == 0 && p[3] * p[5] * p[7] == 0
                                : p[1] * p[3] * p[7] == 0 && p[1] * p[5] * p[7] == 0;
                        if (ok) {
                            delete[y * cols + x] = true;
                            any = true;
                        }
                    }
                if (any) {
                    for (int i = 0; i < img.length; i++) if (delete[i]) img[i] = false;
                    changed = true;
                }
            }
        }
        removeStairs(img, rows, cols);
        return img;
    }

    /**
     * Zhang-Suen leaves staircases on slanted strokes: a pixel whose two perpendicular 4-neighbours (north and east,
     * say) touch each other diagonally anyway. Such a pixel is removed, one at a time, when it is simple (Yokoi's
     * 8-connectivity number is 1, so removing it splits nothing and closes no hole): the stroke becomes a minimal
     * 8-connected path, one pixel per step.
     */
    private static void removeStairs(boolean[] img, int rows, int cols) {
        int[] r = new int[8]; // E, NE, N, NW, W, SW, S, SE
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < cols; x++) {
                if (!img[y * cols + x]) continue;
                r[0] = at(img, rows, cols, x + 1, y);
                r[1] = at(img, rows, cols, x + 1, y - 1);
                r[2] = at(img, rows, cols, x, y - 1);
                r[3] = at(img, rows, cols, x - 1, y - 1);
                r[4] = at(img, rows, cols, x - 1, y);
                r[5] = at(img, rows, cols, x - 1, y + 1);
                r[6] = at(img, rows, cols, x, y + 1);
                r[7] = at(img, rows, cols, x + 1, y + 1);
                boolean corner = false;
                for (int k = 0; k < 8; k += 2) corner |= r[k] == 1 && r[(k + 2) % 8] == 1;
                if (!corner) continue;
                int yokoi = 0; // 8-connectivity number: sum over k in {E, N, W, S} of ~a_k - ~a_k ~a_k+1 ~a_k+2
                for (int k = 0; k < 8; k += 2) {
                    int a = 1 - r[k], b = 1 - r[(k + 1) % 8], c = 1 - r[(k + 2) % 8];
                    yokoi += a - a * b * c;
                }
                if (yokoi == 1) img[y * cols + x] = false;
            }
    }

    private static int at(boolean[] img, int rows, int cols, int x, int y) {
        return x >= 0 && x < cols && y >= 0 && y < rows && img[y * cols + x] ? 1 : 0;
    }
}
