package dev.simdnet.model;

import dev.simdnet.data.Dataset;
import dev.simdnet.data.Normalization;
import dev.simdnet.data.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Temperature scaling and the "not sure" threshold: fitting, measuring, the checkpoint entry, the model applying it. */
class CalibrationTest {
    /**
     * Logits whose labels are drawn from softmax(logits / trueT): a model over-confident by a factor trueT.
     * Returns {logits, labels}.
     */
    private static Object[] overConfident(int n, int classes, double trueT, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] logits = new float[n * classes];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) logits[i * classes + c] = (float) (rng.nextGaussian() * 4);
            float[] p = Calibration.softmax(java.util.Arrays.copyOfRange(logits, i * classes, (i + 1) * classes), 1, classes, trueT);
            double u = rng.nextDouble(), acc = 0;
            int label = classes - 1;
            for (int c = 0; c < classes; c++) if ((acc += p[c]) > u) { label = c; break; }
            labels[i] = label;
        }
        return new Object[] {logits, labels};
    }

    @Test
    void theFittedTemperatureIsTheOneTheLabelsWereDrawnWith() {
        for (double trueT : new double[] {0.5, 1, 2.5}) {
            Object[] d = overConfident(20_000, 10, trueT, 42);
            Calibration c = Calibration.fit((float[]) d[0], (int[]) d[1], 20_000, 10, 0.99, "synthetic");
            assertThat(c.temperature()).as("fitted for T=" + trueT).isCloseTo(trueT, within(0.06 * trueT));
        }
    }

    @Test
    void calibrationTakesTheErrorOfAnOverConfidentModelDown() {
        Object[] fit = overConfident(10_000, 10, 2, 1), held = overConfident(10_000, 10, 2, 2);
        float[] logits = (float[]) held[0];
        int[] labels = (int[]) held[1];
        Calibration c = Calibration.fit((float[]) fit[0], (int[]) fit[1], 10_000, 10, 0.99, "synthetic");
        double before = Calibration.NONE.report(logits, labels, 10_000, 10, false).ece();
        double after = c.report(logits, labels, 10_000, 10, true).ece();
        assertThat(before).isGreaterThan(0.1);
        assertThat(after).isLessThan(0.02);
    }

    @Test
    void theThresholdIsTheLowestWhoseSureAnswersReachTheTarget() {
        // Top probabilities 0.9 ... 0.5 (two classes), and which of them are right.
        float[] probs = {0.95f, 0.05f, 0.9f, 0.1f, 0.8f, 0.2f, 0.7f, 0.3f, 0.6f, 0.4f};
        int[] labels = {0, 0, 1, 0, 1};                        // right, right, wrong, right, wrong
        // >= 0.9: 2 of 2; >= 0.8: 2 of 3; >= 0.7: 3 of 4; >= 0.6: 3 of 5
        assertThat(Calibration.chooseThreshold(probs, labels, 5, 2, 1.0)).isEqualTo(0.9f);
        assertThat(Calibration.chooseThreshold(probs, labels, 5, 2, 0.75)).isEqualTo(0.7f);
        assertThat(Calibration.chooseThreshold(probs, labels, 5, 2, 0.6)).isEqualTo(0.6f);
        // Never reached (the most confident is wrong): the threshold whose sure answers are right most often.
        int[] allWrongAtTop = {1, 0, 0, 1, 1};                 // wrong, right, right, wrong, wrong
        assertThat(Calibration.chooseThreshold(probs, allWrongAtTop, 5, 2, 0.99)).isEqualTo(0.8f);
    }

    @Test
    void theExpectedCalibrationErrorIsTheWeightedGapOfEachBin() {
        // Four answers at 0.95 (three right), and two at 0.55 (both right): |0.75 - 0.95| * 4/6 + |1 - 0.55| * 2/6.
        float[] probs = {0.95f, 0.05f, 0.95f, 0.05f, 0.95f, 0.05f, 0.95f, 0.05f, 0.55f, 0.45f, 0.55f, 0.45f};
        int[] labels = {0, 0, 0, 1, 0, 0};
        assertThat(Calibration.expectedCalibrationError(probs, labels, 6, 2)).isCloseTo(0.2 * 4 / 6 + 0.45 * 2 / 6, within(1e-6));
    }

    @Test
    void aCalibratedModelSavesItLoadsItAndAppliesItToEveryAnswer(@TempDir Path dir) throws Exception {
        Model bundled = Model.bundled().withCalibration(Calibration.NONE); // as it would be uncalibrated, whatever the jar holds
        Dataset train = TestData.mnistTrain();
        List<float[]> samples = new ArrayList<>();
        int[] labels = new int[300];
        for (int i = 0; i < 300; i++) {
            samples.add(train.imageUnit(i));
            labels[i] = train.label(i);
        }
        LabelledSamples s = new LabelledSamples("300 MNIST training images", samples, labels, new int[300], 0);
        Calibration c = Calibration.fit(bundled, s, 0.999);
        assertThat(c.fittedOn()).isEqualTo("300 MNIST training images");
        assertThat(c.samples()).isEqualTo(300);
        Model calibrated = bundled.withCalibration(c);
        Path file = dir.resolve("cal.safetensors");
        calibrated.save(file);
        Model back = Model.load(file);
        assertThat(back.calibration()).isEqualTo(c);
        assertThat(back.metadata().get(Calibration.KEY)).contains("\"temperature\"", "\"threshold\"", "\"fitted_on\"");

        float[] logits = bundled.logits(s.flat(), 300);
        float[] expected = Calibration.softmax(logits, 300, 10, c.temperature());
        float[] got = back.probabilities(s.flat(), 300);
        for (int i = 0; i < got.length; i++) assertThat(got[i]).isCloseTo(expected[i], within(2e-5f));
        // Calibration never changes which class wins.
        for (int i = 0; i < 300; i++)
            assertThat(back.predict(samples.get(i)).index()).isEqualTo(bundled.predict(samples.get(i)).index());
        // "sure" follows the threshold, and an uncalibrated model is always sure.
        for (int i = 0; i < 300; i++) {
            Model.Prediction p = back.predict(samples.get(i));
            assertThat(p.sure()).isEqualTo(p.probability() >= c.threshold());
            assertThat(bundled.predict(samples.get(i)).sure()).isTrue();
        }
        // Removing it gives the raw softmax back.
        assertThat(back.withCalibration(Calibration.NONE).metadata()).doesNotContainKey(Calibration.KEY);
    }

    @Test
    void aDamagedCalibrationEntryIsRefusedWithItsFile(@TempDir Path dir) throws Exception {
        ModelSpec spec = ModelSpec.mnist("fast", 0f);
        Model m = Model.of(spec, Models.build(spec, 1), new Model.Input(28, 28, 1, Normalization.MNIST, Model.Preprocess.DIGITS), Model.numberedClasses(10));
        for (String bad : new String[] {"{\"temperature\": -1, \"threshold\": 0.5}", "{\"threshold\": 0.5}", "not json",
                "{\"temperature\": 1, \"threshold\": 2}", "{\"method\": \"isotonic\", \"temperature\": 1, \"threshold\": 0.5}"}) {
            Path file = dir.resolve("bad.safetensors");
            Checkpoint.save(file, spec, m.network(), Map.of(Calibration.KEY, bad));
            assertThatThrownBy(() -> Model.load(file)).as(bad).isInstanceOf(Checkpoint.CheckpointException.class)
                    .hasMessageContaining("bad.safetensors").hasMessageContaining("calibration");
        }
    }
}
