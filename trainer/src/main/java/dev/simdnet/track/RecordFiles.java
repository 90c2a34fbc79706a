package dev.simdnet.track;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading and writing the small files of a run record. Every write goes to a temporary file in the same
 * folder and is then moved over the target, so a reader (or a crash) sees the old file or the new one,
 * never half of one.
 */
public final class RecordFiles {
    /**
     * The JSON writers: nulls are written (a missing value stays a visible key), pretty-printed for people reading
     * the files. In a holder class so that reading runs never loads the JSON library.
     */
    private static final class Writers {
        static final JSON LINE = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);
        static final JSON PRETTY = LINE.with(JSON.Feature.PRETTY_PRINT_OUTPUT);
    }

    private RecordFiles() {}

    /** Writes {@code text} to {@code file} atomically (temp file in the same folder, then a move). */
    public static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().threadId() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Writes a map as pretty-printed JSON; NaN and infinities (not JSON) become null. */
    public static void writeJson(Path file, Map<String, ?> map) throws IOException {
        write(file, toJson(map) + "\n");
    }

    public static String toJson(Object value) {
        try {
            return Writers.PRETTY.asString(jsonSafe(value));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode as JSON: " + e.getMessage(), e);
        }
    }

    /** One line of JSON, for stdout. */
    public static String toJsonLine(Object value) {
        try {
            return Writers.LINE.asString(jsonSafe(value));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode as JSON: " + e.getMessage(), e);
        }
    }

    /** The JSON object in {@code file}, or null when the file does not exist. */
    public static Map<String, Object> readJson(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
        return parseObject(text, file.toString());
    }

    /** Parses a JSON object; a malformed text is an IOException naming {@code source}. */
    public static Map<String, Object> parseObject(String text, String source) throws IOException {
        if (text.isBlank()) throw new IOException(source + " is empty");
        Object v;
        try {
            v = JsonReader.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(source + " is not valid JSON: " + e.getMessage());
        }
        if (!(v instanceof Map<?, ?> m)) throw new IOException(source + " must hold a JSON object, not " + (v == null ? "null" : "a " + kind(v)));
        @SuppressWarnings("unchecked") Map<String, Object> map = (Map<String, Object>) m;
        return map;
    }

    private static String kind(Object v) {
        return v instanceof List<?> ? "list" : v instanceof String ? "string" : v instanceof Number ? "number" : v.getClass().getSimpleName();
    }

    /** Replaces non-finite doubles by null, recursively (JSON has no NaN). */
    static Object jsonSafe(Object v) {
        if (v instanceof Double d && !Double.isFinite(d)) return null;
        if (v instanceof Float f && !Float.isFinite(f)) return null;
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (var e : m.entrySet()) out.put(String.valueOf(e.getKey()), jsonSafe(e.getValue()));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) out.add(jsonSafe(o));
            return out;
        }
        if (v instanceof int[][] a) {
            List<Object> out = new ArrayList<>();
            for (int[] row : a) {
                List<Integer> r = new ArrayList<>();
                for (int x : row) r.add(x);
                out.add(r);
            }
            return out;
        }
        return v;
    }

    /** Quotes a CSV field when it holds a comma, quote or line break (RFC 4180). */
    public static String csv(Object v) {
        if (v == null) return "";
        if (v instanceof Double d && !Double.isFinite(d)) return "";
        String s = String.valueOf(v);
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** Splits one CSV line written by {@link #csv} (quoted fields allowed). */
    public static List<String> splitCsv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') { f.append('"'); i++; }
                else if (c == '"') quoted = false;
                else f.append(c);
            } else if (c == '"') quoted = true;
            else if (c == ',') { out.add(f.toString()); f.setLength(0); }
            else f.append(c);
        }
        out.add(f.toString());
        return out;
    }
}
