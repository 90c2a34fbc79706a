package dev.simdnet.train;

import dev.simdnet.model.Model;
import dev.simdnet.model.Models;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.Normalization;
import dev.simdnet.data.TestData;
import dev.simdnet.kernel.Kernels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Knowledge distillation: the mixed loss's gradient, and a student that learns from a teacher alone. */
class DistillationTest {
    static Kernels kernels;
    static Dataset data;
    static final int[] train = TrainerTest.range(0, 1200), val = TrainerTest.range(1200, 1500);
    static final TrainConfig CONFIG = TrainerTest.CONFIG;

    @BeforeAll
    static void setUp() {
        kernels = Kernels.create("vector", 2);
        data = TestData.mnistTrain();
    }

    @AfterAll
    static void tearDown() {
        kernels.close();
    }

    static Trainer trainer(TrainConfig c) {
        return new Trainer(c, kernels, Augmentations.forPreset(TrainConfig.Augmentation.LIGHT, c.seed(), kernels.parallel()), TrainListener.SILENT, null);
    }

    @Test
    void theMixedLossGradientMatchesFiniteDifferences() {
        int b = 3, classes = 5;
        SplittableRandom r = new SplittableRandom(7);
        float[] z = new float[b * classes], q = new float[b * classes];
        int[] y = {1, 4, 0};
        for (int i = 0; i < z.length; i++) z[i] = (float) r.nextDouble(-3, 3);
        float[] teacherLogits = new float[b * classes];                 // teacher probabilities: a softmax of random logits
        for (int i = 0; i < teacherLogits.length; i++) teacherLogits[i] = (float) r.nextDouble(-2, 2);
        kernels.softmax(b, classes, teacherLogits, 0, q, 0);
        float a = 0.7f, temperature = 3f, eps = 0.1f;
        float[] grad = new float[z.length];
        double loss = loss(b, classes, z, y, q, a, temperature, eps, grad);
        assertThat(loss).isPositive();
        double h = 1e-3;
        for (int k = 0; k < z.length; k++) {
            float keep = z[k];
            z[k] = (float) (keep + h);
            double up = loss(b, classes, z, y, q, a, temperature, eps, new float[z.length]);
            z[k] = (float) (keep - h);
            double down = loss(b, classes, z, y, q, a, temperature, eps, new float[z.length]);
            z[k] = keep;
            assertThat(grad[k]).as("dL/dz[%d]", k).isCloseTo((float) ((up - down) / (2 * h)), within(2e-3f));
        }
    }

    /** The training loop's loss: label cross-entropy from the kernels, then the teacher's term mixed in. */
    private static double loss(int b, int classes, float[] z, int[] y, float[] q, float a, float t, float eps, float[] grad) {
        double ce = kernels.softmaxCrossEntropy(b, classes, z, 0, y, 0, eps, null, 0, grad, 0) / b;
        float[] p = new float[b * classes];
        Trainer.softmaxAt(kernels, b, classes, z, 0, t, new float[b * classes], p);
        return Trainer.distill(b, classes, p, q, a, t, ce, grad);
    }

    @Test
    void aStudentLearnsFromTheTeacherAloneWhenTheLabelsAreNoise() throws Exception {
        TrainConfig c = CONFIG.with("dropout", 0f);
        Trainer.Outcome teacher = trainer(c).run(data, Normalization.MNIST, train, val, false);
        Dataset noisy = withShuffledLabels(data, 11);

        // Weight 1: the labels take no part, so the student can only have learnt the digits from the teacher.
        Trainer.Outcome student = trainer(c.with("seed", 2))
                .distillFrom(List.of(teacher.net()), 1f, 2f)
                .run(noisy, Normalization.MNIST, train, val, false);
        Trainer.Outcome alone = trainer(c.with("seed", 2))
                .run(noisy, Normalization.MNIST, train, val, false);

        double teacherAcc = accuracy(teacher), studentAcc = accuracy(student), aloneAcc = accuracy(alone);
        assertThat(teacherAcc).isGreaterThan(0.70);
        assertThat(studentAcc).isGreaterThan(teacherAcc - 0.10);
        assertThat(aloneAcc).isLessThan(0.30);                           // the labels alone teach nothing
    }

    @Test
    void badDistillationSettingsAreRefused() {
        Trainer t = trainer(CONFIG);
        var net = Models.build(CONFIG.modelSpec(), 1);
        assertThatThrownBy(() -> t.distillFrom(List.of(), 0.5f, 2f)).hasMessageContaining("at least one teacher");
        assertThatThrownBy(() -> t.distillFrom(List.of(net), 0f, 2f)).hasMessageContaining("weight must be in (0, 1]");
        assertThatThrownBy(() -> t.distillFrom(List.of(net), 0.5f, 0.5f)).hasMessageContaining("temperature must be in [1, 20]");
    }

    /** Accuracy on the true labels of the validation images. */
    private static double accuracy(Trainer.Outcome o) {
        return Model.of(o.spec(), o.net(), new Model.Input(28, 28, 1, Normalization.MNIST, Model.Preprocess.RESIZE), Model.numberedClasses(10))
                .withKernels(kernels).evaluate(data, val, 100).accuracy();
    }

    private static Dataset withShuffledLabels(Dataset d, long seed) {
        int[] perm = Trainer.shuffled(TrainerTest.range(0, d.n()), seed);
        byte[] labels = new byte[d.n()];
        for (int i = 0; i < labels.length; i++) labels[i] = d.labels()[perm[i]];
        return new Dataset(d.name(), d.n(), d.rows(), d.cols(), d.images(), labels, d.numClasses());
    }
}
