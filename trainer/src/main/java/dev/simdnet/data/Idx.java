package dev.simdnet.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reader of LeCun's IDX files: a big-endian header (magic {@code 0x0000 08 dims}, then one int per dimension)
 * followed by unsigned bytes. Images are {@code idx3} (magic 2051: count, rows, cols), labels {@code idx1}
 * (magic 2049: count). Gzip'ed files are recognized by their first two bytes, so either form is accepted.
 */
public final class Idx {
    private Idx() {}

    /** Image magic: unsigned bytes, 3 dimensions. */
    public static final int IMAGES_MAGIC = 0x0803;
    /** Label magic: unsigned bytes, 1 dimension. */
    public static final int LABELS_MAGIC = 0x0801;

    /** The pixels of an idx3 file: {@code count} images of {@code rows x cols} uint8, row-major. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
        public Images {
            if (count < 0 || rows <= 0 || cols <= 0 || pixels.length != (long) count * rows * cols)
                throw new IllegalArgumentException("inconsistent images: " + count + " x " + rows + " x " + cols
                        + " with " + pixels.length + " bytes");
        }
    }

    public static Images readImages(Path file) {
        return readImages(read(file), file.toString());
    }

    public static byte[] readLabels(Path file) {
        return readLabels(read(file), file.toString());
    }

    /** Parses an idx3 image file given as bytes (gzip'ed or not); {@code what} names it in errors. */
    public static Images readImages(byte[] fileBytes, String what) {
        try (DataInputStream in = open(fileBytes)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC)
                throw new DataException(what + " is not an IDX image file: magic " + magic + ", expected " + IMAGES_MAGIC);
            int count = in.readInt(), rows = in.readInt(), cols = in.readInt();
            if (count < 0 || rows <= 0 || cols <= 0 || rows > 4096 || cols > 4096
                    || (long) count * rows * cols > Integer.MAX_VALUE - 16)
                throw new DataException(what + " has an implausible header: " + count + " images of " + rows + "x" + cols);
            byte[] px = new byte[count * rows * cols];
            readFully(in, px, what);
            return new Images(count, rows, cols, px);
        } catch (IOException e) {
            throw new DataException("cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    /** Parses an idx1 label file given as bytes (gzip'ed or not). */
    public static byte[] readLabels(byte[] fileBytes, String what) {
        try (DataInputStream in = open(fileBytes)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC)
                throw new DataException(what + " is not an IDX label file: magic " + magic + ", expected " + LABELS_MAGIC);
            int count = in.readInt();
            if (count < 0 || count > Integer.MAX_VALUE - 16)
                throw new DataException(what + " has an implausible header: " + count + " labels");
            byte[] labels = new byte[count];
            readFully(in, labels, what);
            return labels;
        } catch (IOException e) {
            throw new DataException("cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e, e);
        }
    }

    private static DataInputStream open(byte[] bytes) throws IOException {
        InputStream in = new ByteArrayInputStream(bytes);
        boolean gzip = bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
        if (gzip) in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        return new DataInputStream(in);
    }

    private static void readFully(DataInputStream in, byte[] out, String what) throws IOException {
        try {
            in.readFully(out);
        } catch (EOFException e) {
            throw new DataException(what + " is truncated: the header promises " + out.length
                    + " bytes of data that are not there", e);
        }
        if (in.read() >= 0) throw new DataException(what + " has bytes after the data its header describes");
    }
}
