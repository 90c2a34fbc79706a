package dev.simdnet.eval;

/**
 * Accuracy and its parts for one set of predictions.
 *
 * @param confusion {@code confusion[true][predicted]} counts
 * @param loss      mean cross-entropy of the predicted probabilities
 */
public record Evaluation(int n, int correct, double loss, int[][] confusion) {

    public double accuracy() { return n == 0 ? Double.NaN : (double) correct / n; }

    /** Builds the evaluation from probabilities {@code (n, classes)} and the true labels. */
    public static Evaluation of(float[] probs, int[] labels, int n, int classes) {
        int[][] confusion = new int[classes][classes];
        int correct = 0;
        double loss = 0;
        for (int i = 0; i < n; i++) {
            int best = argmax(probs, i * classes, classes);
            confusion[labels[i]][best]++;
            if (best == labels[i]) correct++;
            loss -= Math.log(Math.max(probs[i * classes + labels[i]], 1e-12f));
        }
        return new Evaluation(n, correct, n == 0 ? Double.NaN : loss / n, confusion);
    }

    public static int argmax(float[] v, int off, int len) {
        int best = 0;
        for (int c = 1; c < len; c++) if (v[off + c] > v[off + best]) best = c;
        return best;
    }

    /** The 95% Wilson score interval of the accuracy, {low, high}. */
    public double[] confidenceInterval95() {
        double z = 1.959964, p = accuracy(), nn = n;
        double denom = 1 + z * z / nn;
        double centre = (p + z * z / (2 * nn)) / denom;
        double half = z * Math.sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / denom;
        return new double[] {centre - half, centre + half};
    }

    /** Of the images predicted as {@code c}, the share that are {@code c}. */
    public double precision(int c) {
        int predicted = 0;
        for (int[] row : confusion) predicted += row[c];
        return predicted == 0 ? Double.NaN : (double) confusion[c][c] / predicted;
    }

    /** Of the images of class {@code c}, the share predicted as {@code c}. */
    public double recall(int c) {
        int actual = 0;
        for (int v : confusion[c]) actual += v;
        return actual == 0 ? Double.NaN : (double) confusion[c][c] / actual;
    }
}
