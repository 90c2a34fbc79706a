package dev.simdnet.nn;

import java.util.SplittableRandom;

/** Weight initialization, always from an explicit random source so a seed fixes the whole network. */
public final class Init {
    private Init() {}

    /** He (Kaiming) normal: N(0, 2/fanIn), the right scale in front of a ReLU. */
    public static void heNormal(float[] w, int off, int n, int fanIn, SplittableRandom rng) {
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < n; i++) w[off + i] = (float) (gaussian(rng) * std);
    }

    /** Glorot/Xavier uniform: U(-a, a) with a = sqrt(6/(fanIn+fanOut)), for a layer with no ReLU after it. */
    public static void glorotUniform(float[] w, int off, int n, int fanIn, int fanOut, SplittableRandom rng) {
        double a = Math.sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < n; i++) w[off + i] = (float) ((2 * rng.nextDouble() - 1) * a);
    }

    /** A standard normal by Box-Muller (SplittableRandom has no nextGaussian that is stable across JDKs). */
    public static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble(); // (0, 1]
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
