package dev.simdnet.model;

import dev.simdnet.nn.Parameter;
import dev.simdnet.nn.Layers;
import dev.simdnet.nn.Sequential;
import dev.simdnet.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained model in one safetensors file: every parameter and buffer under its name ({@code conv1.weight},
 * {@code bn1.running_mean}), little-endian F32, and a {@code __metadata__} block with the model spec, the
 * resolved config, the metrics, the data checksums, the git commit and the JDK. Python's {@code safetensors}
 * opens it as it is.
 */
public final class Checkpoint {
    /** Metadata key naming the file's kind and version. */
    public static final String FORMAT_KEY = "format";
    public static final String FORMAT = "simdnet-model/1";
    public static final String MODEL_KEY = "model";
    /** Metadata key of a network built in code: its layers' settings ({@link Layers}), a JSON array. */
    public static final String LAYERS_KEY = "layers";

    private Checkpoint() {}

    /** A model read back from disk. */
    public record Loaded(ModelSpec spec, Sequential net, Map<String, String> metadata, Path file) {}

    /** Writes the model atomically: an existing file is replaced only once the new one is complete. */
    public static void save(Path file, ModelSpec spec, Sequential net, Map<String, String> metadata) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT);
        meta.put(MODEL_KEY, spec.describe());
        // A registry name rebuilds its network; any other network is saved with its layers, so that it loads back.
        if (!Models.exists(spec.name())) meta.put(LAYERS_KEY, com.fasterxml.jackson.jr.ob.JSON.std.asString(Layers.describe(net)));
        meta.putAll(metadata);
        SafeTensors.write(file, weights(net, ""), meta);
    }

    /** Reads a model, rebuilding the network its spec names and checking every tensor's name and shape. */
    public static Loaded load(Path file) throws IOException {
        return load(SafeTensors.read(file), file);
    }

    /** Reads a model bundled as a class-path resource (the jar's default model). */
    public static Loaded loadResource(String resource) throws IOException {
        try (var in = Checkpoint.class.getResourceAsStream(resource)) {
            if (in == null) throw new CheckpointException("this build has no bundled model " + resource + ": pass --model CHECKPOINT");
            return load(SafeTensors.decode(in.readAllBytes(), "bundled model " + resource), Path.of(resource));
        }
    }

    private static Loaded load(SafeTensors.Contents c, Path file) {
        String format = c.metadata().get(FORMAT_KEY);
        if (!FORMAT.equals(format))
            throw new CheckpointException(file + " is not a simdnet model checkpoint (format " + (format == null ? "missing" : "'" + format + "'")
                    + "; expected " + FORMAT + ")");
        ModelSpec spec;
        try {
            spec = ModelSpec.parse(c.metadata().getOrDefault(MODEL_KEY, ""));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + " has no valid model description: " + e.getMessage());
        }
        Sequential net;
        if (Models.exists(spec.name())) {
            net = Models.build(spec, 0);
        } else if (c.metadata().containsKey(LAYERS_KEY)) {
            try {
                net = Layers.build(layersOf(c.metadata().get(LAYERS_KEY)));
            } catch (IllegalArgumentException | ClassCastException | IOException e) {
                throw new CheckpointException(file + ": its network ('" + spec.name() + "', built in code) cannot be rebuilt: " + e.getMessage());
            }
        } else {
            throw new CheckpointException(file + " holds a '" + spec.name() + "' model, which this version does not know (known: "
                    + String.join(", ", Models.names()) + ")");
        }
        copyWeights(c.tensors(), "", net, file);
        return new Loaded(spec, net, c.metadata(), file);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> layersOf(String json) throws IOException {
        List<Object> list = com.fasterxml.jackson.jr.ob.JSON.std.listFrom(json);
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (Object o : list) out.add((Map<String, Object>) o);
        return out;
    }

    /** Loads and checks that the checkpoint is of the expected architecture. */
    public static Loaded load(Path file, ModelSpec expected) throws IOException {
        Loaded l = load(file);
        if (!l.spec().name().equals(expected.name()))
            throw new CheckpointException(file + " is a '" + l.spec().name() + "' model, not '" + expected.name()
                    + "': pass a checkpoint of the same model, or --model " + l.spec().name());
        return l;
    }

    /** Parameters then buffers, under {@code prefix + name}. */
    public static LinkedHashMap<String, Tensor> weights(Sequential net, String prefix) {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        for (Parameter p : net.parameters()) m.put(prefix + p.name(), p.value());
        for (var e : net.buffers().entrySet()) m.put(prefix + e.getKey(), e.getValue());
        return m;
    }

    /** Copies {@code prefix + name} tensors into the network, refusing any missing name or wrong shape. */
    public static void copyWeights(Map<String, Tensor> tensors, String prefix, Sequential net, Path file) {
        for (var e : weights(net, "").entrySet()) {
            Tensor src = tensors.get(prefix + e.getKey());
            Tensor dst = e.getValue();
            if (src == null)
                throw new CheckpointException(file + " lacks the tensor " + prefix + e.getKey() + ": it was saved from another architecture");
            if (!src.sameShape(dst))
                throw new CheckpointException(file + ": " + prefix + e.getKey() + " has shape " + Arrays.toString(src.shape())
                        + " but the model needs " + Arrays.toString(dst.shape()) + ": it was saved from another architecture");
            System.arraycopy(src.data(), src.offset(), dst.data(), dst.offset(), dst.size());
        }
    }

    /** A checkpoint that cannot be used, with the reason. */
    public static final class CheckpointException extends RuntimeException {
        public CheckpointException(String message) {
            super(message);
        }
    }
}
