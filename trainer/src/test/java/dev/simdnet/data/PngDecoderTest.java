package dev.simdnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast PNG path against ImageIO's: for every colour type and bit depth the same luminance and alpha, and so
 * the same prepared digit; corrupt files give clear errors; what it leaves to ImageIO still works.
 */
class PngDecoderTest {
    private static final DigitPreprocessor PRE = new DigitPreprocessor();

    /** A kind of picture, and the PNG colour type and bit depth ImageIO writes it as. */
    private record Kind(String name, int colorType, int bitDepth, BiFunction<Integer, Integer, BufferedImage> create) {
        @Override
        public String toString() { return name; }
    }

    private static final List<Kind> KINDS = List.of(
            new Kind("TYPE_BYTE_GRAY", 0, 8, (w, h) -> new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY)),
            new Kind("TYPE_USHORT_GRAY", 0, 16, (w, h) -> new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY)),
            new Kind("TYPE_BYTE_BINARY", 0, 1, (w, h) -> new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY)),
            new Kind("2-bit gray", 0, 2, (w, h) -> new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, grayRamp(2))),
            new Kind("4-bit gray", 0, 4, (w, h) -> new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, grayRamp(4))),
            new Kind("TYPE_3BYTE_BGR", 2, 8, (w, h) -> new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR)),
            new Kind("TYPE_INT_RGB", 2, 8, (w, h) -> new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB)),
            new Kind("16-bit RGB", 2, 16, (w, h) -> component(w, h, ColorSpace.CS_sRGB, DataBuffer.TYPE_USHORT, false)),
            new Kind("1-bit palette + tRNS", 3, 1, (w, h) -> new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, palette(1, true))),
            new Kind("2-bit palette + tRNS", 3, 2, (w, h) -> new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, palette(2, true))),
            new Kind("4-bit palette", 3, 4, (w, h) -> new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, palette(4, false))),
            new Kind("8-bit palette", 3, 8, (w, h) -> new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, palette(8, false))),
            new Kind("8-bit palette + tRNS", 3, 8, (w, h) -> new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, palette(8, true))),
            new Kind("8-bit gray + alpha", 4, 8, (w, h) -> component(w, h, ColorSpace.CS_GRAY, DataBuffer.TYPE_BYTE, true)),
            new Kind("16-bit gray + alpha", 4, 16, (w, h) -> component(w, h, ColorSpace.CS_GRAY, DataBuffer.TYPE_USHORT, true)),
            new Kind("TYPE_4BYTE_ABGR", 6, 8, (w, h) -> new BufferedImage(w, h, BufferedImage.TYPE_4BYTE_ABGR)),
            new Kind("TYPE_INT_ARGB", 6, 8, (w, h) -> new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB)),
            new Kind("16-bit RGBA", 6, 16, (w, h) -> component(w, h, ColorSpace.CS_sRGB, DataBuffer.TYPE_USHORT, true)));

    private static IndexColorModel grayRamp(int bits) {
        int n = 1 << bits;
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) v[i] = (byte) (i * 255 / (n - 1));
        return new IndexColorModel(bits, n, v, v, v);
    }

    /** Light entries last, slightly blue (so ImageIO does not write it as gray); with alpha, dark is opaque. */
    private static IndexColorModel palette(int bits, boolean alpha) {
        int n = 1 << bits;
        byte[] r = new byte[n], g = new byte[n], b = new byte[n], a = new byte[n];
        for (int i = 0; i < n; i++) {
            int v = i * 255 / (n - 1);
            r[i] = g[i] = (byte) v;
            b[i] = (byte) (255 - (255 - v) * 9 / 10);
            a[i] = (byte) (255 - v);
        }
        return alpha ? new IndexColorModel(bits, n, r, g, b, a) : new IndexColorModel(bits, n, r, g, b);
    }

    private static BufferedImage component(int w, int h, int space, int dataType, boolean alpha) {
        ColorModel cm = new ComponentColorModel(ColorSpace.getInstance(space), alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, dataType);
        return new BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false, null);
    }

    /** Every sample random, over its whole range. */
    private static BufferedImage random(Kind kind, int w, int h, long seed) {
        BufferedImage img = kind.create().apply(w, h);
        WritableRaster r = img.getRaster();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int b = 0; b < r.getNumBands(); b++) {
            int levels = 1 << r.getSampleModel().getSampleSize(b);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) r.setSample(x, y, b, rng.nextInt(levels));
        }
        return img;
    }

    /**
     * An MNIST digit, dark on light, 281x279: gray levels for opaque kinds (a light blue tint in colour), and for
     * kinds with alpha black ink whose opacity is the darkness. Palettes take the nearest entry.
     */
    private static BufferedImage digit(Kind kind, int index) {
        int w = 281, h = 279;
        BufferedImage template = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = template.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(DigitPreprocessorTest.gray(TestData.mnistTest().images(), index, true), 30, 20, 230, 230, null);
        g.dispose();
        BufferedImage img = kind.create().apply(w, h);
        WritableRaster r = img.getRaster();
        boolean alpha = img.getColorModel().hasAlpha() && !(img.getColorModel() instanceof IndexColorModel);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int v = template.getRaster().getSample(x, y, 0); // 255: background
                for (int b = 0; b < r.getNumBands(); b++) {
                    int max = (1 << r.getSampleModel().getSampleSize(b)) - 1;
                    boolean alphaBand = alpha && b == r.getNumBands() - 1;
                    int level = alphaBand ? 255 - v : alpha ? 0 : b == 2 ? Math.min(255, v + 12) : v;
                    r.setSample(x, y, b, (level * max + 127) / 255);
                }
            }
        return img;
    }

    private static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, "png", out)).isTrue();
        return out.toByteArray();
    }

    /** What DigitPreprocessor makes of the PNG through ImageIO. */
    private static Picture viaImageIo(byte[] png) throws IOException {
        return DigitPreprocessor.picture(ImageIO.read(new ByteArrayInputStream(png)));
    }

    /** Alpha, with no alpha channel meaning opaque: ImageIO gives palettes without transparency none. */
    private static int[] alphaOf(Picture p) {
        if (p.alpha() != null) return p.alpha();
        int[] opaque = new int[p.luma().length];
        Arrays.fill(opaque, 255);
        return opaque;
    }

    /**
     * The decoder's picture, having checked that both of its ways give it: the whole image inflated at once by
     * simdnet's {@link Inflate}, and strip by strip through zlib (what pictures over 16 MB take).
     */
    private static Picture decodeBothWays(byte[] png, String what) {
        Picture whole = PngDecoder.decode(png, what), strips = PngDecoder.decode(png, what, 0);
        if (whole == null || strips == null) {
            assertThat(strips).as(what + ": strips").isEqualTo(whole);
            return whole;
        }
        assertThat(strips.luma()).as(what + ": strips, luminance").isEqualTo(whole.luma());
        assertThat(strips.alpha()).as(what + ": strips, alpha").isEqualTo(whole.alpha());
        return whole;
    }

    private static void assertSamePicture(Picture fast, Picture slow, String what) {
        assertThat(fast).as(what + ": decoded by the fast path").isNotNull();
        assertThat(fast.width()).as(what).isEqualTo(slow.width());
        assertThat(fast.height()).as(what).isEqualTo(slow.height());
        assertThat(fast.luma()).as(what + ": luminance").isEqualTo(slow.luma());
        assertThat(alphaOf(fast)).as(what + ": alpha").isEqualTo(alphaOf(slow));
    }

    private static void assertSameResult(DigitPreprocessor.Result a, DigitPreprocessor.Result b, String what) {
        assertThat(a.reason()).as(what).isEqualTo(b.reason());
        assertThat(a.digit()).as(what).isEqualTo(b.digit());
    }

    @Test
    void everyColourTypeAndBitDepthGivesImageIosLuminanceAndAlpha() throws IOException {
        long seed = 1;
        for (Kind kind : KINDS)
            for (int[] size : new int[][] {{1, 1}, {3, 7}, {281, 279}}) {
                String what = kind + " " + size[0] + "x" + size[1];
                byte[] png = png(random(kind, size[0], size[1], seed++));
                assertThat(new int[] {png[25], png[24]}).as(what + ": colour type and bit depth written")
                        .containsExactly(kind.colorType(), kind.bitDepth());
                assertSamePicture(decodeBothWays(png, what), viaImageIo(png), what);
            }
    }

    @Test
    void aDigitInEveryKindOfPngIsPreparedAsThroughImageIo(@TempDir Path dir) throws IOException {
        for (Kind kind : KINDS) {
            Path file = dir.resolve(kind.name().replace(' ', '_') + ".png");
            Files.write(file, png(digit(kind, 7)));
            DigitPreprocessor.Result fast = PRE.process(file), slow = PRE.process(ImageIO.read(file.toFile()));
            assertThat(fast.isDigit()).as(kind + ": " + fast.reason()).isTrue();
            assertSameResult(fast, slow, kind.name());
        }
    }

    /** The gray levels of a 16-bit PNG are the same picture as its 8-bit version (not brightened as linear gray). */
    @Test
    void sixteenBitGrayIsTheSamePictureAsEightBitGray() throws IOException {
        BufferedImage g8 = digit(KINDS.get(0), 3), g16 = digit(KINDS.get(1), 3);
        DigitPreprocessor.Result r8 = PRE.process(ImageIO.read(new ByteArrayInputStream(png(g8))));
        assertSameResult(PRE.process(ImageIO.read(new ByteArrayInputStream(png(g16)))), r8, "16-bit gray through ImageIO");
        assertSameResult(PRE.process(PngDecoder.decode(png(g16), "16-bit")), r8, "16-bit gray through PngDecoder");
    }

    // ---- Hand-made PNGs: every filter type, several IDAT chunks, and the broken files encoders do not write.

    private static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        b.putInt(data.length).put(name).put(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        return b.putInt((int) crc.getValue()).array();
    }

    private static byte[] ihdr(int w, int h, int depth, int type, int interlace) {
        return ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) depth).put((byte) type).put((byte) 0).put((byte) 0)
                .put((byte) interlace).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater();
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return out.toByteArray();
    }

    private static int predictor(int filter, int a, int b, int c) {
        return switch (filter) {
            case 0 -> 0;
            case 1 -> a;
            case 2 -> b;
            case 3 -> (a + b) >> 1;
            default -> {
                int p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
                yield pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            }
        };
    }

    /** The image data of unfiltered {@code rows}, row y filtered with {@code filters[y]}, as PNG encoders do. */
    private static byte[] filtered(byte[][] rows, int[] filters, int step) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] above = new byte[rows[0].length];
        for (int y = 0; y < rows.length; y++) {
            byte[] row = rows[y];
            out.write(filters[y]);
            for (int i = 0; i < row.length; i++) {
                int a = i >= step ? row[i - step] & 0xff : 0, b = above[i] & 0xff, c = i >= step ? above[i - step] & 0xff : 0;
                out.write((row[i] & 0xff) - predictor(filters[y], a, b, c));
            }
            above = row;
        }
        return out.toByteArray();
    }

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** A PNG: header, extra chunks, then the zlib stream of {@code data} split over {@code idats} IDAT chunks. */
    private static byte[] handMade(byte[] ihdr, byte[] data, int idats, byte[]... extra) {
        byte[] z = deflate(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(SIGNATURE);
        out.writeBytes(chunk("IHDR", ihdr));
        for (byte[] e : extra) out.writeBytes(e);
        for (int i = 0; i < idats; i++) out.writeBytes(chunk("IDAT", Arrays.copyOfRange(z, z.length * i / idats, z.length * (i + 1) / idats)));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    /** The filter types of a PNG's rows, read back from its image data. */
    private static TreeSet<Integer> filtersUsed(byte[] png, int rowBytes, int height) throws Exception {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        for (int at = 8; at < png.length; ) {
            int length = ByteBuffer.wrap(png, at, 4).getInt();
            if (new String(png, at + 4, 4, StandardCharsets.US_ASCII).equals("IDAT")) z.write(png, at + 8, length);
            at += 12 + length;
        }
        Inflater inf = new Inflater();
        inf.setInput(z.toByteArray());
        byte[] data = new byte[(1 + rowBytes) * height];
        assertThat(inf.inflate(data)).isEqualTo(data.length);
        inf.end();
        TreeSet<Integer> used = new TreeSet<>();
        for (int y = 0; y < height; y++) used.add((int) data[y * (1 + rowBytes)]);
        return used;
    }

    private static byte[][] randomRows(int h, int rowBytes, SplittableRandom rng) {
        byte[][] rows = new byte[h][rowBytes];
        for (byte[] row : rows) for (int i = 0; i < rowBytes; i++) row[i] = (byte) rng.nextInt(256);
        return rows;
    }

    @Test
    void allFiveFiltersAndSplitImageDataDecodeAsImageIoDoes() throws Exception {
        SplittableRandom rng = new SplittableRandom(7);
        // {colour type, bit depth, width, height}: gray, RGB, palette (2 bits, with tRNS), gray 4 bits, gray +
        // alpha, RGBA 16 bits, RGB 16 bits; then pictures of several strips of rows (the decoder inflates 32 KB
        // at a time), so that filters look at a row above in the strip before.
        int[][] types = {{0, 8, 13, 11}, {2, 8, 13, 11}, {3, 2, 13, 11}, {0, 4, 13, 11}, {4, 8, 13, 11}, {6, 16, 13, 11},
                {2, 16, 13, 11}, {0, 8, 600, 150}, {6, 16, 300, 40}};
        byte[] plte = chunk("PLTE", new byte[] {0, 0, 0, 90, 20, (byte) 200, (byte) 255, (byte) 255, (byte) 250, 30, (byte) 140, 60});
        byte[] trns = chunk("tRNS", new byte[] {(byte) 255, (byte) 128, 0});
        for (int[] t : types) {
            int w = t[2], h = t[3], channels = switch (t[0]) { case 2 -> 3; case 4 -> 2; case 6 -> 4; default -> 1; };
            int rowBytes = (w * channels * t[1] + 7) / 8, step = Math.max(1, channels * t[1] / 8);
            int[] filters = new int[h];
            for (int y = 0; y < h; y++) filters[y] = y % 5; // all five, and Paeth or Average at the big pictures' strip edges
            byte[] data = filtered(randomRows(h, rowBytes, rng), filters, step);
            byte[] png = t[0] == 3 ? handMade(ihdr(w, h, t[1], t[0], 0), data, 3, plte, trns) : handMade(ihdr(w, h, t[1], t[0], 0), data, 3);
            String what = "colour type " + t[0] + ", " + t[1] + " bits, " + w + "x" + h;
            assertThat(filtersUsed(png, rowBytes, h)).as(what).containsExactly(0, 1, 2, 3, 4);
            assertSamePicture(decodeBothWays(png, what), viaImageIo(png), what);
        }
    }

    @Test
    void emptyIdatChunksAndAncillaryChunksAreFine() throws IOException {
        byte[] data = filtered(randomRows(4, 5, new SplittableRandom(3)), new int[] {1, 2, 3, 4}, 1);
        byte[] z = deflate(data);
        byte[] png = concat(SIGNATURE, chunk("IHDR", ihdr(5, 4, 8, 0, 0)), chunk("gAMA", new byte[] {0, 0, (byte) 0xb1, (byte) 0x8f}),
                chunk("IDAT", new byte[0]), chunk("IDAT", Arrays.copyOf(z, 4)), chunk("IDAT", new byte[0]),
                chunk("IDAT", Arrays.copyOfRange(z, 4, z.length)), chunk("tEXt", "Comment\0hi".getBytes(StandardCharsets.ISO_8859_1)),
                chunk("IEND", new byte[0]));
        assertSamePicture(decodeBothWays(png, "chunks"), viaImageIo(png), "chunks");
    }

    // ---- Broken files: a clear error naming the file, from the decoder and from DigitPreprocessor.process(Path).

    private static void assertBroken(Path dir, byte[] png, String message) throws IOException {
        assertThatThrownBy(() -> PngDecoder.decode(png, "test.png")).isInstanceOf(DataException.class)
                .hasMessageStartingWith("test.png ").hasMessageContaining(message);
        assertThatThrownBy(() -> PngDecoder.decode(png, "test.png", 0)).as("strips").isInstanceOf(DataException.class)
                .hasMessageStartingWith("test.png ").hasMessageContaining(message);
        Path file = Files.write(dir.resolve("broken.png"), png);
        assertThatThrownBy(() -> PRE.process(file)).isInstanceOf(DataException.class)
                .hasMessageStartingWith(file + " ").hasMessageContaining(message);
    }

    /** Where the first chunk of this type starts (its length field). */
    private static int chunkAt(byte[] png, String type) {
        for (int at = 8; at < png.length; at += 12 + ByteBuffer.wrap(png, at, 4).getInt())
            if (new String(png, at + 4, 4, StandardCharsets.US_ASCII).equals(type)) return at;
        throw new AssertionError("no " + type);
    }

    @Test
    void corruptFilesGiveClearErrors(@TempDir Path dir) throws IOException {
        byte[] good = png(random(KINDS.get(5), 40, 30, 11));
        int idat = chunkAt(good, "IDAT"), idatLength = ByteBuffer.wrap(good, idat, 4).getInt();

        byte[] signature = good.clone();
        signature[1] = 'X';
        assertThatThrownBy(() -> PngDecoder.decode(signature, "test.png"))
                .isInstanceOf(DataException.class).hasMessage("test.png is not a valid PNG: it does not start with PNG's signature");
        Path notPng = Files.write(dir.resolve("not.png"), signature); // not a PNG at all: ImageIO has its say
        assertThatThrownBy(() -> PRE.process(notPng)).isInstanceOf(DataException.class)
                .hasMessage(notPng + " is not an image ImageIO can read (PNG, JPEG, GIF, BMP)");

        byte[] crc = good.clone();
        crc[idat + 8 + idatLength / 2] ^= 0x10;
        assertBroken(dir, crc, "is not a valid PNG: the CRC of its IDAT chunk is wrong");
        assertBroken(dir, Arrays.copyOf(good, idat + 8 + idatLength / 2), "is not a valid PNG: the file ends inside its IDAT chunk (truncated?)");
        assertBroken(dir, Arrays.copyOf(good, good.length - 12), "is not a valid PNG: the file ends before its IEND chunk (truncated?)");

        byte[][] rows = randomRows(11, 13, new SplittableRandom(1));
        byte[] data = filtered(rows, new int[11], 1);
        assertBroken(dir, handMade(ihdr(13, 11, 8, 0, 0), Arrays.copyOf(data, 8 * 14 + 5), 1),
                "is not a valid PNG: its image data ends at row 8 of 11 (truncated?)");
        assertBroken(dir, handMade(ihdr(0, 11, 8, 0, 0), data, 1), "is not a valid PNG: its header gives a size of 0x11 pixels");
        assertBroken(dir, handMade(ihdr(13, 11, 4, 2, 0), data, 1), "colour type 2 with bit depth 4, which PNG does not have");
        byte[] badFilter = data.clone();
        badFilter[14 * 3] = 5;
        assertBroken(dir, handMade(ihdr(13, 11, 8, 0, 0), badFilter, 1), "is not a valid PNG: row 3 has filter type 5 (PNG has 0 to 4)");
        byte[] notZlib = concat(Arrays.copyOf(good, idat), chunk("IDAT", "definitely not zlib".getBytes(StandardCharsets.US_ASCII)),
                chunk("IEND", new byte[0]));
        assertBroken(dir, notZlib, "is not a valid PNG: its image data is not valid zlib data");
        // A decompression bomb: a few bytes claiming 100000 x 100000 pixels, refused before allocating.
        for (int interlace = 0; interlace <= 1; interlace++) // interlaced: not passed on to ImageIO either
            assertBroken(dir, handMade(ihdr(100_000, 100_000, 8, 6, interlace), new byte[1000], 1),
                    "is 100000x100000 pixels: the limit is 16777216 pixels (4096x4096)");
        assertThatThrownBy(() -> PRE.process(dir.resolve("missing.png"))).isInstanceOf(DataException.class)
                .hasMessageContaining("does not exist");
    }

    // ---- What the decoder leaves to ImageIO: same result as ImageIO's, never a guess.

    private static void assertLeftToImageIo(Path dir, byte[] png, String what) throws IOException {
        assertThat(PngDecoder.decode(png, what)).as(what).isNull();
        Path file = Files.write(dir.resolve("fallback.png"), png);
        assertSameResult(PRE.process(file), PRE.process(ImageIO.read(file.toFile())), what);
    }

    @Test
    void interlacedAndUnusualPngsFallBackToImageIo(@TempDir Path dir) throws IOException {
        for (Kind kind : List.of(KINDS.get(0), KINDS.get(5), KINDS.get(15))) {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT); // Adam7
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(stream);
                writer.write(null, new IIOImage(digit(kind, 5), null, null), param);
            }
            writer.dispose();
            byte[] png = out.toByteArray();
            assertThat(png[28]).as("interlaced").isEqualTo((byte) 1);
            assertLeftToImageIo(dir, png, "interlaced " + kind);
            assertThat(PRE.process(dir.resolve("fallback.png")).isDigit()).isTrue();
        }
        byte[] gray = filtered(randomRows(6, 6, new SplittableRandom(2)), new int[6], 1);
        // A transparent colour key (tRNS) in an RGB picture.
        assertLeftToImageIo(dir, handMade(ihdr(2, 6, 8, 2, 0), gray, 1, chunk("tRNS", new byte[] {0, 10, 0, 20, 0, 30})), "RGB with tRNS");
        // Palette indices past the end of the palette (2 entries, index 3).
        byte[] indices = filtered(new byte[][] {{0, 1, 3}, {1, 1, 0}}, new int[2], 1);
        assertLeftToImageIo(dir, handMade(ihdr(3, 2, 8, 3, 0), indices, 1, chunk("PLTE", new byte[] {0, 0, 0, (byte) 255, 0, 0})),
                "palette index out of range");
    }
}
