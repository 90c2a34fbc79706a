package dev.simdnet.track;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Which runs to show and in what order: filters on tags, model, dataset and state, then a sort on any field
 * ({@link RunInfo#field}); a leading '-' sorts descending. Runs without the field sort last either way.
 *
 * @param tags    every tag must match (key to value)
 * @param model   null: any
 * @param dataset null: any
 * @param state   null: any (running, finished, failed, interrupted, pruned, killed)
 * @param sort    field name, "-field" for descending; null: by id (time)
 * @param limit   at most this many runs after sorting (0: all)
 */
public record RunQuery(Map<String, String> tags, String model, String dataset, String state, String sort, int limit) {

    public static final RunQuery ALL = new RunQuery(Map.of(), null, null, null, null, 0);

    public RunQuery {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        if (limit < 0) throw new IllegalArgumentException("limit must be 0 (all) or more, got " + limit);
        if (sort != null && (sort.isBlank() || sort.equals("-"))) throw new IllegalArgumentException("--sort needs a field name");
    }

    public List<RunInfo> apply(List<RunInfo> runs) {
        List<RunInfo> out = new ArrayList<>();
        for (RunInfo r : runs) if (matches(r)) out.add(r);
        if (sort != null) {
            boolean desc = sort.startsWith("-");
            String field = desc ? sort.substring(1) : sort;
            Comparator<Object> values = desc ? RunQuery::compareValues : (a, b) -> compareValues(b, a);
            // compareValues orders descending; nulls always go last
            out.sort((a, b) -> {
                Object x = a.field(field), y = b.field(field);
                if (x == null || y == null) return x == null ? (y == null ? 0 : 1) : -1;
                return values.compare(x, y);
            });
        }
        return limit > 0 && out.size() > limit ? out.subList(0, limit) : out;
    }

    boolean matches(RunInfo r) {
        for (var e : tags.entrySet()) if (!e.getValue().equals(r.tags().get(e.getKey()))) return false;
        if (model != null && !model.equals(r.config().get("model"))) return false;
        if (dataset != null && !dataset.equals(r.config().get("dataset"))) return false;
        return state == null || state.equals(r.state());
    }

    /** Descending order of two non-null values: numbers by value, anything else by its text. */
    static int compareValues(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) return Double.compare(y.doubleValue(), x.doubleValue());
        return String.valueOf(b).compareTo(String.valueOf(a));
    }
}
