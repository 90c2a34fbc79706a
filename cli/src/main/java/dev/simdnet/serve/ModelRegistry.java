package dev.simdnet.serve;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The served models by name, the first being the default. Names come from the URL, so they are checked against
 * a strict pattern before any lookup: a name never reaches the file system, and one with '/' or '..' is refused.
 */
public final class ModelRegistry implements AutoCloseable {
    /** Letters, digits, '.', '_' and '-', not starting with '.', at most 64 characters. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

    private final Map<String, ServedModel> models = new LinkedHashMap<>();

    public ModelRegistry(List<ServedModel> served) {
        if (served.isEmpty()) throw new IllegalArgumentException("serve at least one model");
        for (ServedModel m : served) {
            String name = m.info().name();
            if (!NAME.matcher(name).matches()) throw new IllegalArgumentException(invalidName(name));
            if (models.putIfAbsent(name, m) != null) throw new IllegalArgumentException("two models are named '" + name + "': name them NAME=CHECKPOINT");
        }
    }

    static String invalidName(String name) {
        return "invalid model name '" + name + "': use letters, digits, '.', '_' and '-' (at most 64, not starting with '.')";
    }

    public ServedModel defaultModel() { return models.values().iterator().next(); }

    public List<ServedModel> all() { return List.copyOf(models.values()); }

    /** The model named {@code name}: 400 for a malformed name (a path, say), 404 for one not served. */
    public ServedModel get(String name) {
        if (name == null || !NAME.matcher(name).matches())
            throw new ApiException(400, invalidName(name == null ? "" : name.length() > 80 ? name.substring(0, 80) + "..." : name));
        ServedModel m = models.get(name);
        if (m == null) throw new ApiException(404, "unknown model '" + name + "': served models are " + String.join(", ", models.keySet()));
        return m;
    }

    @Override
    public void close() {
        for (ServedModel m : models.values()) m.close();
    }
}
