package dev.simdnet.data;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where to look for data set files and whether to download missing ones.
 *
 * <p>{@code explicitDir} (the CLI's {@code --data-dir}), when given, is the only folder looked in, and must
 * exist. Without it, folders are tried in this order: {@code envDir} (the environment variable
 * {@code SIMDNET_DATA}), then {@code data/<dataset>/} under {@code workingDir}. Each of the first two may be the data set's own folder or a parent holding
 * {@code mnist/} and {@code fashion-mnist/}. Missing files are downloaded into the first folder given.
 *
 * @param explicitDir  a folder named by the user, or null
 * @param envDir       the value of {@code SIMDNET_DATA}, or null
 * @param workingDir   the folder whose {@code data/} is the last resort
 * @param download     whether missing files may be downloaded
 * @param mirrors      base URLs to download from instead of the data set's own (tests), or empty
 * @param timeout      connect and request timeout of a download
 */
public record DataSource(Path explicitDir, String envDir, Path workingDir, boolean download, List<URI> mirrors,
                         Duration timeout) {
    /** The environment variable that may name the data folder. */
    public static final String ENV = "SIMDNET_DATA";

    public DataSource {
        Objects.requireNonNull(workingDir, "workingDir");
        mirrors = List.copyOf(Objects.requireNonNull(mirrors, "mirrors"));
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
        if (envDir != null && envDir.isBlank()) envDir = null;
    }

    /** The usual source: {@code explicitDir} (may be null), {@code SIMDNET_DATA}, {@code ./data}; downloads allowed. */
    public static DataSource standard(Path explicitDir) {
        return new DataSource(explicitDir, System.getenv(ENV), Path.of("").toAbsolutePath(), true, List.of(),
                Duration.ofSeconds(60));
    }

    /** Only {@code dir} (the data set folder or its parent), no download: what tests use. */
    public static DataSource offline(Path dir) {
        return new DataSource(dir, null, Path.of("").toAbsolutePath(), false, List.of(), Duration.ofSeconds(60));
    }

    public DataSource withDownload(boolean allow) {
        return new DataSource(explicitDir, envDir, workingDir, allow, mirrors, timeout);
    }

    public DataSource withMirrors(List<URI> newMirrors) {
        return new DataSource(explicitDir, envDir, workingDir, download, newMirrors, timeout);
    }
}
