package dev.simdnet.train;

/**
 * Distorts a batch of one-channel images in [0, 1] in place, before normalization. {@code seed} is derived
 * from the run's seed, the epoch and the batch, so a resumed run sees the same distortions.
 */
@FunctionalInterface
public interface BatchAugmenter {
    void apply(float[] images, int count, int h, int w, long seed);

    BatchAugmenter NONE = (images, count, h, w, seed) -> {};
}
