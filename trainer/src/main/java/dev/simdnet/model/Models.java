package dev.simdnet.model;

import dev.simdnet.nn.BatchNorm;
import dev.simdnet.nn.Conv2d;
import dev.simdnet.nn.Dropout;
import dev.simdnet.nn.Flatten;
import dev.simdnet.nn.Layer;
import dev.simdnet.nn.Linear;
import dev.simdnet.nn.MaxPool2d;
import dev.simdnet.nn.Relu;
import dev.simdnet.nn.Sequential;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * The registry of named networks. Every network takes NHWC input (batch, H, W, C), MNIST's (batch, 28, 28, 1) by
 * default, and returns one logit per class.
 * Each layer is named by its role ({@code conv1}, {@code fc1}), so parameter names are stable across runs.
 */
public final class Models {
    private Models() {}

    private record Entry(String summary, BiFunction<ModelSpec, SplittableRandom, List<Layer>> build) {}

    private static final Map<String, Entry> REGISTRY = new LinkedHashMap<>();

    static {
        REGISTRY.put("mlp", new Entry("baseline: 784-256-10 perceptron", Models::mlp));
        REGISTRY.put("lenet5", new Entry("LeNet-5 (LeCun 1998) with ReLU and max pooling", Models::lenet5));
        REGISTRY.put("lenet", new Entry("Deeplearning4j's MNIST LeNet: 5x5x20 conv, pool, 5x5x50 conv, pool, dense 500", Models::lenet));
        REGISTRY.put("fast", new Entry("small 3x3 CNN with batch norm, about 29k parameters", Models::fast));
        REGISTRY.put("fast-wide", new Entry("fast at 1.5x the channels (24-48-96), about 61k parameters", Models::fastWide));
        REGISTRY.put("best", new Entry("wider 3x3 CNN with batch norm and dropout, for the accuracy record", Models::best));
        REGISTRY.put("cnn32", new Entry("3x3 conv-bn-relu blocks 32-32-64-64-128 for 32x32 colour pictures, about 0.16M parameters", Models::cnn32));
    }

    /** The known model names, in registry order. */
    public static List<String> names() { return List.copyOf(REGISTRY.keySet()); }

    public static String summary(String name) { return entry(name).summary(); }

    public static boolean exists(String name) { return REGISTRY.containsKey(name); }

    /** Builds the network for {@code spec} with weights drawn from {@code seed}. */
    public static Sequential build(ModelSpec spec, long seed) {
        return new Sequential(entry(spec.name()).build().apply(spec, new SplittableRandom(seed)));
    }

    private static Entry entry(String name) {
        Entry e = REGISTRY.get(name);
        if (e == null) throw new IllegalArgumentException("unknown model '" + name + "': known models are " + String.join(", ", names()));
        return e;
    }

    private static List<Layer> mlp(ModelSpec s, SplittableRandom rng) {
        int in = s.inputShape()[0] * s.inputShape()[1] * s.inputShape()[2];
        List<Layer> l = new ArrayList<>();
        l.add(new Flatten("flatten"));
        l.add(new Linear("fc1", in, 256, rng));
        l.add(new Relu("relu1"));
        if (s.dropout() > 0) l.add(new Dropout("drop1", s.dropout()));
        l.add(new Linear("fc2", 256, s.classes(), rng));
        return l;
    }

    private static List<Layer> lenet5(ModelSpec s, SplittableRandom rng) {
        int c = s.inputShape()[2];
        List<Layer> l = new ArrayList<>();
        l.add(new Conv2d("conv1", c, 6, 5, 1, 2, rng));       // (b, 28, 28, 6)
        l.add(new Relu("relu1"));
        l.add(new MaxPool2d("pool1", 2, 2));                  // (b, 14, 14, 6)
        l.add(new Conv2d("conv2", 6, 16, 5, 1, 0, rng));      // (b, 10, 10, 16)
        l.add(new Relu("relu2"));
        l.add(new MaxPool2d("pool2", 2, 2));                  // (b, 5, 5, 16)
        l.add(new Flatten("flatten"));
        l.add(new Linear("fc1", flat(s, 16, 2, -4, 2), 120, rng));
        l.add(new Relu("relu3"));
        l.add(new Linear("fc2", 120, 84, rng));
        l.add(new Relu("relu4"));
        if (s.dropout() > 0) l.add(new Dropout("drop1", s.dropout()));
        l.add(new Linear("fc3", 84, s.classes(), rng));
        return l;
    }

    // As in Deeplearning4j's example: identity activations after the convolutions, Xavier weights everywhere.
    private static List<Layer> lenet(ModelSpec s, SplittableRandom rng) {
        int c = s.inputShape()[2];
        List<Layer> l = new ArrayList<>();
        l.add(new Conv2d("conv1", c, 20, 5, 1, 0, rng, true));      // (b, 24, 24, 20)
        l.add(new MaxPool2d("pool1", 2, 2));                        // (b, 12, 12, 20)
        l.add(new Conv2d("conv2", 20, 50, 5, 1, 0, rng, true));     // (b, 8, 8, 50)
        l.add(new MaxPool2d("pool2", 2, 2));                        // (b, 4, 4, 50)
        l.add(new Flatten("flatten"));
        l.add(new Linear("fc1", flat(s, 50, -4, 2, -4, 2), 500, rng, true));
        l.add(new Relu("relu1"));
        if (s.dropout() > 0) l.add(new Dropout("drop1", s.dropout()));
        l.add(new Linear("fc2", 500, s.classes(), rng, true));
        return l;
    }

    private static List<Layer> fast(ModelSpec s, SplittableRandom rng) {
        return fast(s, rng, 16);
    }

    // 1.5x the channels: on MNIST alone it read 99.56% and 99.64% of the validation images (seeds 1, 2) against
    // 99.44% and 99.52% for fast (BENCHMARKS.md, "Choosing the bundled model: pen digits by writer").
    private static List<Layer> fastWide(ModelSpec s, SplittableRandom rng) {
        return fast(s, rng, 24);
    }

    private static List<Layer> fast(ModelSpec s, SplittableRandom rng, int width) {
        int c = s.inputShape()[2];
        List<Layer> l = new ArrayList<>();
        convBlock(l, 1, c, width, rng);                        // (b, 14, 14, width)
        convBlock(l, 2, width, 2 * width, rng);                // (b, 7, 7, 2 width)
        convBlock(l, 3, 2 * width, 4 * width, rng);            // (b, 3, 3, 4 width)
        l.add(new Flatten("flatten"));
        if (s.dropout() > 0) l.add(new Dropout("drop1", s.dropout()));
        l.add(new Linear("fc1", flat(s, 4 * width, 2, 2, 2), s.classes(), rng));
        return l;
    }

    /**
     * For small colour pictures (CIFAR-sized, 32x32x3): two conv-bn-relu layers at 32 and at 64 channels, one at
     * 128, each stage halved by max pooling (32, 16, 8, 4 pixels a side), then one linear layer: about 160k
     * parameters, 29 million multiply-adds an image at 32x32.
     */
    private static List<Layer> cnn32(ModelSpec s, SplittableRandom rng) {
        int c = s.inputShape()[2];
        List<Layer> l = new ArrayList<>();
        convBnRelu(l, "1", c, 32, rng);                        // (b, 32, 32, 32)
        convBnRelu(l, "2", 32, 32, rng);
        l.add(new MaxPool2d("pool1", 2, 2));                   // (b, 16, 16, 32)
        convBnRelu(l, "3", 32, 64, rng);
        convBnRelu(l, "4", 64, 64, rng);
        l.add(new MaxPool2d("pool2", 2, 2));                   // (b, 8, 8, 64)
        convBnRelu(l, "5", 64, 128, rng);
        l.add(new MaxPool2d("pool3", 2, 2));                   // (b, 4, 4, 128)
        l.add(new Flatten("flatten"));
        if (s.dropout() > 0) l.add(new Dropout("drop1", s.dropout()));
        l.add(new Linear("fc1", flat(s, 128, 2, 2, 2), s.classes(), rng, true));
        return l;
    }

    private static List<Layer> best(ModelSpec s, SplittableRandom rng) {
        int c = s.inputShape()[2];
        List<Layer> l = new ArrayList<>();
        convBnRelu(l, "1", c, 32, rng);                        // (b, 28, 28, 32)
        convBnRelu(l, "2", 32, 32, rng);
        l.add(new MaxPool2d("pool1", 2, 2));                   // (b, 14, 14, 32)
        convBnRelu(l, "3", 32, 64, rng);
        convBnRelu(l, "4", 64, 64, rng);
        l.add(new MaxPool2d("pool2", 2, 2));                   // (b, 7, 7, 64)
        convBnRelu(l, "5", 64, 128, rng);
        l.add(new MaxPool2d("pool3", 2, 2));                   // (b, 3, 3, 128)
        l.add(new Flatten("flatten"));
        l.add(new Linear("fc1", flat(s, 128, 2, 2, 2), 256, rng));
        l.add(new BatchNorm("bn_fc1", 256));
        l.add(new Relu("relu_fc1"));
        if (s.dropout() > 0) l.add(new Dropout("drop1", s.dropout()));
        l.add(new Linear("fc2", 256, s.classes(), rng));
        return l;
    }

    /**
     * The features entering the first dense layer: {@code channels} maps of the input's side after each step, a
     * positive step a 2x2 pooling (halving, rounded down) and a negative one a convolution without padding that
     * trims that many pixels. 28x28 gives the classic sizes (LeNet-5: 5x5x16 = 400).
     */
    private static int flat(ModelSpec s, int channels, int... steps) {
        int h = s.inputShape()[0], w = s.inputShape()[1];
        for (int step : steps) {
            h = step > 0 ? h / step : h + step;
            w = step > 0 ? w / step : w + step;
        }
        if (h < 1 || w < 1)
            throw new IllegalArgumentException("model '" + s.name() + "' cannot read " + s.inputShape()[0] + "x" + s.inputShape()[1]
                    + " images: they are too small for its layers; use a larger --input-size or another model");
        return h * w * channels;
    }

    /** conv 3x3 same, batch norm, ReLU, 2x2 max pool. */
    private static void convBlock(List<Layer> l, int i, int in, int out, SplittableRandom rng) {
        convBnRelu(l, Integer.toString(i), in, out, rng);
        l.add(new MaxPool2d("pool" + i, 2, 2));
    }

    private static void convBnRelu(List<Layer> l, String i, int in, int out, SplittableRandom rng) {
        l.add(new Conv2d("conv" + i, in, out, 3, 1, 1, rng));
        l.add(new BatchNorm("bn" + i, out));
        l.add(new Relu("relu" + i));
    }
}
