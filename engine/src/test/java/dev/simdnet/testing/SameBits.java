package dev.simdnet.testing;

import org.opentest4j.AssertionFailedError;

/**
 * Bit-for-bit comparison of float arrays in one pass, for weights and other results that must be identical.
 * AssertJ's {@code containsExactly} builds a quadratic diff before it reports: 597 s for two arrays of 30,000
 * floats that differed in their last bits (issue 15). This fails in milliseconds and says what differs: the
 * first index, how many values, and the largest difference in ulps.
 */
public final class SameBits {
    private SameBits() {}

    public static void assertSameBits(String what, float[] actual, float[] expected) {
        if (actual.length != expected.length)
            throw new AssertionFailedError(what + ": " + actual.length + " values, expected " + expected.length);
        int first = -1, count = 0;
        long maxUlps = 0;
        for (int i = 0; i < actual.length; i++) {
            int a = Float.floatToRawIntBits(actual[i]), e = Float.floatToRawIntBits(expected[i]);
            if (a == e) continue;
            if (first < 0) first = i;
            count++;
            maxUlps = Math.max(maxUlps, ulps(actual[i], expected[i]));
        }
        if (count > 0)
            throw new AssertionFailedError(String.format(java.util.Locale.ROOT,
                    "%s: %d of %d values differ; first at index %d (%s, expected %s); largest difference %s",
                    what, count, actual.length, first, Float.toString(actual[first]), Float.toString(expected[first]),
                    maxUlps == Long.MAX_VALUE ? "not a number of ulps (NaN or infinity)" : maxUlps + " ulps"));
    }

    /** Distance in units in the last place, on the ordered integer line of floats (-0 and +0 at the same place). */
    static long ulps(float a, float b) {
        if (Float.isNaN(a) || Float.isNaN(b) || Float.isInfinite(a) || Float.isInfinite(b)) return Long.MAX_VALUE;
        return Math.abs(ordered(a) - ordered(b));
    }

    private static long ordered(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits >= 0 ? bits : (long) Integer.MIN_VALUE - bits;
    }
}
