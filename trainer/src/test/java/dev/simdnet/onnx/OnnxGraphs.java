package dev.simdnet.onnx;

import com.google.protobuf.ByteString;
import dev.simdnet.onnx.proto.OnnxProto.AttributeProto;
import dev.simdnet.onnx.proto.OnnxProto.GraphProto;
import dev.simdnet.onnx.proto.OnnxProto.ModelProto;
import dev.simdnet.onnx.proto.OnnxProto.NodeProto;
import dev.simdnet.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.simdnet.onnx.proto.OnnxProto.TensorProto;
import dev.simdnet.onnx.proto.OnnxProto.TensorShapeProto;
import dev.simdnet.onnx.proto.OnnxProto.TypeProto;
import dev.simdnet.onnx.proto.OnnxProto.ValueInfoProto;

import java.util.List;
import java.util.SplittableRandom;

/**
 * ONNX graphs written node by node, as PyTorch's two exporters write them (the TorchScript one: Constant nodes,
 * batch norm folded into the convolution, Flatten, Gemm; the dynamo one: initializers, BatchNormalization,
 * Shape/Gather/Unsqueeze/Concat into a Reshape, MatMul + Add), and the pieces the hostile files are made of.
 */
final class OnnxGraphs {
    private OnnxGraphs() {}

    static final int C = 3, H = 12, W = 12, CLASSES = 5;

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    static AttributeProto integer(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto real(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    static AttributeProto tensorAttr(String name, TensorProto t) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
    }

    static NodeProto node(String op, String name, List<String> in, List<String> out, AttributeProto... attrs) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out).addAllAttribute(List.of(attrs)).build();
    }

    static TensorProto floats(String name, float[] v, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) t.addDims(d);
        for (float x : v) t.addFloatData(x); // float_data here, raw_data in OnnxExport: both are read
        return t.build();
    }

    static TensorProto longs(String name, long[] v, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE);
        for (long d : dims) t.addDims(d);
        for (long x : v) t.addInt64Data(x);
        return t.build();
    }

    static float[] random(SplittableRandom rng, int n, double scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) (rng.nextGaussian() * scale);
        return f;
    }

    static float[] uniform(SplittableRandom rng, int n, double lo, double hi) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) rng.nextDouble(lo, hi);
        return f;
    }

    static ValueInfoProto value(String name, Object... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof String p) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(p));
            else s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }

    static ModelProto model(GraphProto g, int opset) {
        return model(g, opset, 8);
    }

    static ModelProto model(GraphProto g, int opset, long ir) {
        return ModelProto.newBuilder().setIrVersion(ir).setProducerName("pytorch").setProducerVersion("2.x (hand-written in the test)")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(g).build();
    }

    /**
     * The TorchScript exporter's pattern: normalization by Constant nodes, Conv with batch norm already folded in,
     * Relu, MaxPool, Flatten, Gemm (transB=1), Relu, Gemm; {@code softmax} adds a final Softmax.
     */
    static ModelProto legacyStyle(int opset, boolean softmax, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        GraphProto.Builder g = GraphProto.newBuilder().setName("torch_jit");
        g.addInput(value("input", "batch_size", C, H, W));
        g.addNode(node("Constant", "/Constant", List.of(), List.of("/Constant_output_0"),
                tensorAttr("value", floats("", new float[] {0.45f}))));
        g.addNode(node("Sub", "/Sub", List.of("input", "/Constant_output_0"), List.of("/Sub_output_0")));
        g.addNode(node("Constant", "/Constant_1", List.of(), List.of("/Constant_1_output_0"),
                tensorAttr("value", floats("", new float[] {0.25f}))));
        g.addNode(node("Div", "/Div", List.of("/Sub_output_0", "/Constant_1_output_0"), List.of("/Div_output_0")));
        g.addInitializer(floats("onnx::Conv_20", random(rng, 6 * C * 9, 0.3), 6, C, 3, 3));
        g.addInitializer(floats("onnx::Conv_21", random(rng, 6, 0.1), 6));
        g.addNode(node("Conv", "/conv1/Conv", List.of("/Div_output_0", "onnx::Conv_20", "onnx::Conv_21"), List.of("/conv1/Conv_output_0"),
                ints("dilations", 1, 1), integer("group", 1), ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1), ints("strides", 1, 1)));
        g.addNode(node("Relu", "/Relu", List.of("/conv1/Conv_output_0"), List.of("/Relu_output_0")));
        g.addNode(node("MaxPool", "/pool/MaxPool", List.of("/Relu_output_0"), List.of("/pool/MaxPool_output_0"),
                integer("ceil_mode", 0), ints("kernel_shape", 2, 2), ints("pads", 0, 0, 0, 0), ints("strides", 2, 2)));
        g.addNode(node("Flatten", "/Flatten", List.of("/pool/MaxPool_output_0"), List.of("/Flatten_output_0"), integer("axis", 1)));
        int feat = 6 * (H / 2) * (W / 2);
        g.addInitializer(floats("fc1.weight", random(rng, 8 * feat, 0.1), 8, feat));
        g.addInitializer(floats("fc1.bias", random(rng, 8, 0.1), 8));
        g.addNode(node("Gemm", "/fc1/Gemm", List.of("/Flatten_output_0", "fc1.weight", "fc1.bias"), List.of("/fc1/Gemm_output_0"),
                real("alpha", 1f), real("beta", 1f), integer("transB", 1)));
        g.addNode(node("Relu", "/Relu_1", List.of("/fc1/Gemm_output_0"), List.of("/Relu_1_output_0")));
        g.addInitializer(floats("fc2.weight", random(rng, CLASSES * 8, 0.5), CLASSES, 8));
        g.addInitializer(floats("fc2.bias", random(rng, CLASSES, 0.1), CLASSES));
        String out = softmax ? "/fc2/Gemm_output_0" : "logits";
        g.addNode(node("Gemm", "/fc2/Gemm", List.of("/Relu_1_output_0", "fc2.weight", "fc2.bias"), List.of(out),
                real("alpha", 1f), real("beta", 1f), integer("transB", 1)));
        if (softmax) {
            if (opset < 13) g.addNode(node("Softmax", "/Softmax", List.of(out), List.of("probs"))); // axis 1 by default before 13
            else g.addNode(node("Softmax", "/Softmax", List.of(out), List.of("probs"), integer("axis", 1)));
        }
        g.addOutput(value(softmax ? "probs" : "logits", "batch_size", CLASSES));
        return model(g.build(), opset);
    }

    /**
     * The dynamo exporter's pattern: scalar initializers for the normalization (one through CastLike), Conv without bias then
     * BatchNormalization, Relu, MaxPool, the flatten as Shape, Gather, Unsqueeze, Concat with -1, Reshape (or, with
     * {@code slice}, Shape, Slice, Concat), MatMul + Add, Relu, Gemm.
     */
    static ModelProto dynamoStyle(int opset, boolean slice, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        GraphProto.Builder g = GraphProto.newBuilder().setName("main_graph");
        g.addInput(value("x", "s0", C, H, W));
        g.addInitializer(floats("scalar_tensor_default", new float[] {0.45f}));
        g.addInitializer(floats("scalar_tensor_default_1", new float[] {0.25f}));
        // torchlib gives a Python scalar the input's type with CastLike (opset 15+).
        g.addNode(node("CastLike", "node_CastLike_0", List.of("scalar_tensor_default", "x"), List.of("mean_like")));
        g.addNode(node("Sub", "node_Sub_0", List.of("x", "mean_like"), List.of("sub")));
        g.addNode(node("Div", "node_Div_1", List.of("sub", "scalar_tensor_default_1"), List.of("div")));
        g.addInitializer(floats("conv1.weight", random(rng, 6 * C * 9, 0.3), 6, C, 3, 3));
        g.addNode(node("Conv", "node_Conv_2", List.of("div", "conv1.weight"), List.of("conv2d"),
                integer("group", 1), ints("pads", 1, 1, 1, 1), ints("strides", 1, 1), ints("dilations", 1, 1), stringAttr("auto_pad", "NOTSET")));
        g.addInitializer(floats("bn1.weight", uniform(rng, 6, 0.5, 1.5), 6));
        g.addInitializer(floats("bn1.bias", uniform(rng, 6, -0.3, 0.3), 6));
        g.addInitializer(floats("bn1.running_mean", uniform(rng, 6, -0.5, 0.5), 6));
        g.addInitializer(floats("bn1.running_var", uniform(rng, 6, 0.3, 3), 6));
        g.addNode(node("BatchNormalization", "node_BatchNormalization_3",
                List.of("conv2d", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"), List.of("batch_norm"),
                real("epsilon", 1e-5f), real("momentum", 0.9f)));
        g.addNode(node("Relu", "node_Relu_4", List.of("batch_norm"), List.of("relu")));
        g.addNode(node("MaxPool", "node_MaxPool_5", List.of("relu"), List.of("max_pool2d"),
                ints("kernel_shape", 2, 2), ints("strides", 2, 2), ints("pads", 0, 0, 0, 0), ints("dilations", 1, 1), integer("ceil_mode", 0)));
        int feat = 6 * (H / 2) * (W / 2);
        g.addNode(node("Shape", "node_Shape_6", List.of("max_pool2d"), List.of("sym_size_int")));
        if (slice) {
            g.addInitializer(longs("val_0", new long[] {0}, 1));
            g.addInitializer(longs("val_1", new long[] {1}, 1));
            g.addNode(node("Slice", "node_Slice_7", List.of("sym_size_int", "val_0", "val_1"), List.of("batch")));
        } else {
            g.addInitializer(longs("val_0", new long[] {0}));
            g.addNode(node("Gather", "node_Gather_7", List.of("sym_size_int", "val_0"), List.of("sym_size")));
            g.addInitializer(longs("val_axes", new long[] {0}, 1));
            g.addNode(node("Unsqueeze", "node_Unsqueeze_8", List.of("sym_size", "val_axes"), List.of("batch")));
        }
        g.addInitializer(longs("val_minus_one", new long[] {-1}, 1));
        g.addNode(node("Concat", "node_Concat_9", List.of("batch", "val_minus_one"), List.of("shape"), integer("axis", 0)));
        g.addNode(node("Reshape", "node_Reshape_10", List.of("max_pool2d", "shape"), List.of("view"), integer("allowzero", 0)));
        float[] w1 = random(rng, feat * 8, 0.1);
        g.addInitializer(floats("fc1.weight_t", w1, feat, 8)); // [in, out]: the exporter transposed it already
        g.addInitializer(floats("fc1.bias", random(rng, 8, 0.1), 8));
        g.addNode(node("MatMul", "node_MatMul_11", List.of("view", "fc1.weight_t"), List.of("matmul")));
        g.addNode(node("Add", "node_Add_12", List.of("matmul", "fc1.bias"), List.of("linear")));
        g.addNode(node("Relu", "node_Relu_13", List.of("linear"), List.of("relu_1")));
        g.addInitializer(floats("fc2.weight", random(rng, CLASSES * 8, 0.5), CLASSES, 8));
        g.addInitializer(floats("fc2.bias", random(rng, CLASSES, 0.1), CLASSES));
        g.addNode(node("Gemm", "node_Gemm_14", List.of("relu_1", "fc2.weight", "fc2.bias"), List.of("fc2"),
                integer("transA", 0), integer("transB", 1), real("alpha", 1f), real("beta", 1f)));
        g.addOutput(value("fc2", "s0", CLASSES));
        return model(g.build(), opset, 10);
    }

    static AttributeProto stringAttr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(v)).build();
    }
}
