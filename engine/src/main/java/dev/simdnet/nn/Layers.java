package dev.simdnet.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A network as a list of layer settings and back: what a checkpoint stores for a network built in code, whose
 * architecture no registry name rebuilds. The weights are not part of it (the checkpoint's tensors are).
 */
public final class Layers {
    private Layers() {}

    /** Each layer's {@link Layer#config()}, in order; refuses a layer that cannot be described. */
    public static List<Map<String, Object>> describe(Sequential net) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Layer l : net.layers()) {
            Map<String, Object> c = l.config();
            if (c == null) throw new IllegalArgumentException("layer " + l.name() + " (" + l.getClass().getSimpleName()
                    + ") cannot be saved: only " + String.join(", ", TYPES) + " layers can be rebuilt from a file");
            out.add(c);
        }
        return out;
    }

    static final List<String> TYPES = List.of("conv2d", "linear", "batchnorm", "relu", "maxpool2d", "flatten", "dropout");

    /** The network {@link #describe} described, with fresh weights to be overwritten; every setting checked. */
    public static Sequential build(List<? extends Map<String, ?>> layers) {
        if (layers.isEmpty()) throw new IllegalArgumentException("a network needs at least one layer");
        if (layers.size() > 1000) throw new IllegalArgumentException("a network of " + layers.size() + " layers is more than this reads (1,000)");
        SplittableRandom rng = new SplittableRandom(0);
        List<Layer> out = new ArrayList<>();
        for (Map<String, ?> c : layers) {
            String type = string(c, "type"), name = string(c, "name");
            out.add(switch (type) {
                case "conv2d" -> new Conv2d(name, size(c, "in"), size(c, "out"), size(c, "kernel"), size(c, "stride"), count(c, "pad"), rng);
                case "linear" -> new Linear(name, size(c, "in"), size(c, "out"), rng);
                case "batchnorm" -> new BatchNorm(name, size(c, "channels"), number(c, "momentum"), number(c, "eps"));
                case "relu" -> new Relu(name);
                case "maxpool2d" -> new MaxPool2d(name, size(c, "size"), size(c, "stride"));
                case "flatten" -> new Flatten(name);
                case "dropout" -> new Dropout(name, number(c, "p"));
                default -> throw new IllegalArgumentException("unknown layer type '" + type + "' (known: " + String.join(", ", TYPES) + ")");
            });
        }
        return new Sequential(out);
    }

    private static String string(Map<String, ?> c, String key) {
        if (!(c.get(key) instanceof String s) || s.isBlank()) throw new IllegalArgumentException("a layer's '" + key + "' must be a name, got " + c);
        return s;
    }

    /** A positive size, bounded so that a damaged file cannot ask for gigabytes. */
    private static int size(Map<String, ?> c, String key) {
        int v = count(c, key);
        if (v < 1) throw new IllegalArgumentException("layer " + c.get("name") + ": '" + key + "' must be at least 1, got " + v);
        return v;
    }

    private static int count(Map<String, ?> c, String key) {
        if (!(c.get(key) instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 0 || n.doubleValue() > 1 << 16)
            throw new IllegalArgumentException("layer " + c.get("name") + ": '" + key + "' must be a whole number in [0, 65536], got " + c.get(key));
        return n.intValue();
    }

    private static float number(Map<String, ?> c, String key) {
        if (!(c.get(key) instanceof Number n)) throw new IllegalArgumentException("layer " + c.get("name") + ": '" + key + "' must be a number, got " + c.get(key));
        return n.floatValue();
    }
}
