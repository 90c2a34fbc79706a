package dev.simdnet.train;

/**
 * Distorts a batch of one-channel images in [0, 1] in place, before normalization. The randomness of each
 * image comes from (run seed, {@code epoch}, its index in the data set, {@code ids[idsFrom + i]}), so a
 * resumed run sees the same distortions and the thread count changes nothing.
 */
@FunctionalInterface
public interface BatchAugmenter {
    void apply(float[] images, int count, long epoch, int[] ids, int idsFrom);

    BatchAugmenter NONE = (images, count, epoch, ids, idsFrom) -> {};
}
