package dev.simdnet.model;

import java.util.Arrays;

/**
 * What is needed to rebuild a network: its registry name, the input shape of one sample (H, W, C), the number
 * of classes and the dropout rate. Stored in every checkpoint, so loading can refuse a checkpoint of another
 * architecture with a clear message.
 */
public record ModelSpec(String name, int[] inputShape, int classes, float dropout) {
    public ModelSpec {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("model name is empty");
        if (inputShape.length != 3) throw new IllegalArgumentException("input shape must be (H, W, C)");
        if (classes < 2) throw new IllegalArgumentException("classes must be at least 2");
        if (!(dropout >= 0f && dropout < 1f)) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        inputShape = inputShape.clone();
    }

    /** 28 x 28 grey digits or clothes, ten classes. */
    public static ModelSpec mnist(String name, float dropout) {
        return new ModelSpec(name, new int[] {28, 28, 1}, 10, dropout);
    }

    /** A stable one-line form for checkpoint metadata, e.g. {@code fast 28x28x1 classes=10 dropout=0.0}. */
    public String describe() {
        return name + " " + inputShape[0] + "x" + inputShape[1] + "x" + inputShape[2] + " classes=" + classes + " dropout=" + dropout;
    }

    public static ModelSpec parse(String s) {
        String[] p = s.trim().split(" ");
        if (p.length != 4 || !p[2].startsWith("classes=") || !p[3].startsWith("dropout="))
            throw new IllegalArgumentException("not a model description: '" + s + "'");
        String[] hwc = p[1].split("x");
        return new ModelSpec(p[0], new int[] {Integer.parseInt(hwc[0]), Integer.parseInt(hwc[1]), Integer.parseInt(hwc[2])},
                Integer.parseInt(p[2].substring(8)), Float.parseFloat(p[3].substring(8)));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSpec m && name.equals(m.name) && Arrays.equals(inputShape, m.inputShape)
                && classes == m.classes && Float.compare(dropout, m.dropout) == 0;
    }

    @Override
    public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(inputShape); }

    @Override
    public String toString() { return describe(); }
}
