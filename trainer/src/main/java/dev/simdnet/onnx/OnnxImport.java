package dev.simdnet.onnx;

import com.fasterxml.jackson.jr.ob.JSON;
import com.google.protobuf.CodedInputStream;
import dev.simdnet.data.DigitPreprocessor;
import dev.simdnet.data.Normalization;
import dev.simdnet.model.Checkpoint.CheckpointException;
import dev.simdnet.model.Calibration;
import dev.simdnet.model.Model;
import dev.simdnet.model.ModelSpec;
import dev.simdnet.nn.BatchNorm;
import dev.simdnet.nn.Conv2d;
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
import dev.simdnet.onnx.proto.OnnxProto.TensorProto;
import dev.simdnet.onnx.proto.OnnxProto.TensorShapeProto;
import dev.simdnet.onnx.proto.OnnxProto.ValueInfoProto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Reads an ONNX file into the engine's own layers: a chain of {@code Conv}, {@code BatchNormalization},
 * {@code Relu}, {@code MaxPool}, {@code Flatten} or {@code Reshape}, {@code Gemm} or {@code MatMul} + {@code Add},
 * and an optional final {@code Softmax}, at {@code ai.onnx} opsets 11 to 21, as both of PyTorch's exporters write
 * them. The {@code Sub}/{@code Div}/{@code Mul}/{@code Add} nodes by constants in front of the first layer become
 * the model's input {@link Normalization}; an {@code Add} or {@code Mul} by a constant right after a convolution or
 * dense layer is folded into its weights; {@code Constant}, {@code Identity}, {@code Dropout} (inference),
 * {@code Cast} and the shape arithmetic a dynamic batch leads to ({@code Shape}, {@code Gather}, {@code Unsqueeze},
 * {@code Squeeze}, {@code Concat}, {@code Slice}) are evaluated here, on constants, once. NCHW weights are transposed
 * to simdnet's NHWC once, at load: the model then runs on the engine's kernels at the speed of a native checkpoint.
 *
 * <p>A file is data, never code: nothing in it is executed, and everything is bounded before anything is allocated
 * (the file's size, the counts of nodes, initializers and attributes, every tensor's rank, dimensions and element
 * count, and the bytes it really holds against the shape it declares). The graph is walked from its outputs with
 * cycles detected. Anything this reader does not support (an operator, an attribute value, a shape, a branch) is
 * refused with one line naming the node and its operator.
 */
public final class OnnxImport {
    private OnnxImport() {}

    /**
     * The largest file read: 256 MiB, far above any CNN this engine runs (lenet's export is 1.7 MB), and small enough
     * that reading one (the file's bytes, which the tensors alias, plus its float weights) fits a default heap.
     */
    public static final long MAX_FILE_BYTES = 256L << 20;
    static final int MAX_NODES = 10_000, MAX_INITIALIZERS = 10_000, MAX_ATTRIBUTES = 64, MAX_RANK = 8;
    /** Largest dimension of any tensor or of the input. */
    static final long MAX_DIM = 1 << 24;
    /** Largest tensor (elements); the bytes present must match it anyway. */
    static final long MAX_ELEMENTS = 1L << 27;
    /** Largest input sample (C·H·W values). */
    static final long MAX_SAMPLE = 1L << 24;
    public static final int MIN_OPSET = 11, MAX_OPSET = 21;
    static final int MAX_IR_VERSION = 11;
    /** The operators read, for the message that refuses any other. */
    static final List<String> OPERATORS = List.of("Conv", "BatchNormalization", "Relu", "MaxPool", "Flatten", "Reshape", "Gemm",
            "MatMul", "Add", "Sub", "Mul", "Div", "Softmax", "Constant", "Identity", "Dropout", "Cast", "CastLike", "Shape", "Gather",
            "Unsqueeze", "Squeeze", "Concat", "Slice", "Transpose");

    /** A file to read as ONNX: named {@code *.onnx}, or a protobuf rather than a safetensors header at its start. */
    public static boolean isOnnx(Path file) {
        if (file.getFileName() != null && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) return true;
        if (!Files.isRegularFile(file)) return false;
        byte[] head = new byte[9];
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            return false;
        }
        // An ONNX model starts with its ir_version (field 1, varint: 0x08); a safetensors file has '{' at byte 8.
        return n >= 2 && head[0] == 0x08 && (n < 9 || head[8] != '{');
    }

    /** Reads an ONNX model file; anything wrong with it is one {@link CheckpointException} line. */
    public static Model load(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES)
            throw new CheckpointException(file + " is " + size + " bytes, more than the " + MAX_FILE_BYTES + " an ONNX model may have here");
        if (size == 0) throw new CheckpointException(file + " is empty: not an ONNX model");
        return decode(Files.readAllBytes(file), file.toString());
    }

    /** Reads an ONNX model from its bytes; {@code source} names it in messages. */
    public static Model decode(byte[] bytes, String source) {
        if (bytes.length > MAX_FILE_BYTES) throw new CheckpointException(source + " is more than " + MAX_FILE_BYTES + " bytes");
        ModelProto proto;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(32); // a model nests a few levels; a hostile file may nest thousands
            in.enableAliasing(true);  // raw_data views the file's bytes rather than copying them
            proto = ModelProto.parseFrom(in);
        } catch (IOException e) { // InvalidProtocolBufferException: all a byte array can throw
            String why = String.valueOf(e.getMessage());
            int dot = why.indexOf('.');
            throw new CheckpointException(source + " is not a readable ONNX model (damaged or truncated protobuf: "
                    + (dot > 0 ? why.substring(0, dot) : why) + ")");
        } catch (RuntimeException e) {
            throw new CheckpointException(source + " is not a readable ONNX model (" + e.getClass().getSimpleName() + ")");
        }
        try {
            return new Reader(proto, source).read();
        } catch (ArithmeticException e) {
            throw new CheckpointException(source + ": a tensor or shape is too large (" + e.getMessage() + ")");
        }
    }

    // ---------------------------------------------------------------- values

    /** A constant: float or integer data with its dims ({@code Long.MIN_VALUE} in integer data: the batch size). */
    private record Const(long[] dims, float[] f, long[] i) {
        long count() { return f != null ? f.length : i.length; }
        boolean scalarLike() { return count() == 1; }
        float scalar() { return f != null ? f[0] : (float) i[0]; }
    }

    /**
     * The activation flowing down the chain: one sample's shape in ONNX order ((C, H, W) or (features)); after a
     * Transpose to NHWC ({@code nhwc}); after a flatten of a (C, H, W) map, {@code perm[simdnetIndex] = onnxIndex}.
     */
    private record Act(int id, int[] shape, boolean nhwc, int[] perm, boolean probabilities) {}

    static final long BATCH = Long.MIN_VALUE;

    private static final class Reader {
        final ModelProto proto;
        final String source;
        final GraphProto graph;
        final int opset;
        final Map<String, TensorProto> initializers = new HashMap<>();
        final Map<String, Object> values = new HashMap<>();
        final List<Layer> layers = new ArrayList<>();
        final Map<String, Integer> counters = new HashMap<>();
        final SplittableRandom rng = new SplittableRandom(0);
        String inputName;
        int[] inputChw;
        long declaredBatch = -1;
        int nextId = 1, currentId;
        double mean = 0, std = 1;
        double temperature = 1; // a Div of the logits by a scalar right before the Softmax
        String logitsName;
        NodeProto node; // the node being read, for messages

        Reader(ModelProto proto, String source) {
            this.proto = proto;
            this.source = source;
            if (!proto.hasGraph() || proto.getGraph().getNodeCount() == 0)
                throw new CheckpointException(source + " is not an ONNX model: it has no graph (is it another kind of file?)");
            long ir = proto.getIrVersion();
            if (ir < 3 || ir > MAX_IR_VERSION)
                throw new CheckpointException(source + ": ONNX IR version " + ir + " is not supported (3 to " + MAX_IR_VERSION + ")");
            this.graph = proto.getGraph();
            int found = -1;
            for (OperatorSetIdProto o : proto.getOpsetImportList())
                if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) found = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, o.getVersion()));
            if (found < 0) throw new CheckpointException(source + " imports no ai.onnx operator set: not a model this reads");
            if (found < MIN_OPSET || found > MAX_OPSET)
                throw new CheckpointException(source + ": ai.onnx opset " + found + " is not supported (" + MIN_OPSET + " to " + MAX_OPSET
                        + "); re-export it with opset_version=" + OnnxExport.OPSET);
            this.opset = found;
        }

        CheckpointException fail(String what) {
            String at = node == null ? "" : "node '" + (node.getName().isEmpty() ? "#" + graph.getNodeList().indexOf(node) : node.getName())
                    + "' (" + node.getOpType() + "): ";
            return new CheckpointException(source + ": " + at + what);
        }

        Model read() {
            if (graph.getNodeCount() > MAX_NODES) throw fail("the graph has " + graph.getNodeCount() + " nodes, more than " + MAX_NODES);
            if (graph.getInitializerCount() > MAX_INITIALIZERS)
                throw fail("the graph has " + graph.getInitializerCount() + " initializers, more than " + MAX_INITIALIZERS);
            for (TensorProto t : graph.getInitializerList()) {
                if (t.getName().isEmpty()) throw fail("an initializer has no name");
                if (initializers.put(t.getName(), t) != null) throw fail("two initializers are named '" + t.getName() + "'");
            }
            readInput();
            List<NodeProto> order = order();
            for (NodeProto n : order) {
                node = n;
                step(n);
            }
            node = null;
            return finish();
        }

        private void readInput() {
            List<ValueInfoProto> inputs = new ArrayList<>();
            for (ValueInfoProto v : graph.getInputList()) if (!initializers.containsKey(v.getName())) inputs.add(v);
            if (inputs.size() != 1)
                throw fail("the graph has " + inputs.size() + " inputs besides its weights; an image classifier has one, [N, C, H, W]");
            ValueInfoProto in = inputs.get(0);
            inputName = in.getName();
            if (!in.getType().hasTensorType() || in.getType().getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE)
                throw fail("the input '" + inputName + "' is not a float32 tensor");
            TensorShapeProto shape = in.getType().getTensorType().getShape();
            if (shape.getDimCount() != 4) throw fail("the input '" + inputName + "' has " + shape.getDimCount() + " dimensions; an image batch has 4, [N, C, H, W]");
            int[] chw = new int[3];
            for (int i = 1; i < 4; i++) {
                TensorShapeProto.Dimension d = shape.getDim(i);
                if (!d.hasDimValue() || d.getDimValue() < 1 || d.getDimValue() > 65536)
                    throw fail("the input '" + inputName + "' must give C, H and W as numbers (1 to 65536), got " + describe(shape));
                chw[i - 1] = (int) d.getDimValue();
            }
            if ((long) chw[0] * chw[1] * chw[2] > MAX_SAMPLE) throw fail("the input " + describe(shape) + " is larger than " + MAX_SAMPLE + " values a sample");
            if (shape.getDim(0).hasDimValue()) declaredBatch = shape.getDim(0).getDimValue();
            currentId = nextId++;
            inputChw = chw;
            values.put(inputName, new Act(currentId, chw, false, null, false));
        }

        private static String describe(TensorShapeProto s) {
            List<String> d = new ArrayList<>();
            for (TensorShapeProto.Dimension x : s.getDimList()) d.add(x.hasDimValue() ? Long.toString(x.getDimValue()) : x.hasDimParam() ? x.getDimParam() : "?");
            return d.toString();
        }

        /** The nodes the outputs need, producers first; a cycle or a value made twice is refused. */
        private List<NodeProto> order() {
            Map<String, Integer> producer = new HashMap<>();
            List<NodeProto> nodes = graph.getNodeList();
            for (int i = 0; i < nodes.size(); i++) {
                NodeProto n = nodes.get(i);
                if (n.getAttributeCount() > MAX_ATTRIBUTES) {
                    node = n;
                    throw fail("has " + n.getAttributeCount() + " attributes");
                }
                for (String o : n.getOutputList()) {
                    if (o.isEmpty()) continue;
                    if (producer.put(o, i) != null || initializers.containsKey(o) || o.equals(inputName)) {
                        node = n;
                        throw fail("its output '" + o + "' is also made elsewhere in the graph");
                    }
                }
            }
            if (graph.getOutputCount() == 0) throw fail("the graph has no outputs");
            int[] state = new int[nodes.size()]; // 0 unseen, 1 on the path, 2 done
            List<NodeProto> out = new ArrayList<>();
            for (ValueInfoProto o : graph.getOutputList()) {
                Integer root = producer.get(o.getName());
                if (root == null) {
                    if (o.getName().equals(inputName)) throw fail("the output '" + o.getName() + "' is the input itself");
                    throw fail("no node makes the output '" + o.getName() + "'");
                }
                // Iterative depth-first walk (a hostile file may chain thousands of nodes): post-order is producers first.
                ArrayDeque<int[]> stack = new ArrayDeque<>();
                if (state[root] == 0) {
                    stack.push(new int[] {root, 0});
                    state[root] = 1;
                }
                while (!stack.isEmpty()) {
                    int[] top = stack.peek();
                    NodeProto n = nodes.get(top[0]);
                    if (top[1] < n.getInputCount()) {
                        String in = n.getInput(top[1]++);
                        Integer p = producer.get(in);
                        if (p == null) continue;
                        if (state[p] == 1) {
                            node = n;
                            throw fail("the graph has a cycle: its input '" + in + "' depends on its own output");
                        }
                        if (state[p] == 0) {
                            state[p] = 1;
                            stack.push(new int[] {p, 0});
                        }
                    } else {
                        state[top[0]] = 2;
                        out.add(n);
                        stack.pop();
                    }
                }
            }
            return out;
        }

        // ---------------------------------------------------------------- one node

        private void step(NodeProto n) {
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx"))
                throw fail("operator of domain '" + n.getDomain() + "' is not supported: only ai.onnx operators are (" + String.join(", ", OPERATORS) + ")");
            switch (n.getOpType()) {
                case "Constant" -> put(constantOf(n));
                case "Identity" -> put(value(0));
                case "Dropout" -> dropout(n);
                case "Cast" -> cast(n);
                case "CastLike" -> castLike(n);
                case "Conv" -> conv(n);
                case "BatchNormalization" -> batchNorm(n);
                case "Relu" -> {
                    Act a = act(0, "Relu");
                    add(new Relu(name("relu")));
                    put(next(a.shape(), a.perm()));
                }
                case "MaxPool" -> maxPool(n);
                case "Flatten" -> flatten(n);
                case "Reshape" -> reshape(n);
                case "Transpose" -> transpose(n);
                case "Gemm" -> gemm(n);
                case "MatMul" -> matMul(n);
                case "Add", "Sub", "Mul", "Div" -> arithmetic(n);
                case "Softmax" -> softmax(n);
                case "Shape" -> shape(n);
                case "Gather" -> gather(n);
                case "Unsqueeze", "Squeeze" -> squeeze(n, n.getOpType().equals("Unsqueeze"));
                case "Concat" -> concat(n);
                case "Slice" -> slice(n);
                default -> throw fail("operator not supported (this reads " + String.join(", ", OPERATORS) + ")");
            }
        }

        private void put(Object v) {
            if (node.getOutputCount() < 1 || node.getOutput(0).isEmpty()) throw fail("has no output");
            values.put(node.getOutput(0), v);
        }

        /** Only the first output of the node may be used (the others are training-time extras). */
        private void onlyFirstOutputUsed() {
            for (int i = 1; i < node.getOutputCount(); i++) {
                String o = node.getOutput(i);
                if (o.isEmpty()) continue;
                for (NodeProto m : graph.getNodeList()) if (m.getInputList().contains(o)) throw fail("its output '" + o + "' is used: not supported");
                for (ValueInfoProto g : graph.getOutputList()) if (g.getName().equals(o)) throw fail("its output '" + o + "' is a graph output: not supported");
            }
        }

        private Object value(int i) {
            if (i >= node.getInputCount() || node.getInput(i).isEmpty()) throw fail("input " + i + " is missing");
            String name = node.getInput(i);
            Object v = values.get(name);
            if (v != null) return v;
            TensorProto t = initializers.get(name);
            if (t == null) throw fail("its input '" + name + "' is neither the graph's input, an initializer nor made by an earlier node");
            Const c = decode(t);
            values.put(name, c);
            return c;
        }

        private boolean has(int i) { return i < node.getInputCount() && !node.getInput(i).isEmpty(); }

        private Const constant(int i, String what) {
            if (value(i) instanceof Const c) return c;
            throw fail("its " + what + " (input " + i + ") must be a constant, not computed from the image");
        }

        private Act act(int i, String op) {
            if (!(value(i) instanceof Act a)) throw fail("its input " + i + " must be the image's activations, got a constant");
            if (a.probabilities()) throw fail("reads the output of the Softmax: only a final Softmax is supported");
            if (a.id() != currentId)
                throw fail("reads an activation an earlier layer has already consumed: only a chain of layers is supported, not branches");
            if (a.nhwc() && !op.equals("Flatten") && !op.equals("Reshape")) throw fail("only a Flatten may follow a Transpose to NHWC");
            return a;
        }

        private Act next(int[] shape, int[] perm) {
            currentId = nextId++;
            return new Act(currentId, shape, false, perm, false);
        }

        private void add(Layer l) {
            if (layers.size() >= 1000) throw fail("the network has more than 1,000 layers");
            layers.add(l);
        }

        private String name(String kind) {
            int k = counters.merge(kind, 1, Integer::sum);
            return kind + k;
        }

        // ---------------------------------------------------------------- attributes

        private AttributeProto attr(String name) {
            AttributeProto found = null;
            for (AttributeProto a : node.getAttributeList()) if (a.getName().equals(name)) found = a;
            return found;
        }

        private long intAttr(String name, long dflt) {
            AttributeProto a = attr(name);
            if (a == null) return dflt;
            if (!a.hasI() && a.getType() != AttributeProto.AttributeType.INT) throw fail("attribute " + name + " must be an integer");
            return a.getI();
        }

        private float floatAttr(String name, float dflt) {
            AttributeProto a = attr(name);
            if (a == null) return dflt;
            if (!a.hasF() && a.getType() != AttributeProto.AttributeType.FLOAT) throw fail("attribute " + name + " must be a float");
            return a.getF();
        }

        private long[] intsAttr(String name, long[] dflt) {
            AttributeProto a = attr(name);
            if (a == null) return dflt;
            if (a.getIntsCount() > MAX_RANK * 2) throw fail("attribute " + name + " has " + a.getIntsCount() + " values");
            long[] r = new long[a.getIntsCount()];
            for (int i = 0; i < r.length; i++) r[i] = a.getInts(i);
            return r;
        }

        private String stringAttr(String name, String dflt) {
            AttributeProto a = attr(name);
            return a == null ? dflt : a.getS().toStringUtf8();
        }

        // ---------------------------------------------------------------- tensors

        /** A tensor's data after every bound is checked: rank, dims, element count, and the bytes it really holds. */
        Const decode(TensorProto t) {
            String what = "tensor '" + t.getName() + "'";
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0)
                throw fail(what + " keeps its data in an external file, which this does not read: save the model with "
                        + "onnx.save_model(m, path, save_as_external_data=False)");
            if (t.hasSegment()) throw fail(what + " is split into segments: not supported");
            if (t.getDimsCount() > MAX_RANK) throw fail(what + " has " + t.getDimsCount() + " dimensions, more than " + MAX_RANK);
            long[] dims = new long[t.getDimsCount()];
            long count = 1;
            for (int i = 0; i < dims.length; i++) {
                long d = t.getDims(i);
                if (d < 0 || d > MAX_DIM) throw fail(what + " declares a dimension of " + d + " (0 to " + MAX_DIM + ")");
                dims[i] = d;
                count = Math.multiplyExact(count, d);
                if (count > MAX_ELEMENTS) throw fail(what + " declares more than " + MAX_ELEMENTS + " elements");
            }
            int n = (int) count;
            int type = t.getDataType();
            int raw = t.getRawData().size();
            switch (type) {
                case TensorProto.DataType.FLOAT_VALUE -> {
                    if (t.hasRawData()) {
                        if (raw != 4L * n || t.getFloatDataCount() > 0) throw fail(what + " declares " + n + " floats (" + 4L * n + " bytes) but holds " + raw + " bytes");
                        float[] f = new float[n];
                        t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
                        return new Const(dims, f, null);
                    }
                    if (t.getFloatDataCount() != n) throw fail(what + " declares " + n + " floats but holds " + t.getFloatDataCount());
                    float[] f = new float[n];
                    for (int i = 0; i < n; i++) f[i] = t.getFloatData(i);
                    return new Const(dims, f, null);
                }
                case TensorProto.DataType.DOUBLE_VALUE -> {
                    float[] f = new float[checkCount(what, n, t.hasRawData() ? raw / 8 : t.getDoubleDataCount(), raw, 8, t.hasRawData())];
                    ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < n; i++) f[i] = (float) (t.hasRawData() ? b.getDouble(i * 8) : t.getDoubleData(i));
                    return new Const(dims, f, null);
                }
                case TensorProto.DataType.INT64_VALUE -> {
                    long[] v = new long[checkCount(what, n, t.hasRawData() ? raw / 8 : t.getInt64DataCount(), raw, 8, t.hasRawData())];
                    ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < n; i++) v[i] = t.hasRawData() ? b.getLong(i * 8) : t.getInt64Data(i);
                    return new Const(dims, null, v);
                }
                case TensorProto.DataType.INT32_VALUE -> {
                    long[] v = new long[checkCount(what, n, t.hasRawData() ? raw / 4 : t.getInt32DataCount(), raw, 4, t.hasRawData())];
                    ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < n; i++) v[i] = t.hasRawData() ? b.getInt(i * 4) : t.getInt32Data(i);
                    return new Const(dims, null, v);
                }
                case TensorProto.DataType.BOOL_VALUE -> {
                    long[] v = new long[checkCount(what, n, t.hasRawData() ? raw : t.getInt32DataCount(), raw, 1, t.hasRawData())];
                    for (int i = 0; i < n; i++) v[i] = t.hasRawData() ? t.getRawData().byteAt(i) : t.getInt32Data(i);
                    return new Const(dims, null, v);
                }
                default -> throw fail(what + " has data type " + type + ", which this does not read (float, double, int64, int32, bool)");
            }
        }

        private int checkCount(String what, int n, int held, int raw, int width, boolean isRaw) {
            if (isRaw ? raw != (long) n * width : held != n)
                throw fail(what + " declares " + n + " elements but holds " + (isRaw ? raw + " bytes" : held + " values"));
            return n;
        }

        private Const constantOf(NodeProto n) {
            if (n.getAttributeCount() != 1) throw fail("a Constant needs exactly one value attribute");
            AttributeProto a = n.getAttribute(0);
            return switch (a.getName()) {
                case "value" -> decode(a.getT());
                case "value_float" -> new Const(new long[0], new float[] {a.getF()}, null);
                case "value_floats" -> {
                    if (a.getFloatsCount() > MAX_ELEMENTS) throw fail("too many values");
                    float[] f = new float[a.getFloatsCount()];
                    for (int i = 0; i < f.length; i++) f[i] = a.getFloats(i);
                    yield new Const(new long[] {f.length}, f, null);
                }
                case "value_int" -> new Const(new long[0], null, new long[] {a.getI()});
                case "value_ints" -> new Const(new long[] {a.getIntsCount()}, null, intsAttr("value_ints", new long[0]));
                default -> throw fail("a Constant's '" + a.getName() + "' value is not supported");
            };
        }

        // ---------------------------------------------------------------- layers

        private void dropout(NodeProto n) {
            onlyFirstOutputUsed();
            if (has(2)) {
                Const training = constant(2, "training_mode");
                if (training.scalar() != 0) throw fail("training_mode is true: only inference is supported");
            }
            put(value(0));
        }

        private void cast(NodeProto n) {
            long to = intAttr("to", -1);
            Object v = value(0);
            if (v instanceof Act) {
                if (to != TensorProto.DataType.FLOAT_VALUE) throw fail("casts the activations to type " + to + ": only float32 is supported");
                put(v);
                return;
            }
            Const c = (Const) v;
            if (to == TensorProto.DataType.FLOAT_VALUE || to == TensorProto.DataType.DOUBLE_VALUE) {
                if (c.f() != null) put(c);
                else {
                    float[] f = new float[c.i().length];
                    for (int i = 0; i < f.length; i++) {
                        if (c.i()[i] == BATCH) throw fail("casts the batch size to a float");
                        f[i] = c.i()[i];
                    }
                    put(new Const(c.dims(), f, null));
                }
            } else if (to == TensorProto.DataType.INT64_VALUE || to == TensorProto.DataType.INT32_VALUE) {
                if (c.i() != null) put(c);
                else {
                    long[] l = new long[c.f().length];
                    for (int i = 0; i < l.length; i++) l[i] = (long) c.f()[i];
                    put(new Const(c.dims(), null, l));
                }
            } else {
                throw fail("casts to type " + to + ": not supported");
            }
        }

        /** CastLike(x, target): the dynamo exporter's way of giving a Python scalar the activations' type. */
        private void castLike(NodeProto n) {
            Object v = value(0), like = value(1);
            boolean toFloat = like instanceof Act || ((Const) like).f() != null;
            if (v instanceof Act) {
                if (!toFloat) throw fail("casts the activations to an integer type: only float32 is supported");
                put(v);
                return;
            }
            Const c = (Const) v;
            if (toFloat == (c.f() != null)) {
                put(c);
            } else if (toFloat) {
                float[] f = new float[c.i().length];
                for (int i = 0; i < f.length; i++) {
                    if (c.i()[i] == BATCH) throw fail("casts the batch size to a float");
                    f[i] = c.i()[i];
                }
                put(new Const(c.dims(), f, null));
            } else {
                long[] l = new long[c.f().length];
                for (int i = 0; i < l.length; i++) l[i] = (long) c.f()[i];
                put(new Const(c.dims(), null, l));
            }
        }

        private void conv(NodeProto n) {
            Act a = act(0, "Conv");
            if (a.shape().length != 3) throw fail("needs a 4-D [N, C, H, W] input, got one of " + (a.shape().length + 1) + " dimensions");
            Const w = constant(1, "weight");
            if (w.f() == null || w.dims().length != 4) throw fail("its weight must be a float [out, in, kh, kw] tensor, got dims " + Arrays.toString(w.dims()));
            int out = (int) w.dims()[0], in = (int) w.dims()[1], kh = (int) w.dims()[2], kw = (int) w.dims()[3];
            if (intAttr("group", 1) != 1) throw fail("group=" + intAttr("group", 1) + ": only group 1 (no grouped or depthwise convolution) is supported");
            if (in != a.shape()[0]) throw fail("its weight takes " + in + " channels but its input has " + a.shape()[0]);
            if (kh != kw) throw fail("a " + kh + "x" + kw + " kernel: only square kernels are supported");
            long[] ks = intsAttr("kernel_shape", new long[] {kh, kw});
            if (ks.length != 2 || ks[0] != kh || ks[1] != kw) throw fail("kernel_shape " + Arrays.toString(ks) + " does not match its weight");
            long[] dil = intsAttr("dilations", new long[] {1, 1});
            for (long d : dil) if (d != 1) throw fail("dilations " + Arrays.toString(dil) + ": only 1 is supported");
            long[] st = intsAttr("strides", new long[] {1, 1});
            if (st.length != 2 || st[0] != st[1] || st[0] < 1 || st[0] > 64) throw fail("strides " + Arrays.toString(st) + ": only equal strides (1 to 64) are supported");
            int pad = pads(kh, (int) st[0], true);
            Conv2d conv = new Conv2d(name("conv"), in, out, kh, (int) st[0], pad, rng);
            int[] outShape = shapeOf(conv, a.shape());
            // ONNX (out, in, kh, kw) -> simdnet (out, kh, kw, in), once.
            float[] dst = conv.weight().value().data();
            int off = conv.weight().value().offset();
            for (int o = 0; o < out; o++)
                for (int c = 0; c < in; c++)
                    for (int y = 0; y < kh; y++)
                        for (int x = 0; x < kw; x++)
                            dst[off + ((o * kh + y) * kw + x) * in + c] = w.f()[((o * in + c) * kh + y) * kw + x];
            if (has(2)) {
                Const b = constant(2, "bias");
                if (b.f() == null || b.count() != out) throw fail("its bias must hold " + out + " floats");
                System.arraycopy(b.f(), 0, conv.bias().value().data(), conv.bias().value().offset(), out);
            }
            add(conv);
            put(next(outShape, null));
        }

        /** The one symmetric padding of a Conv or MaxPool, from pads or auto_pad. */
        private int pads(int k, int stride, boolean sameAllowed) {
            String auto = stringAttr("auto_pad", "NOTSET");
            switch (auto) {
                case "NOTSET", "" -> {
                    long[] p = intsAttr("pads", new long[] {0, 0, 0, 0});
                    if (p.length != 4 || p[0] != p[1] || p[0] != p[2] || p[0] != p[3] || p[0] < 0 || p[0] > 1024)
                        throw fail("pads " + Arrays.toString(p) + ": only the same padding on every side is supported");
                    return (int) p[0];
                }
                case "VALID" -> { return 0; }
                case "SAME_UPPER", "SAME_LOWER" -> {
                    if (!sameAllowed || stride != 1 || k % 2 == 0) throw fail("auto_pad " + auto + " is supported only for odd kernels at stride 1");
                    return (k - 1) / 2;
                }
                default -> throw fail("auto_pad '" + auto + "' is not an ONNX value");
            }
        }

        private int[] shapeOf(Layer l, int[] chw) {
            try {
                int[] hwc = l.outputShape(new int[] {chw[1], chw[2], chw[0]});
                return new int[] {hwc[2], hwc[0], hwc[1]};
            } catch (IllegalArgumentException e) {
                throw fail("does not fit its input " + Arrays.toString(chw) + " (C, H, W): " + e.getMessage());
            }
        }

        private void batchNorm(NodeProto n) {
            onlyFirstOutputUsed();
            Act a = act(0, "BatchNormalization");
            if (intAttr("training_mode", 0) != 0) throw fail("training_mode=1: only inference is supported");
            int c = a.shape()[0];
            float eps = floatAttr("epsilon", 1e-5f);
            if (!(eps > 0) || !Float.isFinite(eps)) throw fail("epsilon " + eps + " must be positive");
            float[][] p = new float[4][];
            String[] what = {"scale", "B", "mean", "var"};
            for (int i = 0; i < 4; i++) {
                Const t = constant(i + 1, what[i]);
                if (t.f() == null || t.count() != c) throw fail("its " + what[i] + " must hold " + c + " floats, one per channel");
                p[i] = t.f();
            }
            for (float v : p[3]) if (!(v >= 0)) throw fail("a running variance is negative or NaN");
            BatchNorm bn = new BatchNorm(name("bn"), a.shape().length == 3 ? c : c, BatchNorm.DEFAULT_MOMENTUM, eps);
            int[] perm = a.perm();
            float[] g = bn.parameters().get(0).value().data(), b = bn.parameters().get(1).value().data();
            float[] m = bn.runningMean().data(), v = bn.runningVar().data();
            for (int i = 0; i < c; i++) {
                int j = perm == null ? i : perm[i];
                g[i] = p[0][j];
                b[i] = p[1][j];
                m[i] = p[2][j];
                v[i] = p[3][j];
            }
            add(bn);
            put(next(a.shape(), perm));
        }

        private void maxPool(NodeProto n) {
            onlyFirstOutputUsed();
            Act a = act(0, "MaxPool");
            if (a.shape().length != 3) throw fail("needs a 4-D input");
            long[] ks = intsAttr("kernel_shape", null);
            if (ks == null || ks.length != 2 || ks[0] != ks[1] || ks[0] < 1 || ks[0] > 1024) throw fail("kernel_shape " + Arrays.toString(ks) + ": only square windows are supported");
            long[] st = intsAttr("strides", new long[] {1, 1});
            if (st.length != 2 || st[0] != st[1] || st[0] < 1 || st[0] > 1024) throw fail("strides " + Arrays.toString(st) + ": only equal strides are supported");
            long[] dil = intsAttr("dilations", new long[] {1, 1});
            for (long d : dil) if (d != 1) throw fail("dilations " + Arrays.toString(dil) + ": only 1 is supported");
            if (intAttr("storage_order", 0) != 0) throw fail("storage_order=1 is not supported");
            int k = (int) ks[0], s = (int) st[0];
            if (pads(k, s, false) != 0) throw fail("padded max pooling is not supported");
            if (intAttr("ceil_mode", 0) != 0 && ((a.shape()[1] - k) % s != 0 || (a.shape()[2] - k) % s != 0))
                throw fail("ceil_mode=1 on a " + a.shape()[1] + "x" + a.shape()[2] + " map, where it differs from floor: not supported");
            MaxPool2d pool = new MaxPool2d(name("pool"), k, s);
            int[] outShape = shapeOf(pool, a.shape());
            add(pool);
            put(next(outShape, null));
        }

        private void flatten(NodeProto n) {
            Act a = act(0, "Flatten");
            long axis = intAttr("axis", 1);
            int rank = a.shape().length + 1;
            if (axis < 0) axis += rank;
            if (axis != 1) throw fail("axis " + intAttr("axis", 1) + ": only a flatten that keeps the batch (axis 1) is supported");
            put(flattened(a));
        }

        /** The activation as (batch, features): simdnet's own flatten, with the ONNX (c, h, w) order remembered. */
        private Act flattened(Act a) {
            if (a.shape().length == 1) return a;
            int c = a.shape()[0], h = a.shape()[1], w = a.shape()[2];
            int[] perm = null;
            if (!a.nhwc()) {
                perm = new int[c * h * w];
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        for (int ch = 0; ch < c; ch++) perm[(y * w + x) * c + ch] = (ch * h + y) * w + x;
            }
            add(new Flatten(name("flatten")));
            return next(new int[] {c * h * w}, perm);
        }

        private void reshape(NodeProto n) {
            Const s = constant(1, "shape");
            if (s.i() == null || s.dims().length != 1) throw fail("its shape must be a 1-D integer tensor");
            long[] t = s.i();
            if (value(0) instanceof Const c) {
                // The dynamo exporter computes the flatten's target shape at run time: Shape, Squeeze, then this
                // Reshape of the batch size to [-1], then Concat. Folded here like the other shape arithmetic.
                put(reshapedConstant(c, t, intAttr("allowzero", 0) != 0));
                return;
            }
            Act a = act(0, "Reshape");
            long features = 1;
            for (int d : a.shape()) features *= d;
            boolean allowZero = intAttr("allowzero", 0) != 0;
            if (t.length == 2) {
                long first = t[0], second = t[1];
                boolean batchFirst = first == BATCH || (first == 0 && !allowZero) || first == -1 || (declaredBatch > 0 && first == declaredBatch);
                if (batchFirst && (second == features || (second == -1 && first != -1))) {
                    put(flattened(a));
                    return;
                }
            }
            if (t.length == a.shape().length + 1 && !a.nhwc()) {
                boolean same = t[0] == BATCH || t[0] == -1 || t[0] == 0 || t[0] == declaredBatch;
                for (int i = 1; i < t.length; i++) same &= t[i] == a.shape()[i - 1] || (t[i] == 0 && !allowZero && i < t.length);
                if (same) {
                    put(a);
                    return;
                }
            }
            throw fail("reshapes " + Arrays.toString(a.shape()) + " (a sample) to " + shapeText(t) + ": only a flatten to [N, "
                    + features + "] is supported");
        }

        private static String shapeText(long[] t) {
            List<String> l = new ArrayList<>();
            for (long v : t) l.add(v == BATCH ? "N" : Long.toString(v));
            return l.toString();
        }

        private void transpose(NodeProto n) {
            long[] perm = intsAttr("perm", null);
            Object v = value(0);
            if (v instanceof Const c) {
                if (c.f() == null || c.dims().length != 2 || (perm != null && !Arrays.equals(perm, new long[] {1, 0})))
                    throw fail("transposes a constant other than a 2-D float matrix");
                int r = (int) c.dims()[0], k = (int) c.dims()[1];
                float[] out = new float[c.f().length];
                for (int i = 0; i < r; i++) for (int j = 0; j < k; j++) out[j * r + i] = c.f()[i * k + j];
                put(new Const(new long[] {k, r}, out, null));
                return;
            }
            Act a = act(0, "Transpose");
            if (a.shape().length != 3 || !Arrays.equals(perm, new long[] {0, 2, 3, 1}))
                throw fail("perm " + Arrays.toString(perm) + ": only [0, 2, 3, 1] (NCHW to NHWC, before a Flatten) is supported");
            put(new Act(a.id(), a.shape(), true, null, false));
        }

        private void gemm(NodeProto n) {
            Act a = act(0, "Gemm");
            if (a.shape().length != 1) throw fail("needs a 2-D [N, features] input; put a Flatten before it");
            if (intAttr("transA", 0) != 0) throw fail("transA=1 is not supported");
            Const b = constant(1, "B");
            if (b.f() == null || b.dims().length != 2) throw fail("its B must be a 2-D float matrix");
            boolean transB = intAttr("transB", 0) != 0;
            int in = a.shape()[0];
            int out = (int) (transB ? b.dims()[0] : b.dims()[1]);
            if ((transB ? b.dims()[1] : b.dims()[0]) != in) throw fail("its B " + Arrays.toString(b.dims()) + " does not take " + in + " features");
            float alpha = floatAttr("alpha", 1f), beta = floatAttr("beta", 1f);
            Linear lin = dense(a, b.f(), out, in, transB, alpha);
            if (has(2)) {
                Const c = constant(2, "C");
                if (c.f() == null || (c.count() != out && c.count() != 1)) throw fail("its C must hold " + out + " floats (or one)");
                float[] bias = lin.bias().value().data();
                for (int o = 0; o < out; o++) bias[o] = beta * c.f()[c.count() == 1 ? 0 : o];
            }
            put(next(new int[] {out}, null));
        }

        private void matMul(NodeProto n) {
            Act a = act(0, "MatMul");
            if (a.shape().length != 1) throw fail("needs a 2-D [N, features] input");
            Const b = constant(1, "B");
            if (b.f() == null || b.dims().length != 2 || b.dims()[0] != a.shape()[0]) throw fail("its B must be a [" + a.shape()[0] + ", out] float matrix");
            int out = (int) b.dims()[1];
            dense(a, b.f(), out, a.shape()[0], false, 1f);
            put(next(new int[] {out}, null));
        }

        /** A dense layer of ONNX weights ({@code (out, in)} when {@code transposed}, else {@code (in, out)}). */
        private Linear dense(Act a, float[] b, int out, int in, boolean transposed, float alpha) {
            Linear lin = new Linear(name("fc"), in, out, rng);
            float[] w = lin.weight().value().data();
            int[] perm = a.perm();
            for (int o = 0; o < out; o++)
                for (int i = 0; i < in; i++) {
                    int j = perm == null ? i : perm[i]; // simdnet column i is ONNX column j
                    w[o * in + i] = alpha * (transposed ? b[o * in + j] : b[j * out + o]);
                }
            add(lin);
            return lin;
        }

        private void arithmetic(NodeProto n) {
            String op = n.getOpType();
            Object x = value(0), y = value(1);
            if (x instanceof Const cx && y instanceof Const cy) {
                put(fold(op, cx, cy));
                return;
            }
            int ai = x instanceof Act ? 0 : 1;
            if (!((ai == 0 ? y : x) instanceof Const c)) throw fail("combines two activations (a branch): only a chain of layers is supported");
            if (ai == 1 && (op.equals("Sub") || op.equals("Div"))) throw fail("takes the activations from a constant or divides a constant by them: not supported");
            Act a = act(ai, op);
            if (c.f() == null) throw fail("its constant must be float");
            for (float v : c.f()) if (!Float.isFinite(v)) throw fail("its constant is not finite");
            if (layers.isEmpty()) {
                // In front of the first layer: the input normalization y = (x - mean) / std.
                if (!uniform(c)) throw fail("normalizes the channels differently: only one mean and deviation for all are supported");
                double v = c.f()[0];
                switch (op) {
                    case "Sub" -> mean += v * std;
                    case "Add" -> mean -= v * std;
                    case "Div" -> std *= v;
                    default -> std /= v;
                }
                if (!(std > 0) || !Double.isFinite(std) || !Double.isFinite(mean)) throw fail("makes a normalization with a deviation that is not positive");
                put(next(a.shape(), a.perm()));
                return;
            }
            if (op.equals("Div") && c.count() == 1 && a.shape().length == 1 && a.perm() == null && onlySoftmaxReads(n.getOutput(0))) {
                // logits / T right before the Softmax: a temperature (simdnet's calibration, which its export writes so;
                // Model.probabilities applies it, and Model.logits stays the network's own output).
                double t = c.f()[0];
                if (!(t > 0)) throw fail("divides the logits by " + t + " before the Softmax: a temperature must be positive");
                if (temperature != 1) throw fail("divides the logits by a second temperature");
                temperature = t;
                put(a);
                return;
            }
            Layer last = layers.get(layers.size() - 1);
            int channels = a.shape()[0];
            boolean perChannel = c.count() == 1 || (a.shape().length == 3 ? isChannelShape(c, channels) : c.count() == channels && c.dims()[c.dims().length - 1] == channels);
            if (!perChannel || !(last instanceof Conv2d || last instanceof Linear) || op.equals("Sub") || op.equals("Div"))
                throw fail("an " + op + " by a constant is supported only in front of the first layer (the normalization), or as an Add "
                        + "or Mul per channel right after a convolution or dense layer");
            float[] bias = last instanceof Conv2d cv ? cv.bias().value().data() : ((Linear) last).bias().value().data();
            float[] w = last instanceof Conv2d cv ? cv.weight().value().data() : ((Linear) last).weight().value().data();
            int per = w.length / channels;
            for (int o = 0; o < channels; o++) {
                float v = c.f()[c.count() == 1 ? 0 : o];
                if (op.equals("Add")) bias[o] += v;
                else {
                    bias[o] *= v;
                    for (int i = 0; i < per; i++) w[o * per + i] *= v;
                }
            }
            put(next(a.shape(), a.perm()));
        }

        /** Whether {@code value} is read by Softmax nodes only (at least one) and is not itself an output of the graph. */
        private boolean onlySoftmaxReads(String value) {
            int readers = 0;
            for (NodeProto r : graph.getNodeList())
                for (String in : r.getInputList())
                    if (in.equals(value)) {
                        if (!r.getOpType().equals("Softmax")) return false;
                        readers++;
                    }
            for (ValueInfoProto o : graph.getOutputList()) if (o.getName().equals(value)) return false;
            return readers > 0;
        }

        private static boolean uniform(Const c) {
            for (float v : c.f()) if (v != c.f()[0]) return false;
            return c.count() >= 1;
        }

        /** [C, 1, 1] or [1, C, 1, 1]: one value per channel of an NCHW map. */
        private static boolean isChannelShape(Const c, int channels) {
            long[] d = c.dims();
            if (c.count() != channels) return false;
            return (d.length == 3 && d[0] == channels && d[1] == 1 && d[2] == 1) || (d.length == 4 && d[0] == 1 && d[1] == channels && d[2] == 1 && d[3] == 1);
        }

        /** Arithmetic on two constants (shape computations, folded weights): elementwise, or with a scalar. */
        private Const fold(String op, Const a, Const b) {
            if (a.count() != b.count() && !a.scalarLike() && !b.scalarLike()) throw fail("broadcasts two constants: only elementwise or by a scalar is supported");
            long[] dims = a.count() >= b.count() ? a.dims() : b.dims();
            int n = (int) Math.max(a.count(), b.count());
            if (a.f() != null || b.f() != null) {
                float[] r = new float[n];
                for (int i = 0; i < n; i++) {
                    float x = get(a, i), y = get(b, i);
                    r[i] = switch (op) { case "Add" -> x + y; case "Sub" -> x - y; case "Mul" -> x * y; default -> x / y; };
                }
                return new Const(dims, r, null);
            }
            long[] r = new long[n];
            for (int i = 0; i < n; i++) {
                long x = a.i()[a.scalarLike() ? 0 : i], y = b.i()[b.scalarLike() ? 0 : i];
                if (x == BATCH || y == BATCH) throw fail("computes with the batch size: not supported");
                if (op.equals("Div") && y == 0) throw fail("divides by zero");
                r[i] = switch (op) { case "Add" -> Math.addExact(x, y); case "Sub" -> Math.subtractExact(x, y); case "Mul" -> Math.multiplyExact(x, y); default -> x / y; };
            }
            return new Const(dims, null, r);
        }

        private float get(Const c, int i) {
            int j = c.scalarLike() ? 0 : i;
            if (c.f() != null) return c.f()[j];
            if (c.i()[j] == BATCH) throw fail("computes with the batch size: not supported");
            return c.i()[j];
        }

        private void softmax(NodeProto n) {
            Act a = act(0, "Softmax");
            if (a.shape().length != 1) throw fail("a Softmax over a 4-D map is not supported");
            long axis = intAttr("axis", opset < 13 ? 1 : -1);
            if (axis != 1 && axis != -1) throw fail("axis " + axis + ": only the class axis (1 or -1) is supported");
            if (a.perm() != null) throw fail("a Softmax over a flattened map is not supported");
            logitsName = node.getInput(0);
            put(new Act(a.id(), a.shape(), false, null, true));
        }

        // ---------------------------------------------------------------- shape arithmetic

        private void shape(NodeProto n) {
            Object v = value(0);
            long[] dims;
            if (v instanceof Act a) {
                dims = new long[a.shape().length + 1];
                dims[0] = BATCH;
                for (int i = 0; i < a.shape().length; i++) dims[i + 1] = a.shape()[i];
                if (a.nhwc()) dims = new long[] {BATCH, a.shape()[1], a.shape()[2], a.shape()[0]};
            } else {
                dims = ((Const) v).dims().clone();
            }
            int r = dims.length;
            long start = intAttr("start", 0), end = intAttr("end", r);
            start = Math.max(0, Math.min(r, start < 0 ? start + r : start));
            end = Math.max(0, Math.min(r, end < 0 ? end + r : end));
            long[] out = Arrays.copyOfRange(dims, (int) start, (int) Math.max(start, end));
            put(new Const(new long[] {out.length}, null, out));
        }

        /** A constant with new dims: its data unchanged, one -1 inferred, a 0 copying the old dim unless allowzero. */
        private Const reshapedConstant(Const c, long[] target, boolean allowZero) {
            if (target.length > MAX_RANK) throw fail("more than " + MAX_RANK + " dimensions");
            long[] dims = target.clone();
            long count = c.count(), known = 1;
            int inferred = -1;
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] == 0 && !allowZero) {
                    if (i >= c.dims().length) throw fail("copies dimension " + i + ", which its input does not have");
                    dims[i] = c.dims()[i];
                }
                if (dims[i] == -1) {
                    if (inferred >= 0) throw fail("its shape has two -1s");
                    inferred = i;
                } else if (dims[i] < 0) {
                    throw fail("its shape holds " + dims[i]);
                } else {
                    known *= dims[i];
                }
            }
            if (inferred >= 0) {
                if (known == 0 || count % known != 0) throw fail("cannot reshape " + count + " values to " + shapeText(target));
                dims[inferred] = count / known;
            } else if (known != count) {
                throw fail("cannot reshape " + count + " values to " + shapeText(target));
            }
            return new Const(dims, c.f(), c.i());
        }

        private Const ints(Object v, String what) {
            if (!(v instanceof Const c) || c.i() == null) throw fail("its " + what + " must be an integer constant");
            return c;
        }

        private void gather(NodeProto n) {
            Const data = ints(value(0), "data");
            Const idx = ints(value(1), "indices");
            if (intAttr("axis", 0) != 0 || data.dims().length != 1) throw fail("only gathering from a 1-D integer tensor is supported");
            long[] r = new long[idx.i().length];
            for (int i = 0; i < r.length; i++) {
                long j = idx.i()[i];
                if (j < 0) j += data.i().length;
                if (j < 0 || j >= data.i().length) throw fail("index " + idx.i()[i] + " is out of range");
                r[i] = data.i()[(int) j];
            }
            put(new Const(idx.dims().clone(), null, r));
        }

        private void squeeze(NodeProto n, boolean unsqueeze) {
            Object v = value(0);
            if (!(v instanceof Const c)) throw fail("on the activations is not supported");
            long[] axes = has(1) ? ints(value(1), "axes").i() : intsAttr("axes", null);
            List<Long> dims = new ArrayList<>();
            for (long d : c.dims()) dims.add(d);
            if (unsqueeze) {
                if (axes == null) throw fail("needs axes");
                long[] sorted = axes.clone();
                int rank = dims.size() + sorted.length;
                for (int i = 0; i < sorted.length; i++) if (sorted[i] < 0) sorted[i] += rank;
                Arrays.sort(sorted);
                for (long ax : sorted) {
                    if (ax < 0 || ax > dims.size()) throw fail("axis " + ax + " is out of range");
                    dims.add((int) ax, 1L);
                }
            } else if (axes == null) {
                dims.removeIf(d -> d == 1);
            } else {
                int rank = dims.size();
                Set<Long> drop = new HashSet<>();
                for (long ax : axes) drop.add(ax < 0 ? ax + rank : ax);
                List<Long> kept = new ArrayList<>();
                for (int i = 0; i < rank; i++) {
                    if (drop.contains((long) i)) {
                        if (dims.get(i) != 1) throw fail("squeezes a dimension of " + dims.get(i));
                    } else kept.add(dims.get(i));
                }
                dims = kept;
            }
            if (dims.size() > MAX_RANK) throw fail("more than " + MAX_RANK + " dimensions");
            put(new Const(dims.stream().mapToLong(Long::longValue).toArray(), c.f(), c.i()));
        }

        private void concat(NodeProto n) {
            if (n.getInputCount() > 64) throw fail("concatenates " + n.getInputCount() + " tensors");
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < n.getInputCount(); i++) {
                Const c = ints(value(i), "input " + i);
                if (c.dims().length > 1) throw fail("only 1-D integer tensors are concatenated here");
                for (long v : c.i()) out.add(v);
            }
            if (intAttr("axis", 0) != 0 && intAttr("axis", 0) != -1) throw fail("only axis 0 is supported");
            put(new Const(new long[] {out.size()}, null, out.stream().mapToLong(Long::longValue).toArray()));
        }

        private void slice(NodeProto n) {
            Const data = ints(value(0), "data");
            if (data.dims().length != 1) throw fail("only slicing a 1-D integer tensor is supported");
            long start = ints(value(1), "starts").i()[0], end = ints(value(2), "ends").i()[0];
            if (has(3)) {
                long ax = ints(value(3), "axes").i()[0];
                if (ax != 0 && ax != -1) throw fail("only axis 0 is supported");
            }
            if (has(4) && ints(value(4), "steps").i()[0] != 1) throw fail("only step 1 is supported");
            long len = data.i().length;
            start = Math.max(0, Math.min(len, start < 0 ? start + len : start));
            end = Math.max(0, Math.min(len, end < 0 ? end + len : end));
            long[] r = Arrays.copyOfRange(data.i(), (int) start, (int) Math.max(start, end));
            put(new Const(new long[] {r.length}, null, r));
        }

        // ---------------------------------------------------------------- the model

        private Model finish() {
            Act last = null;
            for (ValueInfoProto o : graph.getOutputList()) {
                Object v = values.get(o.getName());
                if (!(v instanceof Act a)) throw fail("the output '" + o.getName() + "' is a constant, not computed from the image");
                if (a.id() != currentId) throw fail("the output '" + o.getName() + "' is not the end of the chain of layers");
                last = a;
            }
            if (layers.isEmpty()) throw fail("the graph has no layers");
            if (last.shape().length != 1) throw fail("the output is a " + (last.shape().length + 1) + "-D map, not [N, classes]");
            if (last.perm() != null) throw fail("the output is a flattened feature map, not class scores");
            int classes = last.shape()[0];
            if (classes < 2) throw fail("the output has " + classes + " class, a classifier needs two or more");
            int[] chw = inputChw;
            int c = chw[0], h = chw[1], w = chw[2];
            Map<String, String> meta = new LinkedHashMap<>();
            for (var e : proto.getMetadataPropsList()) meta.put(e.getKey(), e.getValue());
            List<String> names = classNames(meta, classes);
            Model.Preprocess prep = c == 1 && h == DigitPreprocessor.SIDE && w == DigitPreprocessor.SIDE ? Model.Preprocess.DIGITS : Model.Preprocess.RESIZE;
            if (meta.containsKey(Model.PREPROCESS_KEY)) {
                try {
                    prep = Model.Preprocess.valueOf(meta.get(Model.PREPROCESS_KEY).toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw fail("its metadata names an unknown preprocessing '" + meta.get(Model.PREPROCESS_KEY) + "'");
                }
            }
            Normalization norm = new Normalization((float) mean, (float) std);
            String name = "onnx";
            try {
                if (meta.containsKey("model")) {
                    String was = ModelSpec.parse(meta.get("model")).name();
                    name = was.startsWith("onnx") ? was : "onnx-" + was; // an import exported again keeps its name
                }
            } catch (IllegalArgumentException e) {
                // not a simdnet export: keep "onnx"
            }
            meta.remove(Model.NORMALIZATION_KEY); // what the graph computes is the normalization
            meta.put("onnx_source", source);
            meta.put("onnx_producer", (proto.getProducerName() + " " + proto.getProducerVersion()).trim());
            meta.put("onnx_opset", Integer.toString(opset));
            ModelSpec spec = new ModelSpec(name, new int[] {h, w, c}, classes, 0f);
            Sequential net = new Sequential(layers);
            try {
                int[] out = net.outputShape(new int[] {h, w, c});
                if (out.length != 1 || out[0] != classes) throw fail("the network's output " + Arrays.toString(out) + " is not " + classes + " classes");
            } catch (IllegalArgumentException e) {
                throw fail("the layers do not fit together: " + e.getMessage());
            }
            Model m = Model.of(spec, net, new Model.Input(h, w, c, norm, prep), names).withMetadata(meta);
            if (temperature == 1) return m;
            Calibration stated = m.calibration();
            if (stated.isNone() || !meta.containsKey(Calibration.KEY))
                return m.withCalibration(new Calibration(temperature, 0, Double.NaN, "the temperature in " + source, 0));
            // simdnet's export writes the calibration twice: as the graph's Div (for every runtime) and as metadata
            // (with the "not sure" threshold). They must say the same, or the threshold was fitted for another model.
            if (Math.abs(stated.temperature() - temperature) > 1e-6 * temperature)
                throw fail("its graph divides the logits by " + temperature + " but its calibration metadata says temperature "
                        + stated.temperature() + ": the file was edited; export it again");
            return m;
        }

        private List<String> classNames(Map<String, String> meta, int classes) {
            String json = meta.get(Model.CLASSES_KEY);
            if (json != null) {
                try {
                    List<Object> l = JSON.std.listFrom(json);
                    if (l.size() == classes) return l.stream().map(String::valueOf).toList();
                } catch (IOException | RuntimeException e) {
                    // not a JSON list: numbered classes
                }
            }
            return Model.numberedClasses(classes);
        }
    }
}
