package dev.simdnet.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Stratified, seeded splits of a labelled set into index arrays. Each class contributes to the validation
 * part in proportion to its size (largest remainders round the shares so they add up exactly), and the
 * same labels and seed always give the same split.
 */
public final class Splits {
    private Splits() {}

    /** MNIST's customary validation size. */
    public static final int DEFAULT_VALIDATION = 5_000;

    /**
     * Two disjoint sets of indices that together cover {@code [0, labels.length)}, each sorted ascending.
     *
     * @param train      indices to train on
     * @param validation indices held out
     */
    public record Split(int[] train, int[] validation) {
        public Split {
            train = train.clone();
            validation = validation.clone();
        }
    }

    /** Holds out {@code validationSize} images of {@code data}, stratified by class. */
    public static Split holdout(Dataset data, int validationSize, long seed) {
        return holdout(data.labelsAsInts(), data.numClasses(), validationSize, seed);
    }

    /** Holds out {@code validationSize} of the indices of {@code labels} (each in {@code [0, numClasses)}). */
    public static Split holdout(int[] labels, int numClasses, int validationSize, long seed) {
        if (validationSize < 0 || validationSize > labels.length)
            throw new IllegalArgumentException("validation size " + validationSize + " is not in [0, " + labels.length + "]");
        int[][] byClass = shuffledByClass(labels, numClasses, seed);
        int[] take = proportionalShares(byClass, validationSize);
        boolean[] held = new boolean[labels.length];
        for (int c = 0; c < numClasses; c++)
            for (int i = 0; i < take[c]; i++) held[byClass[c][i]] = true;
        return fromMask(held);
    }

    /**
     * {@code k} folds: fold {@code f} validates on its own stratified share of the indices and trains on all
     * the others. Every index is validated in exactly one fold.
     */
    public static List<Split> kFold(int[] labels, int numClasses, int k, long seed) {
        if (k < 2 || k > labels.length)
            throw new IllegalArgumentException("k must be in [2, " + labels.length + "], got " + k);
        int[][] byClass = shuffledByClass(labels, numClasses, seed);
        // Deal each class's shuffled indices round-robin, continuing the deal across classes so the fold
        // sizes differ by at most one overall while each class spreads evenly over the folds.
        int[] foldOf = new int[labels.length];
        int next = 0;
        for (int[] members : byClass)
            for (int idx : members) foldOf[idx] = next++ % k;
        List<Split> folds = new ArrayList<>(k);
        for (int f = 0; f < k; f++) {
            boolean[] held = new boolean[labels.length];
            for (int i = 0; i < labels.length; i++) held[i] = foldOf[i] == f;
            folds.add(fromMask(held));
        }
        return List.copyOf(folds);
    }

    /** Indices of each class, shuffled by a generator seeded with {@code seed}. */
    private static int[][] shuffledByClass(int[] labels, int numClasses, long seed) {
        int[] counts = new int[numClasses];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses)
                throw new IllegalArgumentException("label " + labels[i] + " at " + i + " is not in [0, " + numClasses + ")");
            counts[labels[i]]++;
        }
        int[][] byClass = new int[numClasses][];
        for (int c = 0; c < numClasses; c++) byClass[c] = new int[counts[c]];
        int[] fill = new int[numClasses];
        for (int i = 0; i < labels.length; i++) byClass[labels[i]][fill[labels[i]]++] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int[] members : byClass) shuffle(members, rng);
        return byClass;
    }

    /** How many of each class to take so the total is {@code total}: floor shares, then largest remainders. */
    private static int[] proportionalShares(int[][] byClass, int total) {
        int n = 0;
        for (int[] m : byClass) n += m.length;
        int[] take = new int[byClass.length];
        long[] remainder = new long[byClass.length];
        int assigned = 0;
        for (int c = 0; c < byClass.length; c++) {
            long exact = (long) byClass[c].length * total; // share * n, kept exact in integers
            take[c] = (int) (exact / Math.max(n, 1));
            remainder[c] = exact % Math.max(n, 1);
            assigned += take[c];
        }
        // Give the leftover units to the largest remainders; ties go to the lower class, deterministically.
        Integer[] order = new Integer[byClass.length];
        for (int c = 0; c < order.length; c++) order[c] = c;
        Arrays.sort(order, (a, b) -> remainder[a] != remainder[b] ? Long.compare(remainder[b], remainder[a]) : a - b);
        for (int i = 0; assigned < total; i++) {
            int c = order[i % order.length];
            if (take[c] < byClass[c].length) {
                take[c]++;
                assigned++;
            }
        }
        return take;
    }

    private static Split fromMask(boolean[] held) {
        int v = 0;
        for (boolean h : held) if (h) v++;
        int[] train = new int[held.length - v], val = new int[v];
        int ti = 0, vi = 0;
        for (int i = 0; i < held.length; i++) {
            if (held[i]) val[vi++] = i;
            else train[ti++] = i;
        }
        return new Split(train, val);
    }

    /** Fisher-Yates. */
    public static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
