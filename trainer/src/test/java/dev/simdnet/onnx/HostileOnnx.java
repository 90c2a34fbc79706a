package dev.simdnet.onnx;

import com.google.protobuf.ByteString;
import dev.simdnet.onnx.proto.OnnxProto.AttributeProto;
import dev.simdnet.onnx.proto.OnnxProto.GraphProto;
import dev.simdnet.onnx.proto.OnnxProto.ModelProto;
import dev.simdnet.onnx.proto.OnnxProto.NodeProto;
import dev.simdnet.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.simdnet.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.simdnet.onnx.proto.OnnxProto.TensorProto;
import dev.simdnet.onnx.proto.OnnxProto.TypeProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

import static dev.simdnet.onnx.OnnxGraphs.floats;
import static dev.simdnet.onnx.OnnxGraphs.integer;
import static dev.simdnet.onnx.OnnxGraphs.node;
import static dev.simdnet.onnx.OnnxGraphs.value;

/**
 * Damaged and hostile ONNX files, made in the test (no binary is committed): each with a fragment of the one line
 * that must refuse it. Public for the CLI's tests, which feed the same files to classify, eval and serve.
 */
public final class HostileOnnx {
    private HostileOnnx() {}

    /** A file and what its refusal must say. */
    public record Case(String name, byte[] bytes, String says) {
        @Override
        public String toString() { return name; }
    }

    /** A valid model to damage: the TorchScript exporter's pattern. */
    static ModelProto good() {
        return OnnxGraphs.legacyStyle(13, true, 3);
    }

    private static byte[] edit(UnaryOperator<GraphProto.Builder> f) {
        ModelProto m = good();
        return m.toBuilder().setGraph(f.apply(m.getGraph().toBuilder())).build().toByteArray();
    }

    /** Replaces the node named {@code name}. */
    private static GraphProto.Builder replaceNode(GraphProto.Builder g, String name, UnaryOperator<NodeProto.Builder> f) {
        for (int i = 0; i < g.getNodeCount(); i++)
            if (g.getNode(i).getName().equals(name)) return g.setNode(i, f.apply(g.getNode(i).toBuilder()));
        throw new IllegalArgumentException("no node " + name);
    }

    private static GraphProto.Builder replaceInitializer(GraphProto.Builder g, String name, TensorProto t) {
        for (int i = 0; i < g.getInitializerCount(); i++)
            if (g.getInitializer(i).getName().equals(name)) return g.setInitializer(i, t);
        throw new IllegalArgumentException("no initializer " + name);
    }

    public static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        byte[] good = good().toByteArray();
        c.add(new Case("empty", new byte[0], "empty"));
        c.add(new Case("random-bytes", noise(4096, 1), "not"));
        c.add(new Case("truncated-half", Arrays.copyOf(good, good.length / 2), "truncated"));
        c.add(new Case("truncated-one-byte", Arrays.copyOf(good, good.length - 1), "truncated"));
        byte[] png = Arrays.copyOf(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 'I', 'H', 'D', 'R'}, 64);
        c.add(new Case("a-png-named-onnx", png, "not"));
        byte[] st = ("\u0040\u0000\u0000\u0000\u0000\u0000\u0000\u0000{\"__metadata__\":{\"format\":\"simdnet-model/1\"}}      ").getBytes();
        c.add(new Case("a-safetensors-named-onnx", st, "not"));
        c.add(new Case("no-graph", ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).build().toByteArray(), "no graph"));
        c.add(new Case("opset-7", good().toBuilder().setOpsetImport(0, OperatorSetIdProto.newBuilder().setDomain("").setVersion(7)).build().toByteArray(), "opset 7"));
        c.add(new Case("opset-99", good().toBuilder().setOpsetImport(0, OperatorSetIdProto.newBuilder().setDomain("").setVersion(99)).build().toByteArray(), "opset 99"));
        c.add(new Case("no-ai-onnx-opset", good().toBuilder().setOpsetImport(0, OperatorSetIdProto.newBuilder().setDomain("com.example").setVersion(1)).build().toByteArray(), "imports no ai.onnx"));
        c.add(new Case("ir-version-99", good().toBuilder().setIrVersion(99).build().toByteArray(), "IR version 99"));
        c.add(new Case("unknown-operator", edit(g -> replaceNode(g, "/Relu", n -> n.setOpType("Swish"))), "'/Relu' (Swish): operator not supported"));
        c.add(new Case("custom-domain-operator", edit(g -> replaceNode(g, "/Relu", n -> n.setDomain("com.microsoft").setOpType("FusedConv"))), "(FusedConv): operator of domain 'com.microsoft'"));
        c.add(new Case("cycle", edit(g -> replaceNode(g, "/conv1/Conv", n -> n.setInput(0, "/Relu_output_0"))), "cycle"));
        c.add(new Case("self-loop", edit(g -> replaceNode(g, "/Relu", n -> n.setInput(0, "/Relu_output_0"))), "cycle"));
        c.add(new Case("huge-declared-tensor", edit(g -> replaceInitializer(g, "fc1.weight",
                TensorProto.newBuilder().setName("fc1.weight").setDataType(1).addDims(1L << 23).addDims(1L << 23).build())), "declares more than"));
        c.add(new Case("overflowing-dims", edit(g -> replaceInitializer(g, "fc1.weight",
                TensorProto.newBuilder().setName("fc1.weight").setDataType(1).addDims(1L << 24).addDims(1L << 24).addDims(1L << 24).addDims(1L << 24).build())), "declares more than"));
        c.add(new Case("negative-dim", edit(g -> replaceInitializer(g, "fc1.weight",
                TensorProto.newBuilder().setName("fc1.weight").setDataType(1).addDims(-5).addDims(8).build())), "dimension of -5"));
        c.add(new Case("raw-data-shorter-than-shape", edit(g -> replaceInitializer(g, "onnx::Conv_20",
                TensorProto.newBuilder().setName("onnx::Conv_20").setDataType(1).addAllDims(List.of(6L, 3L, 3L, 3L))
                        .setRawData(ByteString.copyFrom(new byte[10])).build())), "holds 10 bytes"));
        c.add(new Case("float-data-count-mismatch", edit(g -> replaceInitializer(g, "fc2.bias", floats("fc2.bias", new float[3], 5))), "declares 5 floats but holds 3"));
        c.add(new Case("too-many-dimensions", edit(g -> replaceInitializer(g, "fc2.bias",
                TensorProto.newBuilder().setName("fc2.bias").setDataType(1).addAllDims(List.of(1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 5L)).build())), "10 dimensions"));
        c.add(new Case("string-typed-weight", edit(g -> replaceInitializer(g, "onnx::Conv_20",
                TensorProto.newBuilder().setName("onnx::Conv_20").setDataType(8).addDims(1).addStringData(ByteString.copyFromUtf8("rm -rf /")).build())), "data type 8"));
        c.add(new Case("external-data", edit(g -> replaceInitializer(g, "fc1.weight",
                TensorProto.newBuilder().setName("fc1.weight").setDataType(1).addDims(8).addDims(216)
                        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("../../../etc/passwd")).build())), "external file"));
        c.add(new Case("absurd-input-size", edit(g -> g.setInput(0, value("input", "N", 3, 1_000_000_000, 1_000_000_000))), "C, H and W"));
        c.add(new Case("input-of-rank-2", edit(g -> g.setInput(0, value("input", "N", 432))), "has 2 dimensions"));
        c.add(new Case("integer-input", edit(g -> g.setInput(0, g.getInput(0).toBuilder().setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(7).setShape(g.getInput(0).getType().getTensorType().getShape()))).build())), "not a float32"));
        c.add(new Case("channel-mismatch", edit(g -> g.setInput(0, value("input", "N", 4, 12, 12))), "takes 3 channels but its input has 4"));
        c.add(new Case("grouped-convolution", edit(g -> replaceNode(g, "/conv1/Conv", n -> {
            for (int i = 0; i < n.getAttributeCount(); i++) if (n.getAttribute(i).getName().equals("group")) n.setAttribute(i, integer("group", 3));
            return n;
        })), "group=3"));
        c.add(new Case("a-branch", edit(g -> replaceNode(g, "/Relu_1", n -> n.setOpType("Add").addInput("/fc1/Gemm_output_0").setInput(0, "/fc1/Gemm_output_0"))), "branch"));
        c.add(new Case("unknown-input-name", edit(g -> replaceNode(g, "/fc2/Gemm", n -> n.setInput(1, "nowhere"))), "'nowhere' is neither"));
        c.add(new Case("a-value-made-twice", edit(g -> replaceNode(g, "/Relu_1", n -> n.setOutput(0, "/Relu_output_0"))), "made elsewhere"));
        c.add(new Case("deep-nesting", deeplyNested(48), "damaged"));
        c.add(new Case("too-many-nodes", edit(g -> {
            for (int i = 0; i < OnnxImport.MAX_NODES; i++) g.addNode(node("Identity", "id" + i, List.of("x"), List.of("y" + i)));
            return g;
        }), "nodes, more than"));
        c.add(new Case("reshape-to-nonsense", edit(g -> {
            g.addInitializer(OnnxGraphs.longs("odd_shape", new long[] {-1, 7, 3}, 3));
            return replaceNode(g, "/Flatten", n -> n.setOpType("Reshape").clearAttribute().addInput("odd_shape"));
        }), "(Reshape): reshapes"));
        c.add(new Case("output-not-made", edit(g -> g.setOutput(0, value("ghost", "N", 5))), "no node makes the output 'ghost'"));
        c.add(new Case("training-mode-batch-norm", OnnxGraphs.dynamoStyle(18, false, 1).toBuilder().setGraph(
                replaceNode(OnnxGraphs.dynamoStyle(18, false, 1).getGraph().toBuilder(), "node_BatchNormalization_3",
                        n -> n.addAttribute(integer("training_mode", 1)))).build().toByteArray(), "training_mode=1"));
        return c;
    }

    /** A node whose attribute holds a graph, whose node's attribute holds a graph, ... {@code depth} times. */
    private static byte[] deeplyNested(int depth) {
        GraphProto inner = GraphProto.newBuilder().setName("leaf").build();
        for (int i = 0; i < depth; i++) {
            NodeProto n = NodeProto.newBuilder().setOpType("If").addAttribute(AttributeProto.newBuilder().setName("then_branch")
                    .setType(AttributeProto.AttributeType.GRAPH).setG(inner)).build();
            inner = GraphProto.newBuilder().addNode(n).build();
        }
        return OnnxGraphs.model(inner, 13).toByteArray();
    }

    private static byte[] noise(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
