package dev.simdnet.data;

import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A small PNG decoder for {@link DigitPreprocessor}: it gives the luminance and alpha of each pixel (a
 * {@link Picture}), the numbers the preprocessor computes from ImageIO's {@code BufferedImage} of the same file,
 * bit for bit, twice as fast on 280 x 280 pictures: ImageIO spends as much time on reader lookup, metadata and
 * colour models as on the pixels, whereas here zlib's inflating is most of the time.
 *
 * <p>It reads non-interlaced PNGs of every colour type: gray (1, 2, 4, 8, 16 bits), RGB (8, 16), palette (1, 2,
 * 4, 8, with or without tRNS alpha), gray + alpha (8, 16) and RGBA (8, 16); 16-bit samples are scaled to 8 bits
 * as Java's colour models do. It checks the signature and every chunk's CRC, and refuses more than
 * {@link #MAX_PIXELS} pixels before allocating anything. A PNG it leaves to ImageIO (interlaced, a tRNS colour
 * key in a gray or RGB picture, an unusual palette) gives null; a corrupt one a {@link DataException} naming the
 * file. Ancillary chunks (gAMA, iCCP, text...) are ignored, as ImageIO ignores them for pixels.
 */
public final class PngDecoder {
    /**
     * The most pixels decoded, 4096 x 4096: the largest picture the server accepts by default (4096 on each
     * side). Decoding and preparing take 8 to 24 bytes a pixel, so a few hundred MB at most, and a small file
     * claiming a huge size (a decompression bomb) is refused from its header.
     */
    public static final long MAX_PIXELS = 4096L * 4096;

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int IHDR = 0x49484452, PLTE = 0x504c5445, TRNS = 0x74524e53, IDAT = 0x49444154, IEND = 0x49454e44;
    private static final int GRAY = 0, RGB = 2, PALETTE = 3, GRAY_ALPHA = 4, RGBA = 6;

    private PngDecoder() {}

    /** Whether the bytes start with PNG's signature. */
    public static boolean isPng(byte[] file) {
        return file.length >= SIGNATURE.length && Arrays.equals(file, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length);
    }

    /**
     * Decodes a whole PNG file, with its signature; {@code what} names it in errors. Null when the PNG uses a
     * feature left to ImageIO; a {@link DataException} when it is not a valid PNG or is too large.
     */
    public static Picture decode(byte[] file, String what) {
        return decode(file, what, Rows.WHOLE_BYTES);
    }

    /** {@link #decode(byte[], String)}, inflating whole images of up to {@code wholeBytes} (tests try both ways). */
    static Picture decode(byte[] file, String what, int wholeBytes) {
        if (!isPng(file)) throw corrupt(what, "it does not start with PNG's signature");
        Chunks chunks = Chunks.read(file, what);
        Header h = chunks.header;
        if ((long) h.width * h.height > MAX_PIXELS) // first: a huge interlaced PNG is not passed on to ImageIO either
            throw new DataException(what + " is " + h.width + "x" + h.height + " pixels: the limit is " + MAX_PIXELS
                    + " pixels (4096x4096)");
        if (h.interlaced || chunks.unusual) return null;
        Palette palette = null;
        if (h.colorType == PALETTE) {
            if (chunks.plte == null) throw corrupt(what, "it has a palette's colour type but no PLTE chunk");
            palette = Palette.of(file, chunks, h.bitDepth);
        }
        return new Rows(file, chunks, palette, what, wholeBytes).decode();
    }

    /** The IHDR chunk. */
    private record Header(int width, int height, int bitDepth, int colorType, boolean interlaced) {
        static Header read(byte[] b, int at, String what) {
            int w = readInt(b, at), h = readInt(b, at + 4), depth = b[at + 8], type = b[at + 9];
            if (w <= 0 || h <= 0) // a size over 2^31 - 1 reads negative here: invalid too
                throw corrupt(what, "its header gives a size of " + Integer.toUnsignedString(w) + "x" + Integer.toUnsignedString(h) + " pixels");
            boolean valid = switch (type) {
                case GRAY -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
                case PALETTE -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
                case RGB, GRAY_ALPHA, RGBA -> depth == 8 || depth == 16;
                default -> false;
            };
            if (!valid) throw corrupt(what, "its header gives colour type " + type + " with bit depth " + depth + ", which PNG does not have");
            if (b[at + 10] != 0 || b[at + 11] != 0 || (b[at + 12] & 0xff) > 1)
                throw corrupt(what, "its header gives an unknown compression, filter or interlace method");
            return new Header(w, h, depth, type, b[at + 12] == 1);
        }

        int channels() {
            return switch (colorType) {
                case RGB -> 3;
                case GRAY_ALPHA -> 2;
                case RGBA -> 4;
                default -> 1;
            };
        }

        /** Bytes in one row, not counting the filter byte. */
        int rowBytes() {
            return (int) (((long) width * channels() * bitDepth + 7) / 8);
        }

        /** Bytes per whole pixel, at least 1: how far back the filters look for the pixel to the left. */
        int filterStep() {
            return Math.max(1, channels() * bitDepth / 8);
        }
    }

    /**
     * Where the chunks the decoder needs lie in the file, after checking every chunk's CRC. {@code unusual}: a
     * valid PNG this decoder leaves to ImageIO, whose handling of it is its own (a second PLTE, a tRNS colour key,
     * a tRNS before the PLTE...).
     */
    private static final class Chunks {
        Header header;
        int[] plte, trns; // {offset, length} of the chunk's data, or null
        int[] idat = new int[16]; // {offset, length} pairs
        int idats;
        boolean unusual;

        static Chunks read(byte[] b, String what) {
            Chunks c = new Chunks();
            CRC32 crc = new CRC32();
            int at = SIGNATURE.length, lastType = 0;
            while (true) {
                if (b.length - at < 12) throw corrupt(what, "the file ends before its IEND chunk (truncated?)");
                int length = readInt(b, at), type = readInt(b, at + 4), data = at + 8;
                if (length < 0 || length > b.length - data - 4)
                    throw corrupt(what, "the file ends inside its " + name(type) + " chunk (truncated?)");
                crc.reset();
                crc.update(b, at + 4, 4 + length);
                if ((int) crc.getValue() != readInt(b, data + length))
                    throw corrupt(what, "the CRC of its " + name(type) + " chunk is wrong (the file is damaged)");
                if (c.header == null && type != IHDR) throw corrupt(what, "it does not start with an IHDR chunk");
                switch (type) {
                    case IHDR -> {
                        if (c.header != null || length != 13) throw corrupt(what, "its IHDR chunk is invalid");
                        c.header = Header.read(b, data, what);
                    }
                    case PLTE -> {
                        if (c.idats > 0) break; // a PLTE after the image data is ignored (ImageIO ignores it too)
                        c.unusual |= c.plte != null || c.trns != null || length == 0 || length % 3 != 0
                                || c.header.colorType == GRAY || c.header.colorType == GRAY_ALPHA;
                        c.plte = new int[] {data, length};
                    }
                    case TRNS -> {
                        if (c.idats > 0) break;
                        // Transparency by colour key (gray, RGB) is left to ImageIO, as is a tRNS it would ignore.
                        c.unusual |= c.header.colorType != PALETTE || c.plte == null || c.trns != null;
                        c.trns = new int[] {data, length};
                    }
                    case IDAT -> {
                        if (c.idats > 0 && lastType != IDAT) throw corrupt(what, "its IDAT chunks are not consecutive");
                        if (2 * c.idats == c.idat.length) c.idat = Arrays.copyOf(c.idat, 2 * c.idat.length);
                        c.idat[2 * c.idats] = data;
                        c.idat[2 * c.idats + 1] = length;
                        c.idats++;
                    }
                    case IEND -> {
                        if (c.idats == 0) throw corrupt(what, "it has no image data (IDAT chunk)");
                        return c;
                    }
                    default -> { // an unknown critical chunk (upper-case first letter) changes the meaning of the rest
                        if ((type & 0x20000000) == 0) c.unusual = true;
                    }
                }
                lastType = type;
                at = data + length + 4;
            }
        }
    }

    /** Luminance and alpha of each palette entry, 256 of them whatever the bit depth. */
    private record Palette(int[] luma, int[] alpha, int entries) {
        static Palette of(byte[] b, Chunks c, int bitDepth) {
            int entries = Math.min(c.plte[1] / 3, 1 << bitDepth); // ImageIO ignores entries the bit depth cannot reach
            int[] luma = new int[256], alpha = c.trns == null ? null : new int[256];
            for (int i = 0, at = c.plte[0]; i < entries; i++, at += 3)
                luma[i] = DigitPreprocessor.luminance(b[at] & 0xff, b[at + 1] & 0xff, b[at + 2] & 0xff);
            if (alpha != null) {
                Arrays.fill(alpha, 255); // entries beyond the tRNS chunk are opaque
                for (int i = 0; i < Math.min(c.trns[1], entries); i++) alpha[i] = b[c.trns[0] + i] & 0xff;
            }
            return new Palette(luma, alpha, entries);
        }
    }

    /**
     * Inflates the image data a strip of rows at a time, undoes the filters and converts each row to luminance
     * and alpha. zlib's own Adler-32 of the data is not checked: the chunk CRCs cover every byte already, and
     * having zlib compute it would cost a sixth of the time spent inflating.
     */
    private static final class Rows {
        /** Bytes inflated at a time, at least: zlib is faster given room to work than one row at a time. */
        private static final int STRIP_BYTES = 32 << 10;

        private final byte[] file;
        private final Chunks chunks;
        private final Header h;
        private final Palette palette;
        private final String what;
        /**
         * The largest image inflated whole (16 MB, about a 2040 x 2040 RGBA picture); larger ones stream through zlib a
         * strip at a time, so memory stays a few bytes a pixel.
         */
        static final int WHOLE_BYTES = 16 << 20;

        private final int wholeBytes;
        /** The largest scratch array a thread keeps: 1 MB, a 580 x 580 RGB picture. */
        private static final int KEPT_BYTES = 1 << 20;
        private static final ThreadLocal<byte[]> SCRATCH = new ThreadLocal<>();
        private Inflater inflater; // for the strips: raw deflate, the zlib header is read here
        private int nextIdat, headerBytes;
        private final byte[] zlibHeader = new byte[2];
        private final int[] luma, alpha;
        private int maxIndex; // the largest palette index seen

        Rows(byte[] file, Chunks chunks, Palette palette, String what, int wholeBytes) {
            this.wholeBytes = wholeBytes;
            this.file = file;
            this.chunks = chunks;
            this.h = chunks.header;
            this.palette = palette;
            this.what = what;
            int pixels = h.width * h.height; // at most MAX_PIXELS
            luma = new int[pixels];
            boolean hasAlpha = h.colorType == GRAY_ALPHA || h.colorType == RGBA || (palette != null && palette.alpha != null);
            alpha = hasAlpha ? new int[pixels] : null;
        }

        Picture decode() {
            // Each row is its filter byte then the filtered bytes. The strip holds the row above it first (zeros
            // above the first row, as PNG says), then its rows, so the row above any row is right before it.
            int stride = 1 + h.rowBytes();
            if ((long) (h.height + 1) * stride <= wholeBytes) return decodeWhole(stride);
            int rows = Math.clamp(STRIP_BYTES / stride, 1, h.height);
            inflater = new Inflater(true);
            byte[] strip = new byte[(1 + rows) * stride];
            try {
                for (int y0 = 0; y0 < h.height; y0 += rows) {
                    int n = Math.min(rows, h.height - y0);
                    if (y0 > 0) System.arraycopy(strip, rows * stride, strip, 0, stride); // the previous strip's last row
                    inflate(strip, stride, n * stride, y0, stride);
                    for (int r = 1; r <= n; r++) {
                        unfilter(strip, r * stride, stride, y0 + r - 1);
                        convert(strip, r * stride, (y0 + r - 1) * h.width);
                    }
                }
            } catch (DataFormatException e) {
                throw corrupt(what, "its image data is not valid zlib data (" + e.getMessage() + ")");
            } finally {
                inflater.end();
            }
            return picture();
        }

        /**
         * The whole image inflated at once by {@link Inflate}, then each row unfiltered and converted: the rendered pen
         * digits decode in 0.2 ms instead of 0.4 (zlib's inflating was 0.29 ms of it), and the array, the size of the
         * inflated image, is never more than {@link #WHOLE_BYTES}.
         */
        private Picture decodeWhole(int stride) {
            byte[] data = file;
            int from = chunks.idat[0], to = from + chunks.idat[1];
            if (chunks.idats > 1) { // one zlib stream split over several chunks: joined (a few KB for a drawing)
                int total = 0;
                for (int i = 0; i < chunks.idats; i++) total += chunks.idat[2 * i + 1];
                data = new byte[total];
                for (int i = 0, at = 0; i < chunks.idats; at += chunks.idat[2 * i + 1], i++)
                    System.arraycopy(file, chunks.idat[2 * i], data, at, chunks.idat[2 * i + 1]);
                from = 0;
                to = total;
            }
            if (to - from < 2) throw corrupt(what, "its image data ends at row 0 of " + h.height + " (truncated?)");
            zlibHeader[0] = data[from];
            zlibHeader[1] = data[from + 1];
            checkZlibHeader();
            int end = (h.height + 1) * stride;
            byte[] raw = scratch(end);
            Arrays.fill(raw, 0, stride, (byte) 0); // a row of zeros above the first; inflating fills all the rest
            int got;
            try {
                got = Inflate.inflate(data, from + 2, to, raw, stride, end);
            } catch (Inflate.Malformed e) {
                throw corrupt(what, "its image data is not valid zlib data (" + e.getMessage() + ")");
            }
            if (got < end) throw corrupt(what, "its image data ends at row " + (got - stride) / stride + " of " + h.height + " (truncated?)");
            for (int y = 0; y < h.height; y++) {
                unfilter(raw, (y + 1) * stride, stride, y);
                convert(raw, (y + 1) * stride, y * h.width);
            }
            return picture();
        }

        /**
         * The inflated image's array: this thread's last one when it is large enough and at most {@link #KEPT_BYTES}
         * (a 280 x 280 RGB picture's 235 KB, allocated and zeroed for every file, was a sixth of the decoding), else
         * a new one. Only this decoder reads it, and not after {@code decode} returns.
         */
        private static byte[] scratch(int size) {
            byte[] b = SCRATCH.get();
            if (b != null && b.length >= size) return b;
            b = new byte[size];
            if (size <= KEPT_BYTES) SCRATCH.set(b);
            return b;
        }

        private Picture picture() {
            // Indices past the palette are an error in PNG; ImageIO has its own convention for them (pads the
            // palette), so such a file is left to it rather than guessed at here.
            if (palette != null && maxIndex >= palette.entries) return null;
            return new Picture(h.width, h.height, luma, alpha);
        }

        /** Fills {@code buf[at, at + length)}, rows from {@code y0} on, feeding zlib the IDAT chunks as it asks. */
        private void inflate(byte[] buf, int at, int length, int y0, int stride) throws DataFormatException {
            int got = 0;
            while (got < length) {
                int n = inflater.inflate(buf, at + got, length - got);
                got += n;
                if (n == 0 && (!inflater.needsInput() || !feed()))
                    throw corrupt(what, "its image data ends at row " + (y0 + got / stride) + " of " + h.height + " (truncated?)");
            }
        }

        /** Gives zlib the next non-empty IDAT chunk, reading the 2-byte zlib header first; false: none left. */
        private boolean feed() {
            while (nextIdat < chunks.idats) {
                int at = chunks.idat[2 * nextIdat], length = chunks.idat[2 * nextIdat + 1];
                nextIdat++;
                for (; headerBytes < 2 && length > 0; length--) {
                    zlibHeader[headerBytes++] = file[at++];
                    if (headerBytes == 2) checkZlibHeader();
                }
                if (length > 0) {
                    inflater.setInput(file, at, length);
                    return true;
                }
            }
            return false;
        }

        /** Deflate, a window of at most 32 KB, a valid check, and no preset dictionary (which PNG forbids). */
        private void checkZlibHeader() {
            int cmf = zlibHeader[0] & 0xff, flg = zlibHeader[1] & 0xff;
            if ((cmf & 0x0f) != 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 != 0 || (flg & 0x20) != 0)
                throw corrupt(what, "its image data is not valid zlib data (bad header)");
        }

        /** Undoes the filter of the row at {@code buf[at]} in place; the row above is the {@code stride} bytes before. */
        private void unfilter(byte[] buf, int at, int stride, int y) {
            int step = h.filterStep(), end = at + stride, up = -stride; // buf[i + up]: the byte above buf[i]
            int first = Math.min(end, at + 1 + step); // bytes before it have no left neighbour (it counts as zero)
            switch (buf[at]) {
                case 0 -> { } // None
                case 1 -> { // Sub: plus the byte one pixel to the left
                    for (int i = first; i < end; i++) buf[i] += buf[i - step];
                }
                case 2 -> { // Up: plus the byte above
                    for (int i = at + 1; i < end; i++) buf[i] += buf[i + up];
                }
                case 3 -> { // Average: plus the mean of left and above, rounded down
                    for (int i = at + 1; i < first; i++) buf[i] = (byte) (buf[i] + ((buf[i + up] & 0xff) >> 1));
                    for (int i = first; i < end; i++)
                        buf[i] = (byte) (buf[i] + (((buf[i - step] & 0xff) + (buf[i + up] & 0xff)) >> 1));
                }
                case 4 -> { // Paeth: plus whichever of left, above, above-left is closest to left + above - above-left
                    for (int i = at + 1; i < first; i++) buf[i] += buf[i + up]; // left = above-left = 0: above
                    for (int i = first; i < end; i++)
                        buf[i] = (byte) (buf[i] + paeth(buf[i - step] & 0xff, buf[i + up] & 0xff, buf[i + up - step] & 0xff));
                }
                default -> throw corrupt(what, "row " + y + " has filter type " + (buf[at] & 0xff) + " (PNG has 0 to 4)");
            }
        }

        private static int paeth(int a, int b, int c) {
            int p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }

        /** Converts the unfiltered row at {@code buf[at]} (its filter byte) to luminance and alpha at {@code out}. */
        private void convert(byte[] buf, int at, int out) {
            int w = h.width;
            boolean wide = h.bitDepth == 16;
            switch (h.colorType) {
                case GRAY -> {
                    if (h.bitDepth < 8) {
                        int max = (1 << h.bitDepth) - 1; // ImageIO's gray ramp: level * 255 / max
                        for (int x = 0; x < w; x++) luma[out + x] = packed(buf, at, x) * 255 / max;
                    } else {
                        for (int x = 0; x < w; x++) luma[out + x] = sample(buf, at, x, wide);
                    }
                }
                case RGB -> {
                    if (!wide) { // the usual case without sample()'s 16-bit branch: 0.21 -> 0.20 ms a pen digit
                        for (int x = 0, i = at + 1; x < w; x++, i += 3)
                            luma[out + x] = DigitPreprocessor.luminance(buf[i] & 0xff, buf[i + 1] & 0xff, buf[i + 2] & 0xff);
                        return;
                    }
                    for (int x = 0, i = 0; x < w; x++, i += 3)
                        luma[out + x] = DigitPreprocessor.luminance(sample(buf, at, i, wide), sample(buf, at, i + 1, wide), sample(buf, at, i + 2, wide));
                }
                case PALETTE -> {
                    int max = 0;
                    for (int x = 0; x < w; x++) {
                        int p = h.bitDepth == 8 ? buf[at + 1 + x] & 0xff : packed(buf, at, x);
                        max = Math.max(max, p);
                        luma[out + x] = palette.luma[p];
                        if (alpha != null) alpha[out + x] = palette.alpha[p];
                    }
                    maxIndex = Math.max(maxIndex, max);
                }
                case GRAY_ALPHA -> {
                    for (int x = 0, i = 0; x < w; x++, i += 2) {
                        luma[out + x] = sample(buf, at, i, wide);
                        alpha[out + x] = sample(buf, at, i + 1, wide);
                    }
                }
                case RGBA -> {
                    for (int x = 0, i = 0; x < w; x++, i += 4) {
                        luma[out + x] = DigitPreprocessor.luminance(sample(buf, at, i, wide), sample(buf, at, i + 1, wide), sample(buf, at, i + 2, wide));
                        alpha[out + x] = sample(buf, at, i + 3, wide);
                    }
                }
                default -> throw new IllegalStateException("colour type " + h.colorType); // Header.read checked it
            }
        }

        /** Sample {@code i} of the row at {@code buf[at]} (8 or 16 bits, big-endian) on a 0..255 scale. */
        private static int sample(byte[] buf, int at, int i, boolean wide) {
            return wide ? to8Bits(((buf[at + 1 + 2 * i] & 0xff) << 8) | (buf[at + 2 + 2 * i] & 0xff), 16) : buf[at + 1 + i] & 0xff;
        }

        /** The x-th of the row's samples of fewer than 8 bits, packed from the high bits of each byte down. */
        private int packed(byte[] buf, int at, int x) {
            int bits = h.bitDepth, bit = x * bits; // bit offset within the row, fits in an int: width <= MAX_PIXELS
            return ((buf[at + 1 + (bit >> 3)] & 0xff) >> (8 - bits - (bit & 7))) & ((1 << bits) - 1);
        }
    }

    /**
     * A sample of {@code bits} bits on a 0..255 scale, rounded exactly as Java's {@code ComponentColorModel} does
     * it for ImageIO's 16-bit pictures (in float arithmetic), so both paths give the same levels.
     */
    static int to8Bits(int v, int bits) {
        return bits == 8 ? v : (int) ((float) v / ((1 << bits) - 1) * 255f + 0.5f);
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    /** A chunk type as its four letters, or in hex if they are not letters. */
    private static String name(int type) {
        StringBuilder s = new StringBuilder(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            int c = (type >>> shift) & 0xff;
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) return String.format("0x%08x", type);
            s.append((char) c);
        }
        return s.toString();
    }

    private static DataException corrupt(String what, String why) {
        return new DataException(what + " is not a valid PNG: " + why);
    }
}
