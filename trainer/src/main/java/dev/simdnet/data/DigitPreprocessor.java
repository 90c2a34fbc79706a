package dev.simdnet.data;

import dev.simdnet.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns an arbitrary picture of a digit (a phone photo, a canvas drawing, a scan: any size, dark ink on light
 * or light on dark, with or without alpha) into a 28x28 image prepared the way MNIST's digits were:
 * <ol>
 *   <li>ink map 0..255: the alpha channel if the picture has real transparency, else luminance, inverted when
 *       the border (the background) is light; then stretched so the background is 0 and the strongest ink 255;</li>
 *   <li>too little (or too much) ink: no digit, with the reason, never a class;</li>
 *   <li>crop to the bounding box of the ink above a noise threshold;</li>
 *   <li>scale so the longer side is 20 px, keeping the aspect ratio, by area averaging (each output pixel is
 *       the mean of the source area it covers, so a 280 px drawing is downsampled without aliasing);</li>
 *   <li>paste into 28x28 so the intensity-weighted centre of mass sits at pixel (14, 14), rounded to whole
 *       pixels as MNIST did (a sub-pixel shift would blur);</li>
 *   <li>output on a [0, 1] scale, white ink on black, ready for {@link Normalization}.</li>
 * </ol>
 *
 * <p>Instances are immutable and thread-safe. A picture of random noise has ink nearly everywhere and is
 * rejected as "too much ink"; a photo of a textured surface may be too.
 */
public final class DigitPreprocessor {
    /** Output side and the box the digit is fitted into, as in MNIST. */
    public static final int SIDE = 28, BOX = 20;

    /**
     * Thresholds of the ink tests, all on the 0..255 ink scale.
     *
     * @param minContrast      the strongest ink must differ from the background by at least this, or the
     *                         picture is blank
     * @param inkThreshold     ink above this (after stretching) counts as a stroke pixel, for the ink-amount tests
     * @param cropThreshold    ink at or below this is ignored when finding the bounding box (faint noise, shadows)
     * @param minInkFraction   fewer stroke pixels than this fraction of the picture (and than 4 pixels) is no digit
     * @param maxInkFraction   more stroke pixels than this fraction is no digit either (noise, a photo, wrong polarity)
     * @param maxBorderInkFraction more stroke pixels than this fraction of the outermost ring means the border is
     *                         not a plain background (noise, a photo), so the picture is no digit
     */
    public record Config(int minContrast, int inkThreshold, int cropThreshold, double minInkFraction, double maxInkFraction,
                         double maxBorderInkFraction) {
        public static final Config DEFAULT = new Config(48, 64, 40, 0.0015, 0.5, 0.25);

        public Config {
            if (minContrast < 1 || minContrast > 255) throw new IllegalArgumentException("minContrast must be in [1, 255], got " + minContrast);
            if (inkThreshold < 0 || inkThreshold > 254) throw new IllegalArgumentException("inkThreshold must be in [0, 254], got " + inkThreshold);
            if (cropThreshold < 0 || cropThreshold > 254) throw new IllegalArgumentException("cropThreshold must be in [0, 254], got " + cropThreshold);
            if (!(minInkFraction >= 0 && minInkFraction < maxInkFraction && maxInkFraction <= 1))
                throw new IllegalArgumentException("need 0 <= minInkFraction < maxInkFraction <= 1, got "
                        + minInkFraction + ", " + maxInkFraction);
            if (!(maxBorderInkFraction >= 0 && maxBorderInkFraction <= 1))
                throw new IllegalArgumentException("maxBorderInkFraction must be in [0, 1], got " + maxBorderInkFraction);
        }
    }

    /**
     * The outcome: either {@code digit}, 28x28 floats in [0, 1] (white ink on black, row-major), or null and
     * {@code reason} saying why the picture holds no digit.
     */
    public record Result(float[] digit, String reason) {
        public Result {
            if ((digit == null) == (reason == null))
                throw new IllegalArgumentException("a result has either a digit or a reason, not both or neither");
            if (digit != null && digit.length != SIDE * SIDE)
                throw new IllegalArgumentException("a digit has " + SIDE * SIDE + " pixels, got " + digit.length);
        }

        static Result noDigit(String reason) {
            return new Result(null, reason);
        }

        public boolean isDigit() { return digit != null; }

        /**
         * The digit normalized as a batch of one, {@code (1, 28, 28, 1)}: the same numbers
         * {@link Dataset#fillBatch} gives an image with these pixels. Throws if there is no digit.
         */
        public Tensor toTensor(Normalization norm) {
            if (digit == null) throw new IllegalStateException("no digit to convert: " + reason);
            Tensor t = Tensor.zeros(1, SIDE, SIDE, 1);
            for (int i = 0; i < digit.length; i++) t.set(i, norm.applyByte(Math.round(digit[i] * 255f)));
            return t;
        }

        /** The digit as uint8 (0..255), or null. */
        public byte[] digitBytes() {
            if (digit == null) return null;
            byte[] out = new byte[digit.length];
            for (int i = 0; i < out.length; i++) out[i] = (byte) Math.round(digit[i] * 255f);
            return out;
        }
    }

    private final Config config;

    public DigitPreprocessor(Config config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public DigitPreprocessor() {
        this(Config.DEFAULT);
    }

    public Config config() { return config; }

    /** Reads an image file with ImageIO (PNG, JPEG, GIF, BMP), with clear errors. */
    public static BufferedImage readImage(Path file) {
        if (!Files.isRegularFile(file)) throw new DataException(file + " does not exist or is not a file");
        // A FileImageInputStream reads the file directly; ImageIO.read(File) would do the same, but going
        // through an InputStream makes ImageIO copy it to a temporary cache file first (3x slower).
        ImageInputStream in;
        try {
            in = new FileImageInputStream(file.toFile());
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e, e);
        }
        return decode(in, file.toString());
    }

    /** Decodes an image from a stream (e.g. an upload), buffering it in memory; {@code what} names it in errors. */
    public static BufferedImage readImage(InputStream stream, String what) {
        return decode(new MemoryCacheImageInputStream(stream), what);
    }

    /** ImageIO.read closes the stream after decoding, but not when no reader knows the format: close it then. */
    private static BufferedImage decode(ImageInputStream in, String what) {
        BufferedImage img;
        try {
            img = ImageIO.read(in);
        } catch (IOException | RuntimeException e) {
            closeQuietly(in);
            throw new DataException(what + " is not an image ImageIO can read (PNG, JPEG, GIF, BMP): " + e.getMessage(), e);
        }
        if (img == null) closeQuietly(in);
        if (img == null) throw new DataException(what + " is not an image ImageIO can read (PNG, JPEG, GIF, BMP)");
        if (img.getWidth() < 1 || img.getHeight() < 1) throw new DataException(what + " is an empty image");
        return img;
    }

    private static void closeQuietly(ImageInputStream in) {
        try {
            in.close();
        } catch (IOException alreadyClosed) {
            // ImageIO closed it already
        }
    }

    /** Reads and prepares an image file. */
    public Result process(Path file) {
        return process(readImage(file));
    }

    /** Prepares a picture. */
    public Result process(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        int[] ink = inkMap(image); // (h, w), 0..255, polarity fixed but not yet stretched

        // (1b) Stretch: background (the border's median ink) -> 0, strongest ink -> 255.
        int background = borderMedian(ink, w, h);
        int max = maxOf(ink);
        int contrast = max - background;
        if (contrast < config.minContrast())
            return Result.noDigit("no digit: the picture is blank (ink contrast " + Math.max(contrast, 0) + "/255, need "
                    + config.minContrast() + ")");
        float gain = 255f / contrast;
        int[] stretch = new int[256]; // ink levels are 0..255: one table instead of arithmetic per pixel
        for (int v = 0; v < 256; v++) stretch[v] = Math.clamp(Math.round((v - background) * gain), 0, 255);
        // The stretch is monotonic, so the thresholds can be moved to raw levels and the whole picture scanned
        // without stretching it: a stroke pixel is raw > strokeRaw, a crop pixel raw > cropRaw.
        int strokeRaw = rawThreshold(stretch, config.inkThreshold()), cropRaw = rawThreshold(stretch, config.cropThreshold());
        int strokes = 0;
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++) {
            int row = y * w, count = 0, cropped = 0;
            for (int x = 0; x < w; x++) { // branch-free counts: the JIT vectorizes this loop
                int v = ink[row + x];
                count += v > strokeRaw ? 1 : 0;
                cropped += v > cropRaw ? 1 : 0;
            }
            strokes += count;
            if (cropped == 0) continue;
            int first = 0;
            while (ink[row + first] <= cropRaw) first++;
            int last = w - 1;
            while (ink[row + last] <= cropRaw) last--;
            x0 = Math.min(x0, first);
            x1 = Math.max(x1, last);
            if (y0 == h) y0 = y;
            y1 = y;
        }
        // (2) Amount of ink.
        long area = (long) w * h;
        if (strokes < Math.max(4, config.minInkFraction() * area) || x1 < 0)
            return Result.noDigit("no digit: too little ink (" + strokes + " of " + area + " pixels)");
        if (strokes > config.maxInkFraction() * area)
            return Result.noDigit("no digit: ink covers " + Math.round(100.0 * strokes / area)
                    + "% of the picture (noise, a photo, or a background the border does not show)");
        double borderInk = borderFraction(ink, w, h, strokeRaw);
        if (borderInk > config.maxBorderInkFraction())
            return Result.noDigit("no digit: ink covers " + Math.round(100 * borderInk)
                    + "% of the border, which should be plain background (noise or a photo?)");

        // (3) + (4) Crop to the ink's box and scale its longer side to BOX px by area averaging.
        int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
        double scale = (double) BOX / Math.max(bw, bh);
        int ow = Math.clamp(Math.round(bw * scale), 1, BOX), oh = Math.clamp(Math.round(bh * scale), 1, BOX);
        for (int y = y0; y <= y1; y++)
            for (int x = x0, i = y * w + x0; x <= x1; x++, i++) ink[i] = stretch[ink[i]];
        float[] small = areaResample(ink, w, x0, y0, bw, bh, ow, oh); // (oh, ow), 0..255

        // (5) Centre of mass to (14, 14), whole pixels, keeping the whole box inside the 28x28 field.
        double sum = 0, sx = 0, sy = 0;
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++) {
                float v = small[y * ow + x];
                sum += v;
                sx += v * x;
                sy += v * y;
            }
        int left = (int) Math.round(SIDE / 2.0 - sx / sum), top = (int) Math.round(SIDE / 2.0 - sy / sum);
        left = Math.clamp(left, 0, SIDE - ow);
        top = Math.clamp(top, 0, SIDE - oh);

        // (6) [0, 1], white ink on black, quantized to 8 bits as MNIST's pixels are, so that normalizing it
        // gives exactly the numbers a training image with the same bytes gets.
        float[] out = new float[SIDE * SIDE];
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
                out[(top + y) * SIDE + left + x] = Math.min(255, Math.round(small[y * ow + x])) / 255f;
        return new Result(out, null);
    }

    /**
     * The ink of each pixel, 0..255, row-major: alpha where the picture has real transparency, else luminance
     * (0.299 R + 0.587 G + 0.114 B) inverted when the border is light.
     */
    static int[] inkMap(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        int[] lum = new int[w * h];
        int[] alpha = image.getColorModel().hasAlpha() ? new int[w * h] : null;
        boolean transparent = false;
        switch (image.getType()) {
            case BufferedImage.TYPE_BYTE_GRAY -> {
                byte[] px = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
                if (image.getRaster().getSampleModel().getWidth() == w && px.length == w * h)
                    for (int i = 0; i < lum.length; i++) lum[i] = px[i] & 0xff;
                else fromRgb(image, lum, null);
            }
            case BufferedImage.TYPE_3BYTE_BGR -> {
                byte[] px = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
                if (px.length == 3 * w * h)
                    for (int i = 0, j = 0; i < lum.length; i++, j += 3)
                        lum[i] = luminance(px[j + 2] & 0xff, px[j + 1] & 0xff, px[j] & 0xff);
                else fromRgb(image, lum, null);
            }
            case BufferedImage.TYPE_4BYTE_ABGR -> {
                byte[] px = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
                if (px.length == 4 * w * h)
                    for (int i = 0, j = 0; i < lum.length; i++, j += 4) {
                        alpha[i] = px[j] & 0xff;
                        lum[i] = luminance(px[j + 3] & 0xff, px[j + 2] & 0xff, px[j + 1] & 0xff);
                    }
                else fromRgb(image, lum, alpha);
            }
            case BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB -> {
                int[] px = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
                if (px.length == w * h) {
                    for (int i = 0; i < lum.length; i++) {
                        int p = px[i];
                        if (alpha != null) alpha[i] = p >>> 24;
                        lum[i] = luminance((p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff);
                    }
                } else fromRgb(image, lum, alpha);
            }
            default -> fromRgb(image, lum, alpha);
        }
        if (alpha != null)
            for (int a : alpha)
                if (a < 255) {
                    transparent = true;
                    break;
                }
        if (transparent) return alpha;
        if (borderMedian(lum, w, h) > 127)
            for (int i = 0; i < lum.length; i++) lum[i] = 255 - lum[i];
        return lum;
    }

    /** Any other image type, through getRGB (slower, handles palettes, 16-bit and gray+alpha). */
    private static void fromRgb(BufferedImage image, int[] lum, int[] alpha) {
        int w = image.getWidth(), h = image.getHeight();
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                if (alpha != null) alpha[y * w + x] = p >>> 24;
                lum[y * w + x] = luminance((p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff);
            }
        }
    }

    /** Rec. 601 luma, 0.299 R + 0.587 G + 0.114 B, in fixed point (weights out of 1024, rounded). */
    private static int luminance(int r, int g, int b) {
        return (306 * r + 601 * g + 117 * b + 512) >> 10;
    }

    /** The largest value; four running maxima, as C2 leaves a single-accumulator max reduction scalar. */
    private static int maxOf(int[] v) {
        int m0 = 0, m1 = 0, m2 = 0, m3 = 0, i = 0;
        for (; i + 3 < v.length; i += 4) {
            m0 = Math.max(m0, v[i]);
            m1 = Math.max(m1, v[i + 1]);
            m2 = Math.max(m2, v[i + 2]);
            m3 = Math.max(m3, v[i + 3]);
        }
        for (; i < v.length; i++) m0 = Math.max(m0, v[i]);
        return Math.max(Math.max(m0, m1), Math.max(m2, m3));
    }

    /** The largest raw level whose stretched value is at most {@code threshold}: raw above it is above threshold. */
    private static int rawThreshold(int[] stretch, int threshold) {
        int raw = -1;
        while (raw < 255 && stretch[raw + 1] <= threshold) raw++;
        return raw;
    }

    /** The fraction of the outermost ring of pixels above {@code threshold}. */
    static double borderFraction(int[] v, int w, int h, int threshold) {
        int n = 0, above = 0;
        for (int y = 0; y < h; y++) {
            boolean edgeRow = y == 0 || y == h - 1;
            for (int x = 0; x < w; x += edgeRow ? 1 : Math.max(1, w - 1)) {
                n++;
                if (v[y * w + x] > threshold) above++;
            }
        }
        return (double) above / n;
    }

    /** Median of the outermost ring of pixels, by a 256-bin histogram. */
    static int borderMedian(int[] v, int w, int h) {
        int[] hist = new int[256];
        int n = 0;
        for (int x = 0; x < w; x++) {
            hist[v[x]]++;
            n++;
            if (h > 1) {
                hist[v[(h - 1) * w + x]]++;
                n++;
            }
        }
        for (int y = 1; y < h - 1; y++) {
            hist[v[y * w]]++;
            n++;
            if (w > 1) {
                hist[v[y * w + w - 1]]++;
                n++;
            }
        }
        int half = (n + 1) / 2, seen = 0;
        for (int b = 0; b < 256; b++) {
            seen += hist[b];
            if (seen >= half) return b;
        }
        return 255;
    }

    /**
     * Area-averaging resample of the box {@code (x0, y0, bw, bh)} of {@code src} (row stride {@code srcW}) to
     * {@code ow x oh}: output pixel (x, y) is the mean of the source square it covers, partial source pixels
     * weighted by the fraction covered. Separable: rows first, then columns.
     */
    static float[] areaResample(int[] src, int srcW, int x0, int y0, int bw, int bh, int ow, int oh) {
        float[][] wx = coverage(bw, ow); // (ow, bw) weights, each row sums to 1
        int[] fx = new int[ow], tx = new int[ow];
        spans(wx, fx, tx);
        float[] rows = new float[bh * ow]; // (bh, ow)
        for (int y = 0; y < bh; y++) {
            int base = (y0 + y) * srcW + x0;
            for (int o = 0; o < ow; o++) {
                float acc = 0;
                float[] wo = wx[o];
                for (int s = fx[o]; s < tx[o]; s++) acc += wo[s] * src[base + s];
                rows[y * ow + o] = acc;
            }
        }
        float[][] wy = coverage(bh, oh); // (oh, bh)
        int[] fy = new int[oh], ty = new int[oh];
        spans(wy, fy, ty);
        float[] out = new float[oh * ow];
        for (int o = 0; o < oh; o++) {
            float[] wo = wy[o];
            for (int s = fy[o]; s < ty[o]; s++) {
                float k = wo[s];
                int r = s * ow, d = o * ow;
                for (int x = 0; x < ow; x++) out[d + x] += k * rows[r + x];
            }
        }
        return out;
    }

    /** Weights of source pixels [0, n) in each of m output pixels covering the same extent. */
    private static float[][] coverage(int n, int m) {
        float[][] w = new float[m][n];
        double step = (double) n / m; // source pixels per output pixel
        for (int o = 0; o < m; o++) {
            double a = o * step, b = (o + 1) * step;
            for (int s = (int) Math.floor(a); s < Math.min(n, (int) Math.ceil(b)); s++) {
                double overlap = Math.min(b, s + 1) - Math.max(a, s);
                if (overlap > 0) w[o][s] = (float) (overlap / step);
            }
        }
        return w;
    }

    private static void spans(float[][] w, int[] from, int[] to) {
        for (int o = 0; o < w.length; o++) {
            int f = 0, t = w[o].length;
            while (f < t && w[o][f] == 0) f++;
            while (t > f && w[o][t - 1] == 0) t--;
            from[o] = f;
            to[o] = t;
        }
    }
}
