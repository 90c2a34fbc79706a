package dev.simdnet.train;

import dev.simdnet.data.Dataset;

import java.io.IOException;
import java.nio.file.Path;

/** Maps the config's augmentation level to the batch augmenter (placeholder until the augment package lands). */
final class Augmentations {
    private Augmentations() {}

    static BatchAugmenter forPreset(String level) {
        if (level.equals("none")) return BatchAugmenter.NONE;
        throw new IllegalArgumentException("augmentation '" + level + "' is not available yet");
    }

    static void saveGrid(Dataset train, String level, long seed, Path png) throws IOException {
        throw new IllegalArgumentException("augmentation previews are not available yet");
    }
}
