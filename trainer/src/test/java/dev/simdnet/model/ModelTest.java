package dev.simdnet.model;

import dev.simdnet.data.Dataset;
import dev.simdnet.data.Normalization;
import dev.simdnet.data.TestData;
import dev.simdnet.nn.Sequential;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.simdnet.testing.SameBits.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The front door: load, predict from pixels, pictures and files, concurrently, save and load back. */
class ModelTest {
    static Model bundled;
    static Dataset train;

    @BeforeAll
    static void load() throws Exception {
        bundled = Model.bundled();
        train = TestData.mnistTrain();
    }

    /** Training image {@code i} as a sample in [0, 1]. */
    static float[] sample(int i) { return train.imageUnit(i); }

    /** Training image {@code i} as a picture of dark ink on white, four times MNIST's size, as a person would give it. */
    static BufferedImage picture(int i) {
        BufferedImage img = new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB);
        float[] px = sample(i);
        for (int y = 0; y < 112; y++)
            for (int x = 0; x < 112; x++) {
                int v = 255 - Math.round(px[(y / 4) * 28 + x / 4] * 255);
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        return img;
    }

    @Test
    void theBundledModelReadsDigitsFromPixelsPicturesAndFiles(@TempDir Path dir) throws Exception {
        assertThat(bundled.classNames()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(bundled.input().preprocess()).isEqualTo(Model.Preprocess.DIGITS);
        int right = 0, n = 50;
        for (int i = 0; i < n; i++) {
            Model.Prediction p = bundled.predict(sample(i));
            assertThat(p.probabilities()).hasSize(10);
            assertThat(p.label()).isEqualTo(Integer.toString(p.index()));
            if (p.index() == train.label(i)) right++;
        }
        assertThat(right).isGreaterThanOrEqualTo(n - 2);

        Path png = dir.resolve("five.png");
        ImageIO.write(picture(0), "png", png.toFile());
        assertThat(train.label(0)).isEqualTo(5);
        Model.Prediction fromFile = bundled.predict(png);
        assertThat(fromFile.found()).isTrue();
        assertThat(fromFile.index()).isEqualTo(5);
        assertThat(fromFile.ranking()[0]).isEqualTo(5);
        assertThat(bundled.predict(picture(0)).index()).isEqualTo(5);
    }

    @Test
    void aBlankPictureIsNoDigitAndAWrongSizeIsRefused() {
        BufferedImage white = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) for (int x = 0; x < 40; x++) white.setRGB(x, y, 0xFFFFFF);
        Model.Prediction p = bundled.predict(white);
        assertThat(p.found()).isFalse();
        assertThat(p.reason()).contains("blank");
        assertThatThrownBy(() -> bundled.predict(new float[100])).hasMessageContaining("28x28x1 = 784 values, got 100");
    }

    @Test
    void concurrentCallersGetTheAnswersOfOneCallerAlone() throws Exception {
        int n = 64;
        List<float[]> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) samples.add(sample(i));
        float[] serial = bundled.probabilities(concat(samples), n);
        List<Model.Prediction> batched = bundled.predictAll(samples);
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<float[]>> results = new ArrayList<>();
            for (int round = 0; round < 4; round++)
                for (int i = 0; i < n; i++) {
                    int k = i;
                    results.add(pool.submit(() -> bundled.predict(samples.get(k)).probabilities()));
                }
            for (int j = 0; j < results.size(); j++) {
                int i = j % n;
                float[] want = java.util.Arrays.copyOfRange(serial, i * 10, i * 10 + 10);
                // Batch size does not change a sample's answer beyond rounding; the same call always gives the same bits.
                assertSameBits("sample " + i + " on another thread", results.get(j).get(), bundled.predict(samples.get(i)).probabilities());
                assertThat(results.get(j).get()[batched.get(i).index()]).isCloseTo(want[batched.get(i).index()], org.assertj.core.api.Assertions.within(1e-5f));
            }
        }
    }

    @Test
    void savedAndLoadedBackItKeepsItsNamesRecipeAndAnswers(@TempDir Path dir) throws Exception {
        ModelSpec spec = ModelSpec.mnist("fast", 0f);
        Sequential net = Models.build(spec, 7);
        List<String> names = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");
        Model m = Model.of(spec, net, new Model.Input(28, 28, 1, Normalization.FASHION, Model.Preprocess.RESIZE), names)
                .withMetadata(java.util.Map.of("note", "from code"));
        Path file = dir.resolve("m.safetensors");
        m.save(file);
        Model back = Model.load(file);
        assertThat(back.classNames()).isEqualTo(names);
        assertThat(back.input()).isEqualTo(m.input());
        assertThat(back.metadata()).containsEntry("note", "from code");
        assertSameBits("probabilities after a round trip", back.predict(sample(3)).probabilities(), m.predict(sample(3)).probabilities());
        assertThat(back.predict(sample(3)).label()).isIn(names);
    }

    @Test
    void aNetworkBuiltInCodeIsSavedWithItsLayersAndLoadsBack(@TempDir Path dir) throws Exception {
        var rng = new java.util.SplittableRandom(4);
        Sequential net = new Sequential(new dev.simdnet.nn.Conv2d("c1", 1, 8, 3, 2, 1, rng), new dev.simdnet.nn.Relu("r1"),
                new dev.simdnet.nn.Flatten("f"), new dev.simdnet.nn.Linear("out", 14 * 14 * 8, 10, rng, true));
        ModelSpec spec = new ModelSpec("mine", new int[] {28, 28, 1}, 10, 0f);
        Model m = Model.of(spec, net, new Model.Input(28, 28, 1, Normalization.MNIST, Model.Preprocess.DIGITS), Model.numberedClasses(10));
        Path file = dir.resolve("mine.safetensors");
        m.save(file);
        Model back = Model.load(file);
        assertThat(back.spec()).isEqualTo(spec);
        assertSameBits("probabilities of the rebuilt network", back.predict(sample(5)).probabilities(), m.predict(sample(5)).probabilities());

        // A layer that cannot describe itself is refused when saved, not written half-way.
        dev.simdnet.nn.Layer custom = new dev.simdnet.nn.Layer() {
            final dev.simdnet.nn.Relu inner = new dev.simdnet.nn.Relu("custom");
            @Override public String name() { return "custom"; }
            @Override public int[] outputShape(int[] shape) { return shape; }
            @Override public dev.simdnet.tensor.Tensor forward(dev.simdnet.tensor.Tensor x, dev.simdnet.nn.Context ctx) { return inner.forward(x, ctx); }
            @Override public dev.simdnet.tensor.Tensor backward(dev.simdnet.tensor.Tensor dy, dev.simdnet.nn.Context ctx) { return inner.backward(dy, ctx); }
            @Override public dev.simdnet.nn.Layer replica() { return this; }
        };
        Sequential odd = new Sequential(new dev.simdnet.nn.Flatten("f"), custom, new dev.simdnet.nn.Linear("out", 784, 10, rng, true));
        Model oddModel = Model.of(spec, odd, new Model.Input(28, 28, 1, Normalization.MNIST, Model.Preprocess.DIGITS), Model.numberedClasses(10));
        assertThatThrownBy(() -> oddModel.save(dir.resolve("odd.safetensors"))).hasMessageContaining("layer custom")
                .hasMessageContaining("cannot be saved");
        assertThat(dir.resolve("odd.safetensors")).doesNotExist();
    }

    @Test
    void aModelFromCodeMustMatchItsNetwork() {
        ModelSpec spec = ModelSpec.mnist("mlp", 0f);
        Sequential net = Models.build(spec, 1);
        assertThatThrownBy(() -> Model.of(spec, net, new Model.Input(32, 32, 3, Normalization.IDENTITY, Model.Preprocess.RESIZE), Model.numberedClasses(10)))
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> Model.of(spec, net, new Model.Input(28, 28, 1, Normalization.IDENTITY, Model.Preprocess.RESIZE), List.of("a", "b")))
                .hasMessageContaining("2 class names for 10 classes");
    }

    @Test
    void itShowsTheFeatureMapsOfItsConvBlocks() {
        Model.Analysis a = bundled.analyze(sample(0));
        assertThat(a.featureMaps()).extracting(Model.FeatureMap::layer).containsExactly("conv1", "conv2", "conv3");
        assertThat(a.probabilities()).hasSize(10);
        Model.FeatureMap first = a.featureMaps().getFirst();
        assertThat(first.values()).hasSize(first.height() * first.width() * first.channels());
    }

    static float[] concat(List<float[]> parts) {
        float[] all = new float[parts.size() * parts.getFirst().length];
        for (int i = 0; i < parts.size(); i++) System.arraycopy(parts.get(i), 0, all, i * parts.get(i).length, parts.get(i).length);
        return all;
    }
}
