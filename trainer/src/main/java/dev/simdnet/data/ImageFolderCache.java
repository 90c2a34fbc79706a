package dev.simdnet.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.io.UncheckedIOException;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The decoded pixels of an {@link ImageFolder}, kept on disk so that a second run skips decoding. The file's name
 * and its first line hold the folder's fingerprint (every file's path, size and modification time, and the
 * settings), so a changed folder or other settings never read stale pixels: they miss and decode afresh. A cache
 * that cannot be written or read only costs the time of decoding, never the run.
 */
final class ImageFolderCache {
    private ImageFolderCache() {}

    /** Bumped whenever the file layout or the decoding changes, so old caches miss. */
    static final String FORMAT = "simdnet-image-folder-cache/2";

    /** {@code DIR/.simdnet-cache/}, or the user's cache folder when DIR cannot be written. */
    static List<Path> folders(Path dir) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path user = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("simdnet");
        return List.of(dir.resolve(ImageFolder.CACHE_DIR), user);
    }

    static String fileName(String fingerprint) {
        return "images-" + fingerprint.substring(0, 32) + ".bin";
    }

    /** The cached contents for this fingerprint, or null when there are none (or they cannot be read). */
    static ImageFolder.Contents read(Path dir, String fingerprint, Consumer<String> notes) {
        for (Path folder : folders(dir)) {
            Path f = folder.resolve(fileName(fingerprint));
            if (!Files.isRegularFile(f)) continue;
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16))) {
                if (!in.readUTF().equals(FORMAT) || !in.readUTF().equals(fingerprint)) continue;
                int nClasses = in.readInt();
                List<String> classes = new ArrayList<>();
                for (int k = 0; k < nClasses; k++) classes.add(in.readUTF());
                int rows = in.readInt(), cols = in.readInt(), channels = in.readInt();
                Dataset[] splits = new Dataset[ImageFolder.SPLITS.size()];
                for (int s = 0; s < splits.length; s++) {
                    if (!in.readBoolean()) continue;
                    int n = in.readInt();
                    byte[] labels = new byte[n], px = new byte[Math.multiplyExact(n, rows * cols * channels)];
                    in.readFully(labels);
                    in.readFully(px);
                    splits[s] = new Dataset("folder/" + ImageFolder.SPLITS.get(s), n, rows, cols, channels, px, labels, nClasses);
                }
                int files = in.readInt(), badCount = in.readInt(), listed = in.readInt();
                List<String> bad = new ArrayList<>();
                for (int i = 0; i < listed; i++) bad.add(in.readUTF());
                return new ImageFolder.Contents(List.copyOf(classes), rows, cols, channels, splits, files, badCount, List.copyOf(bad));
            } catch (IOException | RuntimeException e) {
                notes.accept("ignoring the unreadable cache " + f + " (" + e + "); decoding again");
            }
        }
        return null;
    }

    /** How many caches a cache folder keeps: a few sizes or versions of a folder, not every one ever decoded. */
    static final int KEPT = 4;

    /** Deletes all but the {@link #KEPT} newest caches of the folder; a cache that cannot be deleted stays. */
    private static void prune(Path folder) {
        try (var files = Files.list(folder)) {
            List<Path> caches = files.filter(f -> f.getFileName().toString().matches("images-[0-9a-f]+\\.bin"))
                    .sorted(Comparator.comparing(ImageFolderCache::modified).reversed()).toList();
            for (Path old : caches.subList(Math.min(KEPT, caches.size()), caches.size())) Files.deleteIfExists(old);
        } catch (IOException | UncheckedIOException e) {
            // stale caches only take space
        }
    }

    private static FileTime modified(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** Writes the contents beside the folder (or in the user's cache), atomically; a failure is only a note. */
    static void write(Path dir, String fingerprint, ImageFolder.Contents c, Consumer<String> notes) {
        List<String> failures = new ArrayList<>();
        for (Path folder : folders(dir)) {
            Path target = folder.resolve(fileName(fingerprint)), tmp = null;
            try {
                Files.createDirectories(folder);
                tmp = Files.createTempFile(folder, "images-", ".part");
                try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
                    out.writeUTF(FORMAT);
                    out.writeUTF(fingerprint);
                    out.writeInt(c.classes().size());
                    for (String name : c.classes()) out.writeUTF(name);
                    out.writeInt(c.rows());
                    out.writeInt(c.cols());
                    out.writeInt(c.channels());
                    for (Dataset d : c.splits()) {
                        out.writeBoolean(d != null);
                        if (d == null) continue;
                        out.writeInt(d.n());
                        out.write(d.labels());
                        out.write(d.images());
                    }
                    out.writeInt(c.files());
                    out.writeInt(c.badCount());
                    out.writeInt(c.firstBad().size());
                    for (String b : c.firstBad()) out.writeUTF(b.length() > 1000 ? b.substring(0, 1000) : b);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                notes.accept("cached the decoded pictures in " + target);
                prune(folder);
                return;
            } catch (IOException | RuntimeException e) {
                failures.add(folder + ": " + e.getMessage());
                if (tmp != null) {
                    try {
                        Files.deleteIfExists(tmp);
                    } catch (IOException ignored) {
                        // a stray .part file is harmless
                    }
                }
            }
        }
        notes.accept("could not cache the decoded pictures (" + String.join("; ", failures) + "); the next run decodes them again");
    }
}
