package dev.simdnet.track;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** The plain-text views of {@code runs list}, {@code runs show} and {@code runs compare}. */
public final class RunText {
    private RunText() {}

    /** The columns {@code runs list} shows unless told otherwise. */
    public static final List<String> DEFAULT_COLUMNS = List.of("id", "state", "model", "dataset", "epochs", "batch", "lr",
            "best_val_accuracy", "test_accuracy", "train_seconds", "tags");

    /** The summary figures set side by side by {@code runs compare}. */
    public static final List<String> COMPARED_METRICS = List.of("test_accuracy", "test_loss", "best_val_accuracy", "best_epoch",
            "epochs", "parameters", "macs_per_image", "train_seconds", "images_per_second", "peak_heap_mb", "peak_rss_mb");

    /** A fixed-width table of {@code runs} with one column per field ("tags" shows key=value pairs). */
    public static String table(List<RunInfo> runs, List<String> columns) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(columns);
        for (RunInfo r : runs) {
            List<String> row = new ArrayList<>();
            for (String c : columns) row.add(c.equals("tags") ? tagText(r.tags()) : format(r.field(c)));
            rows.add(row);
        }
        return align(rows);
    }

    static String tagText(Map<String, String> tags) {
        StringBuilder sb = new StringBuilder();
        for (var e : tags.entrySet()) sb.append(sb.isEmpty() ? "" : " ").append(e.getKey()).append('=').append(e.getValue());
        return sb.toString();
    }

    /** Everything about one run: status, tags, note, config, environment, summary and the epochs. */
    public static String show(RunStore store, RunInfo r) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("run ").append(r.id()).append("  ").append(r.state());
        if (r.status() != null && r.status().message() != null) sb.append(" (").append(r.status().message()).append(')');
        sb.append('\n');
        if (r.status() != null) {
            sb.append("started ").append(r.status().started());
            if (r.status().ended() != null) sb.append("  ended ").append(r.status().ended());
            sb.append("  pid ").append(r.status().pid()).append('\n');
        }
        if (!r.tags().isEmpty()) sb.append("tags: ").append(tagText(r.tags())).append('\n');
        if (!r.note().isEmpty()) sb.append("note: ").append(r.note()).append('\n');
        sb.append("folder: ").append(r.dir()).append("\n\nconfig\n");
        keyValues(sb, r.config());
        sb.append("\nenvironment\n");
        keyValues(sb, store.env(r.id()));
        if (!r.summary().isEmpty()) {
            sb.append("\nsummary\n");
            keyValues(sb, r.summary());
        }
        List<Map<String, Double>> epochs = store.metrics(r.id());
        if (!epochs.isEmpty()) {
            sb.append("\nepochs\n");
            List<List<String>> rows = new ArrayList<>();
            rows.add(RunRecorder.METRIC_COLUMNS);
            for (Map<String, Double> e : epochs) {
                List<String> row = new ArrayList<>();
                for (String c : RunRecorder.METRIC_COLUMNS) row.add(format(e.get(c)));
                rows.add(row);
            }
            sb.append(align(rows));
        }
        return sb.toString();
    }

    private static void keyValues(StringBuilder sb, Map<String, Object> m) {
        int w = 0;
        for (String k : m.keySet()) w = Math.max(w, k.length());
        for (var e : m.entrySet()) sb.append("  ").append(pad(e.getKey(), w)).append("  ").append(format(e.getValue())).append('\n');
    }

    /**
     * Runs side by side: the config fields that differ between them, then the summary figures. With a
     * baseline, each other run's column shows its value and the change against the baseline
     * ({@code 0.1 (was 0.05)} for config, {@code 0.9912 (+0.0031)} for figures).
     */
    public static String compare(List<RunInfo> runs, RunInfo baseline) {
        List<RunInfo> all = new ArrayList<>();
        if (baseline != null) all.add(baseline);
        for (RunInfo r : runs) if (baseline == null || !r.id().equals(baseline.id())) all.add(r);

        Set<String> keys = new LinkedHashSet<>();
        for (RunInfo r : all) keys.addAll(r.config().keySet());
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>();
        header.add("");
        for (RunInfo r : all) header.add(r.id() + (baseline != null && r == baseline ? " (baseline)" : ""));
        rows.add(header);
        rows.add(section("config (differing fields)", all.size()));
        int differing = 0;
        for (String k : keys) {
            Set<String> values = new LinkedHashSet<>();
            for (RunInfo r : all) values.add(format(r.config().get(k)));
            if (values.size() < 2) continue;
            differing++;
            List<String> row = new ArrayList<>();
            row.add("  " + k);
            Object base = baseline == null ? null : baseline.config().get(k);
            for (RunInfo r : all) {
                Object v = r.config().get(k);
                String text = format(v);
                if (baseline != null && r != baseline && !Objects.equals(format(v), format(base))) text += " (was " + format(base) + ")";
                row.add(text);
            }
            rows.add(row);
        }
        if (differing == 0) rows.add(List.of("  (identical)"));
        Set<String> tagKeys = new LinkedHashSet<>();
        for (RunInfo r : all) tagKeys.addAll(r.tags().keySet());
        for (String k : tagKeys) {
            List<String> row = new ArrayList<>();
            row.add("  tag." + k);
            for (RunInfo r : all) row.add(r.tags().getOrDefault(k, ""));
            rows.add(row);
        }
        rows.add(section("metrics", all.size()));
        List<String> state = new ArrayList<>();
        state.add("  state");
        for (RunInfo r : all) state.add(r.state());
        rows.add(state);
        for (String k : COMPARED_METRICS) {
            boolean any = false;
            for (RunInfo r : all) any |= r.summary().get(k) != null;
            if (!any) continue;
            List<String> row = new ArrayList<>();
            row.add("  " + k);
            Object base = baseline == null ? null : baseline.summary().get(k);
            for (RunInfo r : all) {
                Object v = r.summary().get(k);
                String text = format(v);
                if (baseline != null && r != baseline && v instanceof Number x && base instanceof Number b)
                    text += " (" + signed(x.doubleValue() - b.doubleValue()) + ")";
                row.add(text);
            }
            rows.add(row);
        }
        return align(rows);
    }

    private static List<String> section(String title, int runs) {
        List<String> row = new ArrayList<>();
        row.add(title);
        for (int i = 0; i < runs; i++) row.add("");
        return row;
    }

    static String signed(double d) {
        String s = format(d);
        return d >= 0 ? "+" + s : s;
    }

    /** A value as text: numbers without trailing noise (0.1 not 0.10000000149), lists and maps compactly. */
    public static String format(Object v) {
        if (v == null) return "-";
        if (v instanceof Double d) return Double.isFinite(d) ? trim(d) : "-";
        if (v instanceof Float f) return Float.isFinite(f) ? trim(Double.parseDouble(Float.toString(f))) : "-";
        if (v instanceof Number n) return n.toString();
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object o : l) parts.add(format(o));
            return "[" + String.join(", ", parts) + "]";
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, String> parts = new LinkedHashMap<>();
            for (var e : m.entrySet()) parts.put(String.valueOf(e.getKey()), format(e.getValue()));
            return parts.toString();
        }
        return String.valueOf(v);
    }

    /** Six significant digits, no trailing zeros (BigDecimal: far cheaper than a Formatter over thousands of cells). */
    private static String trim(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        BigDecimal b = BigDecimal.valueOf(d).round(SIX).stripTrailingZeros();
        return Math.abs(d) >= 1e-4 && Math.abs(d) < 1e15 ? b.toPlainString() : b.toString();
    }

    private static final MathContext SIX = new MathContext(6);

    static String align(List<List<String>> rows) {
        int cols = 0;
        for (List<String> r : rows) cols = Math.max(cols, r.size());
        int[] w = new int[cols];
        for (List<String> r : rows) for (int i = 0; i < r.size(); i++) w[i] = Math.max(w[i], r.get(i).length());
        StringBuilder sb = new StringBuilder();
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) line.append(i == 0 ? "" : "  ").append(pad(r.get(i), w[i]));
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    /** The best trials of a sweep as a table (the local and the Spark sweep print the same). */
    public static String sweepTable(List<Map<String, Object>> best, SweepSpace space) {
        StringBuilder sb = new StringBuilder(space.goal() == null ? "best configurations (by validation accuracy):\n"
                : "best configurations (reaching " + format(space.goal().minValAccuracy()) + " validation accuracy, smallest "
                + space.goal().minimize() + " first):\n");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("rank", "trial", "run", "status", "best_val_accuracy", "test_accuracy", "parameters", "params"));
        int rank = 1;
        for (Map<String, Object> r : best)
            rows.add(List.of(Integer.toString(rank++), format(r.get("trial")), format(r.get("run_id")), format(r.get("status")),
                    format(r.get("best_val_accuracy")), format(r.get("test_accuracy")), format(r.get("parameters")),
                    RecordFiles.toJsonLine(r.get("params"))));
        int[] w = new int[rows.get(0).size()];
        for (List<String> row : rows) for (int i = 0; i < row.size(); i++) w[i] = Math.max(w[i], row.get(i).length());
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) line.append(i == 0 ? "" : "  ").append(String.format("%-" + w[i] + "s", row.get(i)));
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        if (best.isEmpty()) sb.append("(no trial has a validation accuracy)\n");
        return sb.toString();
    }
}
