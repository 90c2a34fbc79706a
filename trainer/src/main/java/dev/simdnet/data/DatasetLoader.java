package dev.simdnet.data;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds, verifies, downloads and reads MNIST-style data sets.
 *
 * <p>Every file is checked against its published SHA-256 before it is parsed, whether it was found on disk
 * or just downloaded; a file that does not match is an error naming the file and both hashes, never
 * silently used or replaced.
 */
public final class DatasetLoader {
    private DatasetLoader() {}

    /** Loads one part (train or test) of a data set. */
    public static Dataset load(DatasetKind kind, Subset subset, DataSource source) {
        Path dir = resolveDir(kind, source);
        String imagesName = DatasetKind.imagesFile(subset), labelsName = DatasetKind.labelsFile(subset);
        byte[] imageBytes = verifiedBytes(kind, dir, imagesName, source);
        byte[] labelBytes = verifiedBytes(kind, dir, labelsName, source);
        Idx.Images images = Idx.readImages(imageBytes, dir.resolve(imagesName).toString());
        byte[] labels = Idx.readLabels(labelBytes, dir.resolve(labelsName).toString());
        if (labels.length != images.count())
            throw new DataException(dir + ": " + images.count() + " images but " + labels.length + " labels");
        return new Dataset(kind.dirName() + "/" + subset.name().toLowerCase(Locale.ROOT),
                images.count(), images.rows(), images.cols(), images.pixels(), labels, kind.numClasses());
    }

    /**
     * The folder that holds (or will hold, after a download) the data set: the first of the source's
     * candidates that has any of its files, else the first candidate when downloads are allowed.
     */
    public static Path resolveDir(DatasetKind kind, DataSource source) {
        List<Path> candidates = candidates(kind, source);
        for (Path c : candidates)
            if (hasAnyFile(c)) return c;
        if (source.download()) return candidates.getFirst();
        if (source.explicitDir() != null)
            throw new DataException("no " + kind.dirName() + " files (" + String.join(", ", DatasetKind.allFiles()) + ") in "
                    + candidates.getFirst() + ", and " + source.explicitDir() + " is no image folder either (train/<class>/*.png)");
        throw new DataException("no " + kind.dirName() + " files (" + String.join(", ", DatasetKind.allFiles())
                + ") in " + candidates + "; pass --data-dir or set " + DataSource.ENV);
    }

    /**
     * The folders searched, in order. A folder the user named is the only one: falling back to
     * {@code SIMDNET_DATA} or {@code ./data} would train on other data than asked for, so a named folder that
     * does not exist is an error, never created.
     */
    public static List<Path> candidates(DatasetKind kind, DataSource source) {
        List<Path> out = new ArrayList<>();
        if (source.explicitDir() != null) {
            if (!Files.isDirectory(source.explicitDir()))
                throw new DataException("--data-dir " + source.explicitDir() + " does not exist or is not a folder: create it"
                        + (source.download() ? " (missing files are then downloaded into it)" : "") + ", or name another");
            return List.of(datasetDirIn(kind, source.explicitDir()));
        }
        if (source.envDir() != null) out.add(datasetDirIn(kind, Path.of(source.envDir())));
        out.add(source.workingDir().resolve("data").resolve(kind.dirName()));
        return out;
    }

    /** {@code base} itself if it holds the data set (or is named after it), else its sub-folder for it. */
    private static Path datasetDirIn(DatasetKind kind, Path base) {
        if (hasAnyFile(base)) return base;
        for (String alias : kind.dirAliases()) {
            Path sub = base.resolve(alias);
            if (hasAnyFile(sub)) return sub;
        }
        Path name = base.getFileName();
        if (name != null && kind.dirAliases().contains(name.toString())) return base;
        return base.resolve(kind.dirName());
    }

    private static boolean hasAnyFile(Path dir) {
        for (String f : DatasetKind.allFiles())
            if (Files.isRegularFile(dir.resolve(f)) || Files.isRegularFile(dir.resolve(stripGz(f)))) return true;
        return false;
    }

    private static String stripGz(String f) {
        return f.substring(0, f.length() - 3);
    }

    /** The bytes of {@code gzName} (or its decompressed twin) in {@code dir}, downloaded if absent, verified. */
    private static byte[] verifiedBytes(DatasetKind kind, Path dir, String gzName, DataSource source) {
        Path gz = dir.resolve(gzName), raw = dir.resolve(stripGz(gzName));
        Path file;
        if (Files.isRegularFile(gz)) file = gz;
        else if (Files.isRegularFile(raw)) file = raw;
        else if (source.download()) file = download(kind, dir, gzName, source);
        else throw new DataException(gz + " is missing; download it (data/download.sh) or pass --data-dir");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e, e);
        }
        Checksums.verify(bytes, kind.sha256(file.getFileName().toString()), file.toString());
        return bytes;
    }

    /**
     * Downloads {@code gzName} into {@code dir}: to a temporary file beside it, verified, then moved into
     * place atomically, so a partial or wrong download never takes the file's name. Mirrors are tried in
     * order; the error lists why each failed.
     */
    public static Path download(DatasetKind kind, Path dir, String gzName, DataSource source) {
        List<URI> mirrors = source.mirrors().isEmpty() ? kind.mirrors() : source.mirrors();
        String expected = kind.sha256(gzName);
        Path target = dir.resolve(gzName);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DataException("cannot create " + dir + " to download " + gzName + " into: " + e, e);
        }
        List<String> failures = new ArrayList<>();
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(source.timeout())
                .followRedirects(HttpClient.Redirect.NORMAL).build()) {
            for (URI mirror : mirrors) {
                URI url = mirror.resolve(gzName);
                Path tmp = null;
                try {
                    tmp = Files.createTempFile(dir, gzName, ".part");
                    HttpRequest request = HttpRequest.newBuilder(url).timeout(source.timeout()).GET().build();
                    HttpResponse<Path> response = client.send(request, HttpResponse.BodyHandlers.ofFile(tmp));
                    if (response.statusCode() != 200) {
                        failures.add("cannot download " + gzName + " from " + url + ": HTTP " + response.statusCode());
                        continue;
                    }
                    String actual = Checksums.sha256(tmp);
                    if (!actual.equals(expected)) {
                        failures.add("downloaded " + gzName + " from " + url + " but its SHA-256 is " + actual
                                + ", expected " + expected);
                        continue;
                    }
                    try {
                        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    tmp = null;
                    return target;
                } catch (IOException e) {
                    failures.add("cannot download " + gzName + " from " + url + ": " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DataException("interrupted while downloading " + gzName + " from " + url, e);
                } finally {
                    if (tmp != null) {
                        try {
                            Files.deleteIfExists(tmp);
                        } catch (IOException ignored) {
                            // the .part file is harmless; the next download makes a new one
                        }
                    }
                }
            }
        }
        throw new DataException(String.join("; ", failures) + "; download it yourself (see data/README.md) and pass --data-dir");
    }
}
