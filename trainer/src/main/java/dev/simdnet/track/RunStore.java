package dev.simdnet.track;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A runs directory: one folder per run, named by its id. Folders are created with
 * {@link Files#createDirectory}, which fails when the name exists, so two processes creating runs at the same
 * instant each get their own folder (the loser of a clash draws a new suffix).
 *
 * <p>Layout of a run folder (the formats are documented in README.md, "Run records"): config.json, env.json,
 * status.json, metrics.csv, summary.json, confusion.csv, tags.json, note.txt, model.safetensors.
 */
public final class RunStore {
    public static final String CONFIG = "config.json", ENV = "env.json", STATUS = "status.json", METRICS = "metrics.csv",
            SUMMARY = "summary.json", CONFUSION = "confusion.csv", TAGS = "tags.json", NOTE = "note.txt", MODEL = "model.safetensors";

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Path root;

    public RunStore(Path root) {
        this.root = root;
    }

    public Path root() { return root; }

    /**
     * Makes sure runs can be written here (creating the folder), before any training starts; the message
     * says what is wrong.
     */
    public void checkWritable() throws IOException {
        if (Files.exists(root) && !Files.isDirectory(root)) throw new IOException("cannot keep runs in " + root + ": it is a file, not a folder");
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new IOException("cannot create the runs folder " + root + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        if (!Files.isWritable(root)) throw new IOException("cannot write runs to " + root + ": folder not writable (use --runs-dir)");
    }

    /**
     * Creates a new, empty run folder with a fresh id: UTC time to the second, then 6 hex digits drawn from
     * {@code random}. The random suffix keeps ids apart within a second; a clash with an existing folder
     * (another writer won the same name) draws again.
     */
    public Path createRun(Instant now, SplittableRandom random) throws IOException {
        checkWritable();
        for (int attempt = 0; attempt < 100; attempt++) {
            String id = STAMP.format(now) + "-" + String.format("%06x", random.nextInt(1 << 24));
            try {
                return Files.createDirectory(root.resolve(id));
            } catch (FileAlreadyExistsException clash) {
                // someone else has this name: draw another suffix
            }
        }
        throw new IOException("cannot create a unique run folder in " + root + " after 100 attempts");
    }

    public Path dir(String id) { return root.resolve(id); }

    /** The ids of every run folder, oldest first (ids sort by time). */
    public List<String> ids() throws IOException {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) return ids;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || name.equals("sweeps")) continue;
                if (Files.isRegularFile(p.resolve(STATUS)) || Files.isRegularFile(p.resolve(CONFIG))) ids.add(name);
            }
        }
        ids.sort(null);
        return ids;
    }

    /** Every run, read from its small files only. */
    public List<RunInfo> list() throws IOException {
        // Five small reads per run: spread over the cores (order kept), as a listing waits on the file system.
        return ids().parallelStream().map(id -> {
            try {
                return info(id);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    /** One run's small files; a run whose files cannot be read is shown as "corrupt" rather than failing the listing. */
    public RunInfo info(String id) throws IOException {
        Path d = dir(id);
        RunStatus status = null;
        String state;
        Map<String, Object> config = Map.of(), summary = Map.of();
        try {
            Map<String, Object> s = RecordFiles.readJson(d.resolve(STATUS));
            status = s == null ? null : RunStatus.fromMap(s);
            state = status == null ? "corrupt" : status.effectiveState();
            config = orEmpty(RecordFiles.readJson(d.resolve(CONFIG)));
            summary = orEmpty(RecordFiles.readJson(d.resolve(SUMMARY)));
        } catch (IOException | IllegalArgumentException e) {
            state = "corrupt";
        }
        return new RunInfo(id, d, status, state, config, summary, tags(d), note(d));
    }

    private static Map<String, Object> orEmpty(Map<String, Object> m) { return m == null ? Map.of() : m; }

    private static Map<String, String> tags(Path d) {
        Map<String, String> tags = new LinkedHashMap<>();
        try {
            Map<String, Object> m = RecordFiles.readJson(d.resolve(TAGS));
            if (m != null) for (var e : m.entrySet()) tags.put(e.getKey(), String.valueOf(e.getValue()));
        } catch (IOException e) {
            // an unreadable tags file shows as no tags
        }
        return tags;
    }

    private static String note(Path d) {
        Path f = d.resolve(NOTE);
        if (!Files.isRegularFile(f)) return "";                         // most runs have none: no exception per run
        try {
            return Files.readString(f, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The run named by {@code idOrPrefix}: a full id, a unique prefix of one, or a unique prefix of the random
     * part after the last '-' (easier to type: {@code 4bc6} for {@code 20261128-122305-4bc6e9}). Refuses ambiguous or unknown names with the reason.
     */
    public String resolve(String idOrPrefix) throws IOException {
        if (idOrPrefix.isEmpty()) throw new IllegalArgumentException("an empty run id");
        if (!idOrPrefix.contains("/") && Files.isDirectory(dir(idOrPrefix))) return idOrPrefix;
        List<String> matches = new ArrayList<>();
        for (String id : ids()) if (id.startsWith(idOrPrefix) || id.substring(id.lastIndexOf('-') + 1).startsWith(idOrPrefix)) matches.add(id);
        if (matches.size() == 1) return matches.get(0);
        if (matches.isEmpty()) throw new IllegalArgumentException("no run '" + idOrPrefix + "' in " + root);
        throw new IllegalArgumentException("'" + idOrPrefix + "' matches " + matches.size() + " runs (" + String.join(", ", matches.subList(0, Math.min(3, matches.size())))
                + (matches.size() > 3 ? ", ..." : "") + "): give more of the id");
    }

    /** A run's per-epoch metrics, one map per metrics.csv row (column name to number; empty cells are NaN). */
    public List<Map<String, Double>> metrics(String id) throws IOException {
        List<Map<String, Double>> rows = new ArrayList<>();
        Path f = dir(id).resolve(METRICS);
        if (!Files.exists(f)) return rows;
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        if (lines.isEmpty()) return rows;
        List<String> header = RecordFiles.splitCsv(lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            List<String> cells = RecordFiles.splitCsv(line);
            Map<String, Double> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size() && i < cells.size(); i++) row.put(header.get(i), number(cells.get(i)));
            rows.add(row);
        }
        return rows;
    }

    /** A run's confusion matrix {@code [true][predicted]}, or null if it has none. */
    public int[][] confusion(String id) throws IOException {
        Path f = dir(id).resolve(CONFUSION);
        if (!Files.exists(f)) return null;
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        List<int[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            List<String> cells = RecordFiles.splitCsv(line);
            int[] r = new int[cells.size() - 1];
            for (int i = 1; i < cells.size(); i++) r[i - 1] = Integer.parseInt(cells.get(i).strip());
            rows.add(r);
        }
        return rows.toArray(new int[0][]);
    }

    /** A run's environment (env.json), empty if absent. */
    public Map<String, Object> env(String id) throws IOException {
        return orEmpty(RecordFiles.readJson(dir(id).resolve(ENV)));
    }

    private static double number(String s) {
        if (s.isBlank()) return Double.NaN;
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
