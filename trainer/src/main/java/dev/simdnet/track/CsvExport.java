package dev.simdnet.track;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code runs export --csv}: one row per run, or one row per epoch of each run, for spreadsheets. */
public final class CsvExport {
    private CsvExport() {}

    /**
     * Columns: id, state, started, ended, tags ("k=v;k=v"), note, every config field as {@code config.NAME},
     * then every summary field (the union over the runs, in first-seen order). Empty cells for missing values.
     */
    public static String runs(List<RunInfo> runs) {
        Set<String> config = new LinkedHashSet<>(), summary = new LinkedHashSet<>();
        for (RunInfo r : runs) {
            config.addAll(r.config().keySet());
            summary.addAll(r.summary().keySet());
        }
        summary.remove("run_id");
        List<String> header = new ArrayList<>(List.of("id", "state", "started", "ended", "tags", "note"));
        for (String k : config) header.add("config." + k);
        header.addAll(summary);
        StringBuilder sb = new StringBuilder();
        line(sb, new ArrayList<>(header));
        for (RunInfo r : runs) {
            List<Object> row = new ArrayList<>();
            row.add(r.id());
            row.add(r.state());
            row.add(r.status() == null ? null : r.status().started());
            row.add(r.status() == null ? null : r.status().ended());
            List<String> tags = new ArrayList<>();
            for (var e : r.tags().entrySet()) tags.add(e.getKey() + "=" + e.getValue());
            row.add(String.join(";", tags));
            row.add(r.note());
            for (String k : config) row.add(cell(r.config().get(k)));
            for (String k : summary) row.add(cell(r.summary().get(k)));
            line(sb, row);
        }
        return sb.toString();
    }

    /** Long format: run id, then each metrics.csv column, one row per epoch of every run. */
    public static String epochs(RunStore store, List<RunInfo> runs) throws IOException {
        StringBuilder sb = new StringBuilder();
        List<Object> header = new ArrayList<>();
        header.add("id");
        header.addAll(RunRecorder.METRIC_COLUMNS);
        line(sb, header);
        for (RunInfo r : runs) {
            for (Map<String, Double> e : store.metrics(r.id())) {
                List<Object> row = new ArrayList<>();
                row.add(r.id());
                for (String c : RunRecorder.METRIC_COLUMNS) row.add(number(e.get(c)));
                line(sb, row);
            }
        }
        return sb.toString();
    }

    /** 3 rather than 3.0; empty for a missing value. */
    private static Object number(Double v) {
        if (v == null || !Double.isFinite(v)) return null;
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) v.longValue() : v;
    }

    private static Object cell(Object v) {
        return v instanceof List<?> || v instanceof Map<?, ?> ? RecordFiles.toJsonLine(v) : v;
    }

    private static void line(StringBuilder sb, List<Object> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(RecordFiles.csv(cells.get(i)));
        }
        sb.append('\n');
    }
}
