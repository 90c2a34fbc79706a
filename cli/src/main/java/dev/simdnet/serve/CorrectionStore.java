package dev.simdnet.serve;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * The folder where the page's corrections are kept ({@code serve --corrections DIR}), an image-folder data set that
 * {@code train --init MODEL --data-dir DIR --replay-mnist N} fine-tunes on:
 *
 * <pre>
 * DIR/train/&lt;label&gt;/&lt;time&gt;-&lt;hash&gt;.png      the 28x28 input the model saw (white digit on black, as MNIST)
 * DIR/original/&lt;label&gt;/&lt;time&gt;-&lt;hash&gt;.png   the drawing as sent: strokes drawn on their canvas, or the picture's own bytes (.jpg for a JPEG)
 * </pre>
 *
 * <p>{@code time} is UTC to the millisecond and {@code hash} the first 12 hex digits of the SHA-256 of both pictures,
 * so names sort by time and never collide for different content. Each file is written to a temporary file in its
 * folder and then hard-linked to its name, which fails rather than replace an existing file (a rename would
 * replace it), so a crash leaves no half-written picture and nothing is ever overwritten. The folder is bounded in
 * corrections and bytes, counted from what is on disk at start and kept under a lock.
 */
public final class CorrectionStore {
    /** What the folder may hold at most: corrections (each two files) and bytes of pictures. */
    public record Bounds(int maxCorrections, long maxBytes) {
        public static final Bounds DEFAULT = new Bounds(10_000, 200L << 20);

        public Bounds {
            if (maxCorrections < 1) throw new IllegalArgumentException("the corrections folder must hold at least one correction, got " + maxCorrections);
            if (maxBytes < 1024) throw new IllegalArgumentException("the corrections folder must hold at least 1024 bytes, got " + maxBytes);
        }
    }

    /** What was stored: the two files' paths, relative to the folder. */
    public record Stored(String input, String original) {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Path dir;
    private final Bounds bounds;
    private int corrections;
    private long bytes;

    /** Opens (creating it if needed) the folder and counts what it holds. */
    public CorrectionStore(Path dir, Bounds bounds) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.bounds = bounds;
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IOException("--corrections " + dir + " is a file, not a folder");
        Files.createDirectories(this.dir.resolve("train"));
        Files.createDirectories(this.dir.resolve("original"));
        if (!Files.isWritable(this.dir.resolve("train"))) throw new IOException("cannot write to the corrections folder " + dir);
        try (Stream<Path> s = Files.walk(this.dir.resolve("train"))) {
            corrections = (int) s.filter(f -> f.toString().endsWith(".png") && Files.isRegularFile(f)).count();
        }
        try (Stream<Path> s = Files.walk(this.dir)) {
            bytes = s.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    public Path dir() { return dir; }

    public synchronized int corrections() { return corrections; }

    public synchronized long bytes() { return bytes; }

    /**
     * Stores one correction: {@code input} the 28x28 sample in [0, 1] (MNIST polarity), {@code original} the drawing's
     * PNG bytes. A full folder is refused with 507 and nothing is written.
     */
    public synchronized Stored store(String label, float[] input, byte[] original, String originalExtension) throws IOException {
        if (!originalExtension.equals("png") && !originalExtension.equals("jpg")) throw new IllegalArgumentException("original must be png or jpg");
        if (!label.matches("[A-Za-z0-9_.-]{1,64}") || label.startsWith(".")) throw new IllegalArgumentException("bad label '" + label + "'");
        byte[] in = png(input);
        long need = in.length + (long) original.length;
        if (corrections >= bounds.maxCorrections())
            throw new ApiException(507, "the corrections folder is full (" + corrections + " corrections, the limit is " + bounds.maxCorrections()
                    + "): fine-tune on it, then move it away or start serve with a larger --corrections-max");
        if (bytes + need > bounds.maxBytes())
            throw new ApiException(507, "the corrections folder is full (" + bytes + " bytes, the limit is " + bounds.maxBytes()
                    + "): fine-tune on it, then move it away or start serve with a larger --corrections-max-mb");
        String stem = TIME.format(Instant.now()) + "-" + hash(in, original), name = stem + ".png";
        Path inFile = dir.resolve("train").resolve(label).resolve(name), origFile = dir.resolve("original").resolve(label).resolve(stem + "." + originalExtension);
        if (Files.exists(inFile) || Files.exists(origFile)) throw new ApiException(409, "this very correction was stored a moment ago (" + name + ")");
        writeNew(origFile, original);
        try {
            writeNew(inFile, in);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(origFile); // a correction is both files or neither
            throw e;
        }
        corrections++;
        bytes += need;
        return new Stored(dir.relativize(inFile).toString(), dir.relativize(origFile).toString());
    }

    /** Written beside its name, then linked to it: atomic, and refused if the name exists. */
    private static void writeNew(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), ".incoming-", ".tmp");
        try {
            Files.write(tmp, content);
            try {
                Files.createLink(file, tmp);
            } catch (UnsupportedOperationException e) {
                Files.move(tmp, file); // no hard links here: a move that fails if the name exists
            }
        } catch (FileAlreadyExistsException e) {
            throw new ApiException(409, "a correction named " + file.getFileName() + " exists already: nothing overwritten");
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A 28x28 sample in [0, 1] as a grey PNG. */
    static byte[] png(float[] sample) {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0, i = 0; y < 28; y++)
            for (int x = 0; x < 28; x++, i++) img.getRaster().setSample(x, y, 0, Math.round(Math.clamp(sample[i], 0f, 1f) * 255));
        return png(img);
    }

    static byte[] png(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hash(byte[] a, byte[] b) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(a);
            md.update(b);
            return HexFormat.of().formatHex(md.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
