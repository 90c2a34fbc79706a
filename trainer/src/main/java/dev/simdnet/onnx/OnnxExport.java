package dev.simdnet.onnx;

import com.fasterxml.jackson.jr.ob.JSON;
import com.google.protobuf.ByteString;
import dev.simdnet.model.Model;
import dev.simdnet.nn.BatchNorm;
import dev.simdnet.nn.Conv2d;
import dev.simdnet.nn.Dropout;
import dev.simdnet.nn.Flatten;
import dev.simdnet.nn.Layer;
import dev.simdnet.nn.Linear;
import dev.simdnet.nn.MaxPool2d;
import dev.simdnet.nn.Relu;
import dev.simdnet.nn.Sequential;
import dev.simdnet.onnx.proto.OnnxProto.AttributeProto;
import dev.simdnet.onnx.proto.OnnxProto.GraphProto;
import dev.simdnet.onnx.proto.OnnxProto.ModelProto;
import dev.simdnet.onnx.proto.OnnxProto.NodeProto;
import dev.simdnet.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.simdnet.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.simdnet.onnx.proto.OnnxProto.TensorProto;
import dev.simdnet.onnx.proto.OnnxProto.TensorShapeProto;
import dev.simdnet.onnx.proto.OnnxProto.TypeProto;
import dev.simdnet.onnx.proto.OnnxProto.ValueInfoProto;
import dev.simdnet.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link Model} as an ONNX file that onnxruntime (1.15 and later, and onnxruntime-web) runs: IR version 8,
 * the {@code ai.onnx} operator set 13. The graph takes pixels in [0, 1] shaped {@code [N, C, H, W]} (the ONNX
 * convention) and normalizes them itself ({@code Sub}, {@code Div}: the same two operations, in the same order, as
 * {@link dev.simdnet.data.Normalization#apply}); it answers {@code logits} and {@code probabilities} (a
 * {@code Softmax}). simdnet's NHWC weights are transposed here, once, to ONNX's NCHW: a convolution's
 * {@code (out, kh, kw, in)} becomes {@code (out, in, kh, kw)}, and the columns of the first dense layer after a
 * flattened feature map move from simdnet's (h, w, c) order to ONNX's (c, h, w). Batch norm is kept as a
 * {@code BatchNormalization} node (exact; folding it into the convolution would change the last bits). Dropout is
 * the identity at inference and is left out. Class names, the input contract, the simdnet version and the test
 * accuracy (when the model's metadata has it) go into {@code metadata_props}.
 *
 * <p>Library entry point: {@link #write(Model, Path)}; the CLI's {@code simdnet export --format onnx} calls it.
 */
public final class OnnxExport {
    private OnnxExport() {}

    /** The IR version and operator set written: what onnxruntime 1.15+ and onnxruntime-web load. */
    public static final int IR_VERSION = 8, OPSET = 13;
    /** Names of the graph's input and outputs. */
    public static final String INPUT = "input", LOGITS = "logits", PROBABILITIES = "probabilities";
    /** metadata_props keys beyond the model's own metadata. */
    public static final String INPUT_KEY = "input", VERSION_KEY = "simdnet_version", TEST_ACCURACY_KEY = "test_accuracy";
    /** The layer types that export; anything else is refused with this list. */
    public static final List<String> SUPPORTED = List.of("Conv2d", "BatchNorm", "Relu", "MaxPool2d", "Flatten", "Linear", "Dropout");

    /** Writes {@code model} to {@code file} as ONNX, atomically (a temporary file moved into place). */
    public static void write(Model model, Path file) throws IOException {
        byte[] bytes = toBytes(model);
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        // A sibling with the default permissions (createTempFile's are owner-only): a web server must read the file.
        Path tmp = abs.resolveSibling(abs.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
        try {
            Files.write(tmp, bytes, java.nio.file.StandardOpenOption.CREATE_NEW);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The ONNX file's bytes. */
    public static byte[] toBytes(Model model) {
        return toProto(model).toByteArray();
    }

    /** The ONNX model; an unsupported layer throws {@link IllegalArgumentException} naming it. */
    public static ModelProto toProto(Model model) {
        Model.Input in = model.input();
        Builder b = new Builder();
        GraphProto.Builder g = b.graph;
        g.setName(model.spec().name());
        g.addInput(valueInfo(INPUT, "N", in.channels(), in.height(), in.width()));

        // (x - mean) / std, as Normalization.apply computes it, on pixels in [0, 1].
        String x = INPUT;
        x = b.node("Sub", "normalize_sub", List.of(x, b.scalar("input_mean", in.normalization().mean())), List.of());
        x = b.node("Div", "normalize_div", List.of(x, b.scalar("input_std", in.normalization().std())), List.of());

        List<Layer> layers = flat(model.network());
        int[] shape = {in.height(), in.width(), in.channels()}; // one sample, simdnet's HWC (or {features})
        int[] flattened = null; // the (h, w, c) of a feature map flattened for the next dense layer, whose columns then move
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            switch (l) {
                case Conv2d c -> {
                    Map<String, Object> cfg = c.config();
                    int k = (Integer) cfg.get("kernel"), s = (Integer) cfg.get("stride"), p = (Integer) cfg.get("pad");
                    x = b.node("Conv", c.name(), List.of(x, b.tensor(c.weight().name(), ohwiToOihw(c.weight().value()),
                                    dimsOf(c.weight().value(), true)), b.tensor(c.bias().name(), c.bias().value().toArray(), c.bias().value().dim(0))),
                            List.of(ints("kernel_shape", k, k), ints("strides", s, s), ints("pads", p, p, p, p), ints("dilations", 1, 1), integer("group", 1)));
                }
                case BatchNorm bn -> {
                    var ps = bn.parameters();
                    int ch = bn.channels();
                    x = b.node("BatchNormalization", bn.name(), List.of(x,
                                    b.tensor(ps.get(0).name(), ps.get(0).value().toArray(), ch),
                                    b.tensor(ps.get(1).name(), ps.get(1).value().toArray(), ch),
                                    b.tensor(bn.name() + ".running_mean", bn.runningMean().toArray(), ch),
                                    b.tensor(bn.name() + ".running_var", bn.runningVar().toArray(), ch)),
                            List.of(real("epsilon", bn.eps()), real("momentum", 1f - bn.momentum())));
                }
                case Relu r -> x = b.node("Relu", r.name(), List.of(x), List.of());
                case MaxPool2d mp -> {
                    Map<String, Object> cfg = mp.config();
                    int k = (Integer) cfg.get("size"), s = (Integer) cfg.get("stride");
                    x = b.node("MaxPool", mp.name(), List.of(x), List.of(ints("kernel_shape", k, k), ints("strides", s, s), ints("pads", 0, 0, 0, 0)));
                }
                case Dropout d -> { } // the identity at inference
                case Flatten f -> {
                    if (shape.length == 3) {
                        x = flatten(b, f.name(), x, shape, layers, i);
                        if (denseNext(layers, i)) flattened = shape;
                    }
                }
                case Linear lin -> {
                    if (shape.length == 3) {
                        x = flatten(b, lin.name() + "_flatten", x, shape, layers, i);
                        flattened = shape;
                    }
                    float[] w = lin.weight().value().toArray();
                    // After a flattened feature map the columns are in simdnet's (h, w, c) order; ONNX's Flatten gives (c, h, w).
                    if (flattened != null) w = hwcColumnsToChw(w, lin.out(), flattened[0], flattened[1], flattened[2]);
                    flattened = null;
                    x = b.node("Gemm", lin.name(), List.of(x, b.tensor(lin.weight().name(), w, lin.out(), lin.in()),
                                    b.tensor(lin.bias().name(), lin.bias().value().toArray(), lin.out())),
                            List.of(real("alpha", 1f), real("beta", 1f), integer("transB", 1)));
                }
                default -> throw new IllegalArgumentException("layer " + l.name() + " (" + l.getClass().getSimpleName()
                        + ") cannot be exported to ONNX: supported layers are " + String.join(", ", SUPPORTED));
            }
            shape = l.outputShape(shape);
        }
        if (shape.length == 3) x = flatten(b, "flatten_output", x, shape, layers, layers.size());
        if (shape.length != 1 || shape[0] != model.classes())
            throw new IllegalArgumentException("the network's output " + java.util.Arrays.toString(shape) + " is not one logit per class ("
                    + model.classes() + ")");
        b.node("Identity", "logits", List.of(x), List.of(), LOGITS);
        String scores = LOGITS;
        double t = model.calibration().temperature();
        if (t != 1) // a calibrated model's probabilities are softmax(logits / T) in every runtime, not only in simdnet
            scores = b.node("Div", "temperature", List.of(LOGITS, b.scalar("temperature", (float) t)), List.of());
        b.node("Softmax", "softmax", List.of(scores), List.of(integer("axis", 1)), PROBABILITIES);
        g.addOutput(valueInfo(PROBABILITIES, "N", model.classes()));
        g.addOutput(valueInfo(LOGITS, "N", model.classes()));

        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("simdnet")
                .setProducerVersion(version())
                .setDocString("simdnet " + model.spec().describe() + ": input " + inputContract(model))
                .setGraph(g);
        for (var e : metadata(model).entrySet())
            m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        return m.build();
    }

    /** What the graph's input is, in words: the contract a caller in another language must meet. */
    static String inputContract(Model model) {
        Model.Input in = model.input();
        return String.format(Locale.ROOT, "float32 tensor '%s' of shape [N, %d, %d, %d] (batch, channels, height, width), pixel values in [0, 1] "
                        + "(%s); the graph normalizes them itself as (x - %s) / %s. Pictures are prepared by the '%s' recipe.",
                INPUT, in.channels(), in.height(), in.width(), in.channels() == 1 ? "grey, 0 black, 1 white: MNIST's white digit on black"
                        : "red, green, blue", in.normalization().mean(), in.normalization().std(), in.preprocess().name().toLowerCase(Locale.ROOT));
    }

    private static Map<String, String> metadata(Model model) {
        Map<String, String> meta = new LinkedHashMap<>();
        try {
            meta.put(Model.CLASSES_KEY, JSON.std.asString(model.classNames()));
            meta.put(Model.NORMALIZATION_KEY, JSON.std.asString(Map.of("mean", model.input().normalization().mean(), "std", model.input().normalization().std())));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        meta.put(INPUT_KEY, inputContract(model));
        meta.put(Model.PREPROCESS_KEY, model.input().preprocess().name().toLowerCase(Locale.ROOT));
        meta.put("model", model.spec().describe());
        meta.put(VERSION_KEY, version());
        String acc = model.metadata().get(TEST_ACCURACY_KEY);
        if (acc != null) meta.put(TEST_ACCURACY_KEY, acc);
        // The calibration travels twice: its temperature as the graph's Div before the Softmax, and the whole record
        // (with the "not sure" threshold) as metadata, which simdnet's import checks against the graph.
        for (String k : List.of("dataset", "git_commit", "metrics", "config", dev.simdnet.model.Calibration.KEY))
            if (model.metadata().containsKey(k)) meta.put(k, model.metadata().get(k));
        return meta;
    }

    static String version() {
        String v = OnnxExport.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0 (development build)" : v;
    }

    /** The layers in order, nested Sequentials opened. */
    private static List<Layer> flat(Sequential net) {
        List<Layer> out = new ArrayList<>();
        for (Layer l : net.layers()) {
            if (l instanceof Sequential s) out.addAll(flat(s));
            else out.add(l);
        }
        return out;
    }

    /**
     * A flattened {@code (h, w, c)} feature map. When a dense layer reads it next (through ReLUs and dropouts only),
     * a plain {@code Flatten} whose (c, h, w) order that layer's columns are permuted to; otherwise a
     * {@code Transpose} to NHWC first, so the values come in simdnet's own order.
     */
    private static String flatten(Builder b, String name, String x, int[] hwc, List<Layer> layers, int at) {
        if (!denseNext(layers, at)) x = b.node("Transpose", name + "_nhwc", List.of(x), List.of(ints("perm", 0, 2, 3, 1)));
        return b.node("Flatten", name, List.of(x), List.of(integer("axis", 1)));
    }

    /** Whether layer {@code at} is dense, or the next one that is neither a ReLU nor a dropout is. */
    private static boolean denseNext(List<Layer> layers, int at) {
        if (at < layers.size() && layers.get(at) instanceof Linear) return true;
        int j = at + 1;
        while (j < layers.size() && (layers.get(j) instanceof Relu || layers.get(j) instanceof Dropout)) j++;
        return j < layers.size() && layers.get(j) instanceof Linear;
    }

    /** Linear weights {@code (out, h·w·c)}, columns in (h, w, c) order, with the columns moved to (c, h, w) order. */
    static float[] hwcColumnsToChw(float[] w, int out, int h, int wd, int c) {
        int in = h * wd * c;
        float[] r = new float[w.length];
        for (int o = 0; o < out; o++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < wd; x++)
                    for (int ch = 0; ch < c; ch++)
                        r[o * in + (ch * h + y) * wd + x] = w[o * in + (y * wd + x) * c + ch];
        return r;
    }

    /** A convolution's {@code (out, kh, kw, in)} weights as ONNX's {@code (out, in, kh, kw)}. */
    static float[] ohwiToOihw(Tensor t) {
        int o = t.dim(0), kh = t.dim(1), kw = t.dim(2), ci = t.dim(3);
        float[] src = t.toArray(), r = new float[src.length];
        for (int a = 0; a < o; a++)
            for (int y = 0; y < kh; y++)
                for (int x = 0; x < kw; x++)
                    for (int c = 0; c < ci; c++)
                        r[((a * ci + c) * kh + y) * kw + x] = src[((a * kh + y) * kw + x) * ci + c];
        return r;
    }

    private static int[] dimsOf(Tensor w, boolean oihw) {
        return oihw ? new int[] {w.dim(0), w.dim(3), w.dim(1), w.dim(2)} : w.shape();
    }

    private static ValueInfoProto valueInfo(String name, String batch, int... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        s.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(batch));
        for (int d : dims) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    private static AttributeProto integer(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto real(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    /** A float tensor with its values as little-endian raw bytes. */
    static TensorProto floatTensor(String name, float[] values, int... dims) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(buf.array()));
        for (int d : dims) t.addDims(d);
        return t.build();
    }

    /** The graph being written: unique node and value names. */
    private static final class Builder {
        final GraphProto.Builder graph = GraphProto.newBuilder();
        private final java.util.Set<String> names = new java.util.HashSet<>();

        String tensor(String name, float[] values, int... dims) {
            graph.addInitializer(floatTensor(name, values, dims));
            return name;
        }

        String scalar(String name, float v) {
            graph.addInitializer(floatTensor(name, new float[] {v}));
            return name;
        }

        String node(String op, String name, List<String> inputs, List<AttributeProto> attrs) {
            return node(op, name, inputs, attrs, unique(name + "_out"));
        }

        String node(String op, String name, List<String> inputs, List<AttributeProto> attrs, String output) {
            graph.addNode(NodeProto.newBuilder().setOpType(op).setName(unique(name)).addAllInput(inputs).addOutput(output).addAllAttribute(attrs));
            return output;
        }

        private String unique(String n) {
            String u = n;
            for (int i = 2; !names.add(u); i++) u = n + "_" + i;
            return u;
        }
    }
}
