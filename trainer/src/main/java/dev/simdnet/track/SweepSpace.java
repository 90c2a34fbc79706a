package dev.simdnet.track;

import dev.simdnet.train.TrainConfig;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A sweep's search space, read from a JSON file (the format is documented in README.md, "Sweeps"):
 *
 * <pre>{@code
 * {
 *   "name": "lr-dropout",                       // the sweep's name (default: the file name)
 *   "method": "random",                         // grid, random or list
 *   "trials": 12,                               // random: how many; grid: at most this many points
 *   "seed": 1,                                  // draws of random search
 *   "base": {"preset": "baseline", "epochs": 3},// fixed for every trial
 *   "parameters": {                             // grid and random
 *     "model": ["mlp", "lenet5"],               //   a list: choose among the values
 *     "lr": {"min": 0.01, "max": 0.3, "log": true, "steps": 3},  // a range (steps: grid points)
 *     "batch": {"min": 32, "max": 256, "log": true, "integer": true}
 *   },
 *   "configs": [{"stage": "baseline"}, {"stage": "overfit", "model": "best"}],  // list: trials in order
 *   "halving": {"eta": 3, "min_epochs": 1},     // stop poor trials early (asynchronous successive halving)
 *   "goal": {"min_val_accuracy": 0.99, "minimize": "parameters"}   // rank: smallest that holds the accuracy
 * }
 * }</pre>
 *
 * <p>Parameters are the fields of {@link TrainConfig} (camelCase, snake_case or kebab-case: {@code weightDecay},
 * {@code weight_decay}, {@code weight-decay}) and {@code preset}; {@code threads} is fixed at 1 per trial.
 */
public record SweepSpace(String name, String method, int trials, long seed, Map<String, Object> base, Map<String, Param> parameters,
                         List<Map<String, Object>> configs, Halving halving, Goal goal) {

    public static final List<String> METHODS = List.of("grid", "random", "list");

    /** One varied parameter: a list of values, or a numeric range. */
    public sealed interface Param permits Choice, Range {}

    /** Choose among these values (grid: each of them). */
    public record Choice(List<Object> values) implements Param {}

    /**
     * A numeric range. Random search draws uniformly (log-uniformly with {@code log}); grid search takes
     * {@code steps} evenly (log-evenly) spaced points from min to max.
     */
    public record Range(double min, double max, boolean log, boolean integer, int steps) implements Param {}

    /**
     * Asynchronous successive halving: at each rung epoch ({@code minEpochs}, {@code minEpochs * eta}, ...) a trial
     * continues only if its validation accuracy at that epoch is in the top 1/eta of the trials that reached it.
     */
    public record Halving(int eta, int minEpochs) {
        public Halving {
            if (eta < 2) throw new IllegalArgumentException("halving.eta must be 2 or more, got " + eta);
            if (minEpochs < 1) throw new IllegalArgumentException("halving.min_epochs must be 1 or more, got " + minEpochs);
        }
    }

    /** Ranks the trials that reach {@code minValAccuracy} by {@code minimize} (smallest first). */
    public record Goal(double minValAccuracy, String minimize) {
        public Goal {
            if (!(minValAccuracy > 0 && minValAccuracy <= 1)) throw new IllegalArgumentException("goal.min_val_accuracy must be in (0, 1], got " + minValAccuracy);
            if (!List.of("parameters", "macs_per_image", "train_seconds", "peak_heap_mb").contains(minimize))
                throw new IllegalArgumentException("goal.minimize must be parameters, macs_per_image, train_seconds or peak_heap_mb, got '" + minimize + "'");
        }
    }

    /** One trial to run: its index in the sweep, the values it varies, and the full config. */
    public record Trial(int index, Map<String, Object> params, TrainConfig config) {}

    public SweepSpace {
        if (name == null || !name.matches("[A-Za-z0-9_.-]+"))
            throw new IllegalArgumentException("the sweep name must be letters, digits, _ . or -, got '" + name + "'");
        if (!METHODS.contains(method)) throw new IllegalArgumentException("unknown method '" + method + "': use grid, random or list");
        if (trials < 0) throw new IllegalArgumentException("trials must be 1 or more, got " + trials);
        if (method.equals("random") && trials == 0) throw new IllegalArgumentException("random search needs a number of trials (\"trials\" in the space, or --trials)");
        if (method.equals("list") ? configs.isEmpty() : parameters.isEmpty())
            throw new IllegalArgumentException(method.equals("list") ? "a list sweep needs a non-empty \"configs\" array" : "the space varies nothing: add \"parameters\"");
    }

    /** Parses and checks a space file's text; every problem is an IllegalArgumentException with one clear message. */
    public static SweepSpace parse(String json, String defaultName) {
        Map<String, Object> m;
        try {
            m = RecordFiles.parseObject(json, "the space file");
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        for (String k : m.keySet())
            if (!List.of("name", "method", "trials", "seed", "base", "parameters", "configs", "halving", "goal", "description").contains(k))
                throw new IllegalArgumentException("unknown key '" + k + "' in the space file: use name, method, trials, seed, base, parameters, configs, halving, goal, description");
        String name = m.containsKey("name") ? string(m.get("name"), "name") : defaultName;
        String method = m.containsKey("method") ? string(m.get("method"), "method") : (m.containsKey("configs") ? "list" : "grid");
        int trials = m.containsKey("trials") ? integer(m.get("trials"), "trials") : 0;
        long seed = m.containsKey("seed") ? integer(m.get("seed"), "seed") : 1;
        Map<String, Object> base = canonical(object(m.getOrDefault("base", Map.of()), "base"), "base");

        Map<String, Param> params = new LinkedHashMap<>();
        for (var e : object(m.getOrDefault("parameters", Map.of()), "parameters").entrySet()) {
            String key = canonicalName(e.getKey());
            params.put(key, param(key, e.getValue()));
        }
        List<Map<String, Object>> configs = new ArrayList<>();
        Object cs = m.get("configs");
        if (cs != null) {
            if (!(cs instanceof List<?> list)) throw new IllegalArgumentException("\"configs\" must be a list of objects");
            for (Object o : list) {
                Map<String, Object> c = new LinkedHashMap<>(object(o, "each of \"configs\""));
                Object stage = c.remove("stage");
                Map<String, Object> canon = canonical(c, "configs");
                if (stage != null) canon.put("stage", String.valueOf(stage));
                configs.add(canon);
            }
        }
        Halving halving = null;
        if (m.get("halving") != null) {
            Map<String, Object> h = object(m.get("halving"), "halving");
            halving = new Halving(h.containsKey("eta") ? integer(h.get("eta"), "halving.eta") : 3,
                    h.containsKey("min_epochs") ? integer(h.get("min_epochs"), "halving.min_epochs") : 1);
        }
        Goal goal = null;
        if (m.get("goal") != null) {
            Map<String, Object> g = object(m.get("goal"), "goal");
            goal = new Goal(number(g.getOrDefault("min_val_accuracy", 0.99), "goal.min_val_accuracy"), string(g.getOrDefault("minimize", "parameters"), "goal.minimize"));
        }
        SweepSpace s = new SweepSpace(name, method, trials, seed, base, params, configs, halving, goal);
        if (!method.equals("list") && !configs.isEmpty()) throw new IllegalArgumentException("\"configs\" belongs to method list, not " + method);
        if (method.equals("list") && !params.isEmpty()) throw new IllegalArgumentException("\"parameters\" belongs to grid or random search, not list");
        return s;
    }

    /** The same space with another number of trials (the --trials option). */
    public SweepSpace withTrials(int n) {
        return new SweepSpace(name, method, n, seed, base, parameters, configs, halving, goal);
    }

    /** The same space under another name (the --name option). */
    public SweepSpace withName(String n) {
        return new SweepSpace(n, method, trials, seed, base, parameters, configs, halving, goal);
    }

    // ---------------------------------------------------------------- the trials

    /**
     * Every trial of the sweep, each config checked (so an impossible value fails here, before any training).
     * Grid: the cartesian product in file order (the last parameter varies fastest), the first {@code trials} if set.
     * Random: {@code trials} draws, trial i from its own seeded generator (so more trials extend, never change, the
     * earlier ones). List: the configs in order.
     */
    public List<Trial> expand() {
        List<Trial> out = new ArrayList<>();
        switch (method) {
            case "list" -> {
                for (int i = 0; i < configs.size() && (trials == 0 || i < trials); i++) out.add(trial(i, configs.get(i)));
            }
            case "random" -> {
                for (int i = 0; i < trials; i++) {
                    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i);
                    Map<String, Object> p = new LinkedHashMap<>();
                    for (var e : parameters.entrySet()) p.put(e.getKey(), draw(e.getValue(), r));
                    out.add(trial(i, p));
                }
            }
            default -> {
                List<String> keys = new ArrayList<>(parameters.keySet());
                List<List<Object>> axes = new ArrayList<>();
                long total = 1;
                for (String k : keys) {
                    List<Object> values = gridValues(k, parameters.get(k));
                    axes.add(values);
                    total *= values.size();
                }
                long n = trials == 0 ? total : Math.min(total, trials);
                if (n > 100_000) throw new IllegalArgumentException("the grid has " + total + " points: set \"trials\" or --trials to at most 100000");
                for (int i = 0; i < n; i++) {
                    Map<String, Object> p = new LinkedHashMap<>();
                    long rest = i;
                    for (int a = keys.size() - 1; a >= 0; a--) {
                        List<Object> values = axes.get(a);
                        p.put(keys.get(a), values.get((int) (rest % values.size())));
                        rest /= values.size();
                    }
                    Map<String, Object> ordered = new LinkedHashMap<>();
                    for (String k : keys) ordered.put(k, p.get(k));
                    out.add(trial(i, ordered));
                }
            }
        }
        return out;
    }

    private Trial trial(int index, Map<String, Object> params) {
        Map<String, Object> values = new LinkedHashMap<>(params);
        values.remove("stage");
        try {
            return new Trial(index, params, config(base, values));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("trial " + index + " " + RecordFiles.toJsonLine(params) + ": " + e.getMessage());
        }
    }

    /** The preset (base "preset", else the trial's, else baseline), then the base values, then the trial's; 1 thread. */
    static TrainConfig config(Map<String, Object> base, Map<String, Object> values) {
        Object preset = values.getOrDefault("preset", base.getOrDefault("preset", "baseline"));
        TrainConfig start = TrainConfig.preset(String.valueOf(preset));
        Map<String, Object> m = new LinkedHashMap<>();
        for (var e : base.entrySet()) if (!e.getKey().equals("preset")) m.put(e.getKey(), e.getValue());
        for (var e : values.entrySet()) if (!e.getKey().equals("preset")) m.put(e.getKey(), e.getValue());
        m.put("threads", 1);
        // A space file is JSON: names where the config has names, numbers where it has numbers, nothing coerced.
        Map<String, Object> kinds = start.toMap();
        for (var e : m.entrySet()) {
            boolean named = kinds.get(e.getKey()) instanceof String;
            if (named && !(e.getValue() instanceof String)) throw new IllegalArgumentException(e.getKey() + " must be a string, got " + e.getValue());
            if (!named && !(e.getValue() instanceof Number))
                throw new IllegalArgumentException(e.getKey() + " must be a number, got " + RecordFiles.toJsonLine(e.getValue()));
        }
        return start.with(m);
    }

    private static Object draw(Param p, SplittableRandom r) {
        if (p instanceof Choice c) return c.values().get(r.nextInt(c.values().size()));
        Range g = (Range) p;
        double u = r.nextDouble();
        double v = g.log() ? Math.exp(Math.log(g.min()) + u * (Math.log(g.max()) - Math.log(g.min()))) : g.min() + u * (g.max() - g.min());
        return g.integer() ? (Object) Math.round(v) : (Object) round(v);
    }

    private static List<Object> gridValues(String key, Param p) {
        if (p instanceof Choice c) return c.values();
        Range g = (Range) p;
        if (g.steps() == 0) throw new IllegalArgumentException("parameter " + key + ": a grid needs a list of values, or \"steps\" for a range");
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < g.steps(); i++) {
            double t = g.steps() == 1 ? 0 : (double) i / (g.steps() - 1);
            double v = g.log() ? Math.exp(Math.log(g.min()) + t * (Math.log(g.max()) - Math.log(g.min()))) : g.min() + t * (g.max() - g.min());
            Object x = g.integer() ? (Object) Math.round(v) : (Object) round(v);
            if (!values.contains(x)) values.add(x);
        }
        return values;
    }

    /** Six significant digits: 0.031623 rather than 0.031622776601683794 in configs and tables. */
    private static double round(double v) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.6g", v));
    }

    // ---------------------------------------------------------------- parsing helpers

    private static final List<String> FIELDS = TrainConfig.preset("baseline").toMap().keySet().stream().toList();

    /** camelCase, snake_case or kebab-case to the TrainConfig field name; refuses unknown names. */
    static String canonicalName(String key) {
        String flat = key.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
        if (flat.equals("preset")) return "preset";
        if (flat.equals("threads")) throw new IllegalArgumentException("threads cannot be swept: each trial runs on 1 thread (use --parallel)");
        for (String f : FIELDS) if (f.toLowerCase(Locale.ROOT).equals(flat)) return f;
        List<String> known = new ArrayList<>(FIELDS);
        known.remove("threads");
        known.add("preset");
        throw new IllegalArgumentException("unknown parameter '" + key + "': known are " + String.join(", ", known));
    }

    private static Map<String, Object> canonical(Map<String, Object> m, String where) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : m.entrySet()) out.put(canonicalName(e.getKey()), e.getValue());
        return out;
    }

    private static Param param(String key, Object v) {
        if (v instanceof List<?> list) {
            if (list.isEmpty()) throw new IllegalArgumentException("parameter " + key + ": the list of values is empty");
            for (Object value : list) {
                try {
                    config(Map.of(), Map.of(key, value == null ? "null" : value));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("parameter " + key + ": value " + RecordFiles.toJsonLine(value) + ": " + e.getMessage());
                }
            }
            return new Choice(List.copyOf(list));
        }
        if (!(v instanceof Map<?, ?>)) throw new IllegalArgumentException("parameter " + key + ": give a list of values or {\"min\": .., \"max\": ..}, not " + RecordFiles.toJsonLine(v));
        Map<String, Object> m = object(v, "parameter " + key);
        if (m.containsKey("values")) {
            if (m.size() > 1) throw new IllegalArgumentException("parameter " + key + ": \"values\" cannot be combined with " + m.keySet());
            return param(key, m.get("values") instanceof List<?> ? m.get("values") : List.of());
        }
        for (String k : m.keySet())
            if (!List.of("min", "max", "log", "integer", "steps").contains(k))
                throw new IllegalArgumentException("parameter " + key + ": unknown key '" + k + "' (use min, max, log, integer, steps, or values)");
        if (!m.containsKey("min") || !m.containsKey("max")) throw new IllegalArgumentException("parameter " + key + ": a range needs both min and max");
        double min = number(m.get("min"), key + ".min"), max = number(m.get("max"), key + ".max");
        boolean log = Boolean.TRUE.equals(m.get("log")), integer = Boolean.TRUE.equals(m.get("integer"));
        int steps = m.containsKey("steps") ? integer(m.get("steps"), key + ".steps") : 0;
        if (!(min <= max)) throw new IllegalArgumentException("parameter " + key + ": impossible range, min " + min + " is above max " + max);
        if (log && min <= 0) throw new IllegalArgumentException("parameter " + key + ": a log range needs min > 0, got " + min);
        if (steps < 0) throw new IllegalArgumentException("parameter " + key + ": steps must be 1 or more, got " + steps);
        if (integer && Math.round(min) > Math.round(max)) throw new IllegalArgumentException("parameter " + key + ": no integer in [" + min + ", " + max + "]");
        List<String> strings = List.of("model", "dataset", "optimizer", "schedule", "augment", "preset");
        if (strings.contains(key)) throw new IllegalArgumentException("parameter " + key + " takes names: give a list of values, not a range");
        // both ends must be valid settings, or the range is impossible for this field
        for (double end : new double[] {min, max}) {
            try {
                config(Map.of(), Map.of(key, integer ? (Object) Math.round(end) : (Object) end));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("parameter " + key + ": impossible range [" + RunText.format(min) + ", " + RunText.format(max) + "]: " + e.getMessage());
            }
        }
        return new Range(min, max, log, integer, steps);
    }

    private static Map<String, Object> object(Object v, String what) {
        if (!(v instanceof Map<?, ?> m)) throw new IllegalArgumentException(what + " must be a JSON object, got " + RecordFiles.toJsonLine(v));
        @SuppressWarnings("unchecked") Map<String, Object> map = (Map<String, Object>) m;
        return map;
    }

    private static String string(Object v, String what) {
        if (!(v instanceof String s)) throw new IllegalArgumentException(what + " must be a string, got " + RecordFiles.toJsonLine(v));
        return s;
    }

    private static double number(Object v, String what) {
        if (!(v instanceof Number n)) throw new IllegalArgumentException(what + " must be a number, got " + RecordFiles.toJsonLine(v));
        return n.doubleValue();
    }

    private static int integer(Object v, String what) {
        double d = number(v, what);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) throw new IllegalArgumentException(what + " must be a whole number, got " + RunText.format(v));
        return (int) d;
    }
}
