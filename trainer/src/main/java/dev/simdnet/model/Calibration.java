package dev.simdnet.model;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How far a model's probabilities are to be believed, fitted on validation data and saved in its checkpoint under
 * {@link #KEY}: a temperature that divides the logits before the softmax (temperature scaling, Guo et al. 2017,
 * "On Calibration of Modern Neural Networks"), and the threshold under which the calibrated top probability is
 * answered "not sure".
 *
 * <p>Why temperature scaling: one parameter cannot overfit a few thousand validation digits and it never changes which
 * class wins (accuracy is untouched). Fitted on pen writers 17-22, it took the expected calibration error of the
 * bundled model on writers 23-30 (never fitted on) from 9.38% to 1.30%: the model is under-confident (temperature
 * 0.507; BENCHMARKS.md, "Calibration and test-time augmentation").
 *
 * @param temperature  divides the logits; above 1 softens over-confident probabilities
 * @param threshold    calibrated top probability at or above which an answer is sure (0: always sure)
 * @param sureAccuracy the accuracy the sure answers were to reach on the fitting data, which chose the threshold
 * @param fittedOn     what it was fitted on, in words (which writers, which file)
 * @param samples      how many samples it was fitted on
 */
public record Calibration(double temperature, double threshold, double sureAccuracy, String fittedOn, int samples) {
    /** The checkpoint metadata key: a JSON object of this record's fields. */
    public static final String KEY = "calibration";
    /** A model never calibrated: its softmax as it is, every answer sure. */
    public static final Calibration NONE = new Calibration(1, 0, Double.NaN, "none", 0);
    /** Accuracy the sure answers must reach on validation, by default: the level at which a person stops noticing errors. */
    public static final double DEFAULT_SURE_ACCURACY = 0.995;
    /** Bins of the expected calibration error: 15 equal-width bins of the top probability, as Guo et al. */
    public static final int ECE_BINS = 15;

    public Calibration {
        if (!(temperature > 0 && Double.isFinite(temperature))) throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        if (!(threshold >= 0 && threshold <= 1)) throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
        if (fittedOn == null) throw new IllegalArgumentException("fittedOn is required");
    }

    /** Whether an answer whose calibrated top probability is {@code top} is sure. */
    public boolean sure(float top) {
        return top >= threshold;
    }

    public boolean isNone() {
        return samples == 0 && temperature == 1 && threshold == 0;
    }

    // ---------------------------------------------------------------- fitting

    /**
     * Fits the temperature that minimizes the negative log-likelihood of {@code labels} under
     * {@code softmax(logits / T)}, then the lowest threshold at which the sure answers reach {@code sureAccuracy}.
     *
     * @param logits {@code (n, classes)} raw logits, uncalibrated
     */
    public static Calibration fit(float[] logits, int[] labels, int n, int classes, double sureAccuracy, String fittedOn) {
        if (n < 1) throw new IllegalArgumentException("calibration needs at least one labelled sample, got none");
        if (logits.length < n * classes || labels.length < n) throw new IllegalArgumentException("need " + n + " rows of " + classes + " logits and labels");
        if (!(sureAccuracy > 0 && sureAccuracy <= 1)) throw new IllegalArgumentException("the sure accuracy must be in (0, 1], got " + sureAccuracy);
        double t = fitTemperature(logits, labels, n, classes);
        float[] p = softmax(logits, n, classes, t);
        return new Calibration(t, chooseThreshold(p, labels, n, classes, sureAccuracy), sureAccuracy, fittedOn, n);
    }

    /**
     * Fits a calibration of {@code model} on labelled samples: their raw logits (any calibration the model has is
     * ignored), {@link #fit(float[], int[], int, int, double, String)}. The model is not changed:
     * {@code model.withCalibration(c)} is the calibrated one.
     */
    public static Calibration fit(Model model, LabelledSamples data, double sureAccuracy) {
        return fit(logits(model, data), data.labels(), data.size(), model.classes(), sureAccuracy, data.what());
    }

    /** The raw logits {@code (n, classes)} of the samples, 256 at a time. */
    public static float[] logits(Model model, LabelledSamples data) {
        int n = data.size(), classes = model.classes(), size = model.input().size();
        float[] out = new float[n * classes], flat = data.flat();
        for (int from = 0; from < n; from += 256) {
            int count = Math.min(256, n - from);
            float[] l = model.logits(java.util.Arrays.copyOfRange(flat, from * size, (from + count) * size), count);
            System.arraycopy(l, 0, out, from * classes, count * classes);
        }
        return out;
    }

    /** This calibration's report of the samples' logits. */
    public Report report(float[] logits, int[] labels, int n, int classes, boolean calibrated) {
        return report(softmax(logits, n, classes, calibrated ? temperature : 1), labels, n, classes);
    }

    /**
     * The NLL is convex in the inverse temperature {@code b = 1/T}: a golden-section search over b in [1/20, 20]
     * (temperatures from 0.05 to 20) to a relative precision of 1e-6, in double.
     */
    static double fitTemperature(float[] logits, int[] labels, int n, int classes) {
        double lo = 1.0 / 20, hi = 20, g = (Math.sqrt(5) - 1) / 2;
        double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
        double fa = nll(logits, labels, n, classes, a), fb = nll(logits, labels, n, classes, b);
        while (hi - lo > 1e-6 * hi) {
            if (fa <= fb) {
                hi = b;
                b = a;
                fb = fa;
                a = hi - g * (hi - lo);
                fa = nll(logits, labels, n, classes, a);
            } else {
                lo = a;
                a = b;
                fa = fb;
                b = lo + g * (hi - lo);
                fb = nll(logits, labels, n, classes, b);
            }
        }
        return 2 / (lo + hi);
    }

    /** Mean negative log-likelihood of the labels under softmax(beta * logits). */
    static double nll(float[] logits, int[] labels, int n, int classes, double beta) {
        double sum = 0;
        for (int i = 0, off = 0; i < n; i++, off += classes) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) max = Math.max(max, beta * logits[off + c]);
            double z = 0;
            for (int c = 0; c < classes; c++) z += Math.exp(beta * logits[off + c] - max);
            sum += max + Math.log(z) - beta * logits[off + labels[i]];
        }
        return sum / n;
    }

    /**
     * The lowest threshold (the most answers sure) whose sure answers are right at least {@code target} of the time
     * on these samples; when no threshold reaches it, the one whose sure answers are right most often.
     */
    static double chooseThreshold(float[] probs, int[] labels, int n, int classes, double target) {
        float[] top = new float[n];
        boolean[] right = new boolean[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + best]) best = c;
            top[i] = probs[i * classes + best];
            right[i] = best == labels[i];
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Float.compare(top[y], top[x]));
        // Walk down from the most confident: after k answers, the sure set is every answer at or above top[order[k-1]].
        double bestAcc = -1, bestAccThreshold = 1, lowestMeeting = Double.NaN;
        int correct = 0;
        for (int k = 1; k <= n; k++) {
            correct += right[order[k - 1]] ? 1 : 0;
            float t = top[order[k - 1]];
            if (k < n && top[order[k]] == t) continue; // ties: all or none of them are sure
            double acc = (double) correct / k;
            if (acc >= target) lowestMeeting = t;
            if (acc > bestAcc) {
                bestAcc = acc;
                bestAccThreshold = t;
            }
        }
        return Double.isNaN(lowestMeeting) ? bestAccThreshold : lowestMeeting;
    }

    /** {@code softmax(logits / temperature)}, {@code (n, classes)}, in double then rounded. */
    public static float[] softmax(float[] logits, int n, int classes, double temperature) {
        float[] out = new float[n * classes];
        for (int i = 0, off = 0; i < n; i++, off += classes) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) max = Math.max(max, logits[off + c] / temperature);
            double z = 0;
            for (int c = 0; c < classes; c++) z += Math.exp(logits[off + c] / temperature - max);
            for (int c = 0; c < classes; c++) out[off + c] = (float) (Math.exp(logits[off + c] / temperature - max) / z);
        }
        return out;
    }

    // ---------------------------------------------------------------- measuring

    /**
     * Expected calibration error: the top probabilities in {@link #ECE_BINS} equal-width bins, the mean of
     * |accuracy - mean confidence| over the bins weighted by their share of the samples.
     */
    public static double expectedCalibrationError(float[] probs, int[] labels, int n, int classes) {
        double[] conf = new double[ECE_BINS];
        int[] count = new int[ECE_BINS], right = new int[ECE_BINS];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + best]) best = c;
            double p = probs[i * classes + best];
            int bin = Math.min(ECE_BINS - 1, (int) (p * ECE_BINS));
            conf[bin] += p;
            count[bin]++;
            right[bin] += best == labels[i] ? 1 : 0;
        }
        double ece = 0;
        for (int b = 0; b < ECE_BINS; b++) if (count[b] > 0) ece += Math.abs(right[b] - conf[b]) / n;
        return ece;
    }

    /**
     * What a set of labelled samples says of calibrated probabilities: accuracy, ECE, NLL, and the share of sure
     * answers and their accuracy under {@code threshold}.
     */
    public record Report(int samples, double accuracy, double ece, double nll, double sureFraction, double sureAccuracy) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("samples", samples);
            m.put("accuracy", round(accuracy));
            m.put("ece", round(ece));
            m.put("nll", round(nll));
            m.put("sure_fraction", round(sureFraction));
            m.put("sure_accuracy", round(sureAccuracy));
            return m;
        }
    }

    /** The report of probabilities {@code (n, classes)} under this calibration's threshold. */
    public Report report(float[] probs, int[] labels, int n, int classes) {
        int correct = 0, sure = 0, sureRight = 0;
        double nll = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + best]) best = c;
            boolean ok = best == labels[i];
            correct += ok ? 1 : 0;
            if (sure(probs[i * classes + best])) {
                sure++;
                sureRight += ok ? 1 : 0;
            }
            nll -= Math.log(Math.max(probs[i * classes + labels[i]], 1e-30));
        }
        return new Report(n, (double) correct / n, expectedCalibrationError(probs, labels, n, classes), nll / n,
                (double) sure / n, sure == 0 ? Double.NaN : (double) sureRight / sure);
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : v;
    }

    // ---------------------------------------------------------------- metadata

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", "temperature");
        m.put("temperature", temperature);
        m.put("threshold", threshold);
        if (!Double.isNaN(sureAccuracy)) m.put("sure_accuracy", sureAccuracy);
        m.put("fitted_on", fittedOn);
        m.put("samples", samples);
        try {
            return JSON.std.asString(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads {@link #toJson}'s form; {@code what} names the checkpoint in the message of a damaged entry. */
    public static Calibration parse(String json, String what) {
        try {
            Map<String, Object> m = JSON.std.mapFrom(json);
            Object method = m.getOrDefault("method", "temperature");
            if (!"temperature".equals(method))
                throw new Checkpoint.CheckpointException(what + ": its calibration method '" + method + "' is unknown to this version (known: temperature)");
            Object sa = m.get("sure_accuracy");
            return new Calibration(((Number) m.get("temperature")).doubleValue(), ((Number) m.get("threshold")).doubleValue(),
                    sa == null ? Double.NaN : ((Number) sa).doubleValue(), String.valueOf(m.getOrDefault("fitted_on", "unknown")),
                    m.get("samples") instanceof Number s ? s.intValue() : 0);
        } catch (Checkpoint.CheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new Checkpoint.CheckpointException(what + ": its calibration is not {\"temperature\": t, \"threshold\": p, ...} (" + json + ")");
        }
    }
}
