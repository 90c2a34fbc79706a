package dev.simdnet.augment;

import dev.simdnet.data.Dataset;
import dev.simdnet.data.Normalization;
import dev.simdnet.kernel.Parallel;
import dev.simdnet.tensor.Tensor;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Random affine, elastic and stroke-width distortions of small grayscale images, seeded per sample.
 *
 * <p>Each sample's randomness comes from {@code (seed, epoch, sample id)} alone, so a sample looks the same
 * whatever its batch, its position in it, or the number of threads. One resampling pass per image does the
 * affine map and the elastic displacement together: for each output pixel the source point is
 * {@code A^-1 (p + alpha d(p) - c - t) + c}, read bilinearly from a zero-padded copy so the loop has no
 * bounds tests.
 *
 * <p>Elastic fields: Simard's recipe smooths an i.i.d. uniform field with a Gaussian per sample, which costs
 * ~50 multiply-adds per pixel. Here a bank of such fields is smoothed once (periodically, so any cyclic shift
 * of a field is again a field with the same statistics), and each sample takes two of them (x and y) at
 * random cyclic shifts and signs: the same distribution, for the cost of two loads per pixel.
 *
 * <p>Instances are immutable after construction and thread-safe.
 */
public final class Augmenter {
    /** Smoothed fields in the bank; with 784 shifts and 2 signs each, 25k variants per component. */
    private static final int BANK = 16;

    private final AugmentConfig config;
    private final long seed;
    private final int rows, cols;
    /** (BANK, 2 rows, 2 cols): each periodic field tiled twice each way, so a shifted window needs no modulo. */
    private final float[] bank;

    public Augmenter(AugmentConfig config, long seed) {
        this(config, seed, 28, 28);
    }

    public Augmenter(AugmentConfig config, long seed, int rows, int cols) {
        this.config = Objects.requireNonNull(config, "config");
        if (rows < 2 || cols < 2) throw new IllegalArgumentException("images must be at least 2x2, got " + rows + "x" + cols);
        this.seed = seed;
        this.rows = rows;
        this.cols = cols;
        this.bank = config.elastic() ? fieldBank(rows, cols, config.elasticSigma(), seed) : null;
    }

    public AugmentConfig config() { return config; }

    /**
     * Augments images on a [0, 1] scale in place: {@code count} images of {@code rows x cols} from
     * {@code offset}; image {@code b} is sample {@code ids[idsFrom + b]}.
     *
     * @param parallel threads to spread the images over, or null for the calling thread
     */
    public void apply(float[] images, int offset, int count, long epoch, int[] ids, int idsFrom, Parallel parallel) {
        int p = rows * cols;
        Objects.checkFromIndexSize(offset, count * p, images.length);
        Objects.checkFromIndexSize(idsFrom, count, ids.length);
        if (config.isOff()) return;
        run(count, parallel, (from, to) -> {
            Scratch s = new Scratch(rows, cols);
            for (int b = from; b < to; b++) {
                int o = offset + b * p;
                s.load(images, o);
                augmentOne(s, ids[idsFrom + b], epoch);
                System.arraycopy(s.out, 0, images, o, p);
            }
        });
    }

    /**
     * The training batch path: reads images {@code indices[from .. from+count)} of {@code data} (uint8),
     * augments each (sample id = its index in {@code data}), normalizes, and writes them NHWC
     * {@code (count, rows, cols, 1)} into {@code out} from {@code outOffset}. With augmentation off the result is
     * exactly {@link Dataset#fillBatch}'s.
     */
    public void augmentBatch(Dataset data, int[] indices, int from, int count, long epoch, Normalization norm,
                             float[] out, int outOffset, Parallel parallel) {
        if (data.rows() != rows || data.cols() != cols)
            throw new IllegalArgumentException("augmenter made for " + rows + "x" + cols + " images, data set has "
                    + data.rows() + "x" + data.cols());
        Objects.checkFromIndexSize(from, count, indices.length);
        int p = rows * cols;
        Objects.checkFromIndexSize(outOffset, count * p, out.length);
        if (config.isOff()) {
            data.fillBatch(indices, from, count, norm, out, outOffset);
            return;
        }
        byte[] px = data.images();
        // Multiplying by 1/std may differ from Normalization.apply in the last bit; augmented pixels are new
        // values anyway, and the division costs a third of the whole augmentation.
        float mean = norm.mean(), invStd = 1f / norm.std();
        run(count, parallel, (lo, hi) -> {
            Scratch s = new Scratch(rows, cols);
            for (int b = lo; b < hi; b++) {
                int id = indices[from + b];
                Objects.checkIndex(id, data.n());
                s.loadBytes(px, id * p);
                augmentOne(s, id, epoch);
                int o = outOffset + b * p;
                for (int k = 0; k < p; k++) out[o + k] = (s.out[k] - mean) * invStd;
            }
        });
    }

    /** {@link #augmentBatch} into a new tensor {@code (count, rows, cols, 1)}. */
    public Tensor batch(Dataset data, int[] indices, int from, int count, long epoch, Normalization norm, Parallel parallel) {
        Tensor t = Tensor.zeros(count, rows, cols, 1);
        augmentBatch(data, indices, from, count, epoch, norm, t.data(), t.offset(), parallel);
        return t;
    }

    private static void run(int count, Parallel parallel, Parallel.RangeBody body) {
        if (parallel == null) body.run(0, count);
        else parallel.forRange(count, 8, body);
    }

    /** Per-task buffers: the zero-padded source and the output of one image. */
    private static final class Scratch {
        final int rows, cols, stride;
        /** (rows + 3, cols + 3): one zero pixel before, two after, so clamped coordinates in [-1, n] read zeros. */
        final float[] padded;
        final float[] out, tmp;

        Scratch(int rows, int cols) {
            this.rows = rows;
            this.cols = cols;
            this.stride = cols + 3;
            this.padded = new float[(rows + 3) * stride];
            this.out = new float[rows * cols];
            this.tmp = new float[rows * cols];
        }

        void load(float[] src, int off) {
            for (int y = 0; y < rows; y++) System.arraycopy(src, off + y * cols, padded, (y + 1) * stride + 1, cols);
        }

        void loadBytes(byte[] src, int off) {
            for (int y = 0; y < rows; y++) {
                int d = (y + 1) * stride + 1, s = off + y * cols;
                for (int x = 0; x < cols; x++) padded[d + x] = (src[s + x] & 0xff) * (1f / 255f);
            }
        }
    }

    /** The sample's own generator: a hash of (seed, epoch, id), so no state is shared between samples. */
    static SplittableRandom sampleRandom(long seed, long epoch, long id) {
        long h = mix(seed ^ mix(epoch * 0x9E3779B97F4A7C15L + mix(id + 0x632BE59BD9B4E019L)));
        return new SplittableRandom(h);
    }

    /** Stafford's variant 13 of the SplitMix64 finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Draws the sample's distortions and applies them: padded source in {@code s}, result in {@code s.out}. */
    private void augmentOne(Scratch s, int id, long epoch) {
        SplittableRandom rng = sampleRandom(seed, epoch, id);
        AugmentConfig c = config;
        // Draw every amount even when its distortion is off, so turning one on does not reshuffle the others.
        double angle = Math.toRadians(c.rotationDeg()) * (2 * rng.nextDouble() - 1);
        double scale = 1 + c.scale() * (2 * rng.nextDouble() - 1);
        double shear = Math.tan(Math.toRadians(c.shearDeg()) * (2 * rng.nextDouble() - 1));
        double tx = c.translatePx() * (2 * rng.nextDouble() - 1);
        double ty = c.translatePx() * (2 * rng.nextDouble() - 1);
        int fieldX = rng.nextInt(BANK), fieldY = rng.nextInt(BANK);
        int shiftX = rng.nextInt(rows * cols), shiftY = rng.nextInt(rows * cols);
        boolean flipX = rng.nextBoolean(), flipY = rng.nextBoolean();
        boolean strokeOn = rng.nextDouble() < c.strokeProbability();
        boolean thicker = rng.nextBoolean();
        float strokeAmount = (float) (c.strokeStrength() * rng.nextDouble());

        if (c.affine() || c.elastic()) {
            // Forward map about the centre: p' = R(angle) Shear(shear) (scale p) + t. Its inverse, row-major:
            // A = [[s cos, s(cos shear - sin)], [s sin, s(sin shear + cos)]], det = s^2.
            double cos = Math.cos(angle), sin = Math.sin(angle);
            double a = scale * cos, b = scale * (cos * shear - sin), cc = scale * sin, d = scale * (sin * shear + cos);
            double det = a * d - b * cc;
            float[] inv = {(float) (d / det), (float) (-b / det), (float) (-cc / det), (float) (a / det)};
            float alpha = c.elastic() ? c.elasticAlpha() : 0f;
            // Window origins in the tiled fields: a cyclic shift (shift / cols, shift % cols) of a field.
            int baseX = fieldX * 4 * rows * cols + (shiftX / cols) * 2 * cols + shiftX % cols;
            int baseY = fieldY * 4 * rows * cols + (shiftY / cols) * 2 * cols + shiftY % cols;
            warp(s.padded, rows, cols, inv, (float) tx, (float) ty, bank, alpha * (flipX ? -1f : 1f), baseX,
                    alpha * (flipY ? -1f : 1f), baseY, s.out);
        } else {
            for (int y = 0; y < rows; y++) System.arraycopy(s.padded, (y + 1) * s.stride + 1, s.out, y * cols, cols);
        }
        if (c.stroke() && strokeOn) strokeWidth(s.out, s.tmp, rows, cols, thicker, strokeAmount);
    }

    /**
     * Resamples {@code padded} ({@code (rows + 3, cols + 3)}, image at (1, 1), zeros around) into {@code out}
     * {@code (rows, cols)}: output pixel p reads the source at {@code inv (p + d(p) - c - t) + c}, bilinearly,
     * zero outside, where c is the image centre and {@code d(p) = (ax fieldX(p), ay fieldY(p))} comes from the
     * tiled {@code bank} windows at {@code baseX}, {@code baseY} (row stride {@code 2 cols}); no field when
     * {@code bank} is null.
     */
    static void warp(float[] padded, int rows, int cols, float[] inv, float tx, float ty,
                     float[] bank, float ax, int baseX, float ay, int baseY, float[] out) {
        int stride = cols + 3, tile = 2 * cols;
        float cx = (cols - 1) * 0.5f, cy = (rows - 1) * 0.5f;
        float i00 = inv[0], i01 = inv[1], i10 = inv[2], i11 = inv[3];
        float maxX = cols, maxY = rows;
        for (int y = 0; y < rows; y++) {
            float py = y - cy - ty;
            int rowX = baseX + y * tile, rowY = baseY + y * tile;
            for (int x = 0; x < cols; x++) {
                float qx = x - cx - tx, qy = py;
                if (bank != null) {
                    qx += ax * bank[rowX + x];
                    qy += ay * bank[rowY + x];
                }
                // Source point, clamped to [-1, n] where the padding reads zero. Plain comparisons: Math.clamp
                // and Math.min/max on floats carry NaN and -0.0 rules that cost 20% of this loop.
                float sx = i00 * qx + i01 * qy + cx, sy = i10 * qx + i11 * qy + cy;
                sx = sx < -1f ? -1f : sx > maxX ? maxX : sx;
                sy = sy < -1f ? -1f : sy > maxY ? maxY : sy;
                int x0 = (int) (sx + 1f) - 1, y0 = (int) (sy + 1f) - 1; // floor, as sx, sy >= -1
                float fx = sx - x0, fy = sy - y0;
                int k = (y0 + 1) * stride + x0 + 1;
                float top = padded[k] + fx * (padded[k + 1] - padded[k]);
                float bottom = padded[k + stride] + fx * (padded[k + stride + 1] - padded[k + stride]);
                out[y * cols + x] = top + fy * (bottom - top);
            }
        }
    }

    /**
     * Blends the image toward its grayscale dilation (thicker) or erosion (thinner) by a 3x3 cross:
     * {@code x + amount (morph(x) - x)}. Outside the image counts as background (0).
     */
    static void strokeWidth(float[] img, float[] tmp, int rows, int cols, boolean thicker, float amount) {
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < cols; x++) {
                int i = y * cols + x;
                float v = img[i];
                float up = y > 0 ? img[i - cols] : 0f, down = y < rows - 1 ? img[i + cols] : 0f;
                float left = x > 0 ? img[i - 1] : 0f, right = x < cols - 1 ? img[i + 1] : 0f;
                float m = thicker ? Math.max(v, Math.max(Math.max(up, down), Math.max(left, right)))
                        : Math.min(v, Math.min(Math.min(up, down), Math.min(left, right)));
                tmp[i] = v + amount * (m - v);
            }
        System.arraycopy(tmp, 0, img, 0, rows * cols);
    }

    /**
     * {@code BANK} fields, each i.i.d. uniform [-1, 1] smoothed by a periodic Gaussian of {@code sigma} (weights
     * summing to 1, as Simard's), stored tiled 2x2: {@code (BANK, 2 rows, 2 cols)}.
     */
    static float[] fieldBank(int rows, int cols, float sigma, long seed) {
        SplittableRandom rng = new SplittableRandom(mix(seed ^ 0x5DEECE66DL));
        int radius = (int) Math.ceil(3 * sigma);
        float[] g = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += g[i + radius] = (float) Math.exp(-0.5 * i * i / (sigma * sigma));
        for (int i = 0; i < g.length; i++) g[i] /= (float) sum;
        int n = rows * cols;
        float[] bank = new float[BANK * 4 * n];
        float[] raw = new float[n], tmp = new float[n];
        for (int f = 0; f < BANK; f++) {
            for (int i = 0; i < n; i++) raw[i] = (float) (2 * rng.nextDouble() - 1);
            // Rows, then columns, wrapping around: a periodic field.
            for (int y = 0; y < rows; y++)
                for (int x = 0; x < cols; x++) {
                    float acc = 0;
                    for (int k = -radius; k <= radius; k++) acc += g[k + radius] * raw[y * cols + Math.floorMod(x + k, cols)];
                    tmp[y * cols + x] = acc;
                }
            int base = f * 4 * n;
            for (int y = 0; y < rows; y++)
                for (int x = 0; x < cols; x++) {
                    float acc = 0;
                    for (int k = -radius; k <= radius; k++) acc += g[k + radius] * tmp[Math.floorMod(y + k, rows) * cols + x];
                    for (int ty = 0; ty < 2; ty++)
                        for (int tx = 0; tx < 2; tx++) bank[base + (y + ty * rows) * 2 * cols + x + tx * cols] = acc;
                }
        }
        return bank;
    }
}
