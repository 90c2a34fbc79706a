package dev.simdnet.nn;

import dev.simdnet.kernel.Kernels;

/**
 * What a forward or backward pass needs besides its input: the kernels to run on, whether this is
 * training (dropout active, batch statistics, caches kept), a seed for this step's randomness (so a
 * resumed run draws the same dropout masks), whether the input gradient is wanted, and where to time each
 * layer ({@code profile}, null: not timed).
 */
public record Context(Kernels kernels, boolean training, long stepSeed, boolean needInputGrad, Profile profile) {

    public static Context training(Kernels kernels, long stepSeed) {
        return new Context(kernels, true, stepSeed, true, null);
    }

    public static Context inference(Kernels kernels) {
        return new Context(kernels, false, 0L, false, null);
    }

    public Context withNeedInputGrad(boolean need) {
        return new Context(kernels, training, stepSeed, need, profile);
    }

    /** The same context, timing each layer of a {@link Sequential} into {@code p}. */
    public Context withProfile(Profile p) {
        return new Context(kernels, training, stepSeed, needInputGrad, p);
    }

    /** A seed derived for one layer so layers do not share random streams. */
    public long seedFor(String layerName) {
        return stepSeed * 0x9E3779B97F4A7C15L + layerName.hashCode();
    }
}
