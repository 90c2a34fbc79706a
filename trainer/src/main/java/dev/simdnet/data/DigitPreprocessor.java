package dev.simdnet.data;

import dev.simdnet.tensor.Tensor;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
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

    /**
     * Reads and prepares an image file: a PNG through {@link PngDecoder} (twice as fast as ImageIO on small
     * files), anything else, or a PNG it leaves to ImageIO, through {@link #readImage}. Both give the same result
     * for the same PNG.
     */
    public Result process(Path file) {
        byte[] bytes = readFile(file);
        Picture png = PngDecoder.isPng(bytes) ? PngDecoder.decode(bytes, file.toString()) : null;
        return process(png != null ? png : picture(readImage(new ByteArrayInputStream(bytes), file.toString())));
    }

    /**
     * The largest file read whole: bigger than any PNG within {@link PngDecoder#MAX_PIXELS} (8 bytes a pixel,
     * stored uncompressed), and than any reasonable JPEG or GIF of a digit.
     */
    private static final long MAX_FILE_BYTES = 256L << 20;

    private static byte[] readFile(Path file) {
        if (!Files.isRegularFile(file)) throw new DataException(file + " does not exist or is not a file");
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES)
                throw new DataException(file + " is " + size + " bytes: too large for a picture of a digit (the limit is "
                        + (MAX_FILE_BYTES >> 20) + " MB)");
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e, e);
        }
    }

    /** Prepares a picture. */
    public Result process(BufferedImage image) {
        return process(picture(image));
    }

    /**
     * Prepares a picture, overwriting its arrays (a picture is prepared once). The loops are all in small
     * methods of their own: for a hot loop in a long method, the JIT compiles the whole method, and did so once
     * per loop here (0.4 s of compiling on a 2-core machine, while the pictures waited).
     */
    public Result process(Picture picture) {
        int w = picture.width(), h = picture.height();
        int[] ink = inkMap(picture); // (h, w), 0..255, polarity fixed but not yet stretched

        // (1b) Stretch: background (the border's median ink) -> 0, strongest ink -> 255. The strongest ink of
        // each column first: the maximum is theirs, and the ink's box spans the columns above the crop threshold.
        int background = borderMedian(ink, w, h);
        long[] columnMax = columnMaxima(ink, w, h);
        int contrast = (int) maxOf(columnMax) - background;
        if (contrast < config.minContrast())
            return Result.noDigit("no digit: the picture is blank (ink contrast " + Math.max(contrast, 0) + "/255, need "
                    + config.minContrast() + ")");
        int[] stretch = stretchTable(background, contrast);
        // The stretch is monotonic, so the thresholds can be moved to raw levels and the whole picture scanned
        // without stretching it: a stroke pixel is raw > strokeRaw, a crop pixel raw > cropRaw.
        int strokeRaw = rawThreshold(stretch, config.inkThreshold()), cropRaw = rawThreshold(stretch, config.cropThreshold());
        long[] cropped = new long[h]; // crop pixels in each row (longs, like columnMax, for firstAbove)
        int strokes = countAbove(ink, w, h, strokeRaw, cropRaw, cropped);
        // The ink's box: the rows and columns with ink above the crop threshold.
        int y0 = firstAbove(cropped, 0), y1 = lastAbove(cropped, 0);
        int x0 = firstAbove(columnMax, cropRaw), x1 = lastAbove(columnMax, cropRaw);

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
        float[] small = areaResample(ink, stretch, w, x0, y0, bw, bh, ow, oh); // (oh, ow), 0..255
        return new Result(centred(small, ow, oh), null);
    }

    /** Ink level -> stretched level: background -> 0, background + contrast -> 255, clamped. */
    private static int[] stretchTable(int background, int contrast) {
        float gain = 255f / contrast;
        int[] stretch = new int[256]; // ink levels are 0..255: one table instead of arithmetic per pixel
        for (int v = 0; v < 256; v++) stretch[v] = Math.clamp(Math.round((v - background) * gain), 0, 255);
        return stretch;
    }

    /** The first index whose value is above {@code t}, or v.length if none. */
    private static int firstAbove(long[] v, long t) {
        int i = 0;
        while (i < v.length && v[i] <= t) i++;
        return i;
    }

    /** The last index whose value is above {@code t}, or -1 if none. */
    private static int lastAbove(long[] v, long t) {
        int i = v.length - 1;
        while (i >= 0 && v[i] <= t) i--;
        return i;
    }

    /**
     * (5) + (6) The small digit (oh, ow), 0..255, pasted into 28x28 with its centre of mass at (14, 14), whole
     * pixels, keeping the whole box inside the field; [0, 1], white ink on black, quantized to 8 bits as MNIST's
     * pixels are, so that normalizing it gives exactly the numbers a training image with the same bytes gets.
     */
    private static float[] centred(float[] small, int ow, int oh) {
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
        float[] out = new float[SIDE * SIDE];
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
                out[(top + y) * SIDE + left + x] = Math.min(255, Math.round(small[y * ow + x])) / 255f;
        return out;
    }

    /**
     * The ink of each pixel, 0..255, row-major: alpha where the picture has real transparency, else luminance
     * inverted (in place) when the border is light.
     */
    static int[] inkMap(Picture picture) {
        int[] lum = picture.luma(), alpha = picture.alpha();
        if (alpha != null)
            for (int a : alpha)
                if (a < 255) return alpha;
        if (borderMedian(lum, picture.width(), picture.height()) > 127)
            for (int i = 0; i < lum.length; i++) lum[i] = 255 - lum[i];
        return lum;
    }

    /**
     * The luminance (0.299 R + 0.587 G + 0.114 B) and alpha of each pixel, through the fastest path for the
     * image's type.
     */
    public static Picture picture(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        int[] lum = new int[w * h];
        int[] alpha = image.getColorModel().hasAlpha() ? new int[w * h] : null;
        switch (image.getType()) {
            case BufferedImage.TYPE_BYTE_GRAY -> {
                byte[] px = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
                if (image.getRaster().getSampleModel().getWidth() == w && px.length == w * h)
                    for (int i = 0; i < lum.length; i++) lum[i] = px[i] & 0xff;
                else fromGray(image, lum, null);
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
            default -> {
                if (isGray(image.getColorModel())) fromGray(image, lum, alpha);
                else fromRgb(image, lum, alpha);
            }
        }
        return new Picture(w, h, lum, alpha);
    }

    /** Any other image type, through getRGB (slower, handles palettes and 16-bit colour). */
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

    /** Whether a picture is gray (with or without alpha) in a colour model whose samples can be read directly. */
    private static boolean isGray(ColorModel cm) {
        return cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && cm.getNumColorComponents() == 1 && !cm.isAlphaPremultiplied()
                && (cm.getTransferType() == DataBuffer.TYPE_BYTE || cm.getTransferType() == DataBuffer.TYPE_USHORT);
    }

    /**
     * A gray picture (8 or 16 bits, as ImageIO reads gray PNGs), from its samples: getRGB would take Java's gray
     * colour space as linear and brighten mid-grays (128 -> 188), whereas gray PNG and JPEG levels are
     * gamma-encoded like sRGB's, and TYPE_BYTE_GRAY pictures are read as they are above. 16-bit samples are
     * scaled to 8 bits as getRGB does it for colour, and as {@link PngDecoder} does.
     */
    private static void fromGray(BufferedImage image, int[] lum, int[] alpha) {
        int w = image.getWidth(), h = image.getHeight();
        WritableRaster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        int[] row = new int[w];
        for (int band = 0; band < (alpha == null ? 1 : 2); band++) {
            int[] dst = band == 0 ? lum : alpha;
            int bits = cm.getComponentSize(band);
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, band, row);
                for (int x = 0; x < w; x++) dst[y * w + x] = PngDecoder.to8Bits(row[x], bits);
            }
        }
    }

    /** Rec. 601 luma, 0.299 R + 0.587 G + 0.114 B, in fixed point (weights out of 1024, rounded). */
    static int luminance(int r, int g, int b) {
        return (306 * r + 601 * g + 117 * b + 512) >> 10;
    }

    /**
     * The pixels of {@code v} (h, w) above {@code strokeRaw}, in all, and those above {@code cropRaw} in each row,
     * into {@code cropped}. {@code (t - v) >>> 31} is 1 where v > t: plain arithmetic, which the JIT vectorizes.
     */
    static int countAbove(int[] v, int w, int h, int strokeRaw, int cropRaw, long[] cropped) {
        int strokes = 0;
        for (int y = 0; y < h; y++) {
            int count = 0, crop = 0;
            for (int x = 0, i = y * w; x < w; x++, i++) {
                count += (strokeRaw - v[i]) >>> 31;
                crop += (cropRaw - v[i]) >>> 31;
            }
            strokes += count;
            cropped[y] = crop;
        }
        return strokes;
    }

    /** The largest value. */
    private static long maxOf(long[] v) {
        long max = Long.MIN_VALUE;
        for (long x : v) max = Math.max(max, x);
        return max;
    }

    /**
     * The largest value of each column of {@code v} (h, w): an element-wise maximum row after row, which the JIT
     * vectorizes, where it leaves a maximum over the whole array (a reduction) scalar, three times slower. The
     * maxima are longs so that the JIT knows they cannot share memory with the ints of {@code v}: with an int[]
     * it does not vectorize the loop.
     */
    static long[] columnMaxima(int[] v, int w, int h) {
        long[] max = new long[w];
        for (int y = 0; y < h; y++)
            for (int x = 0, i = y * w; x < w; x++, i++) max[x] = Math.max(max[x], v[i]);
        return max;
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
     * Area-averaging resample of the box {@code (x0, y0, bw, bh)} of {@code table[src]} (row stride {@code srcW})
     * to {@code ow x oh}: output pixel (x, y) is the mean of the source square it covers, partial source pixels
     * weighted by the fraction covered. Separable: rows first, then columns.
     */
    static float[] areaResample(int[] src, int[] table, int srcW, int x0, int y0, int bw, int bh, int ow, int oh) {
        float[] rows = resampleRows(src, table, srcW, x0, y0, bw, bh, ow); // (bh, ow)
        return resampleColumns(rows, ow, bh, oh);
    }

    /** The rows of the box, each resampled from {@code bw} to {@code ow} pixels: (bh, ow). */
    private static float[] resampleRows(int[] src, int[] table, int srcW, int x0, int y0, int bw, int bh, int ow) {
        float[][] wx = coverage(bw, ow); // (ow, bw) weights, each row sums to 1
        int[] fx = new int[ow], tx = new int[ow];
        spans(wx, fx, tx);
        float[] rows = new float[bh * ow];
        for (int y = 0; y < bh; y++) {
            int base = (y0 + y) * srcW + x0;
            for (int o = 0; o < ow; o++) {
                float acc = 0;
                float[] wo = wx[o];
                for (int s = fx[o]; s < tx[o]; s++) acc += wo[s] * table[src[base + s]];
                rows[y * ow + o] = acc;
            }
        }
        return rows;
    }

    /** The columns of {@code rows} (bh, ow), each resampled from {@code bh} to {@code oh} pixels: (oh, ow). */
    private static float[] resampleColumns(float[] rows, int ow, int bh, int oh) {
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
