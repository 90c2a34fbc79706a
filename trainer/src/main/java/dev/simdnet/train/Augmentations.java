package dev.simdnet.train;

import dev.simdnet.augment.AugmentConfig;
import dev.simdnet.augment.AugmentPreview;
import dev.simdnet.augment.Augmenter;
import dev.simdnet.augment.CropFlip;
import dev.simdnet.augment.StrokeRedraw;
import dev.simdnet.data.Dataset;
import dev.simdnet.kernel.Parallel;

import java.io.IOException;
import java.nio.file.Path;

/** The config's augmentation level ("none", "light", "pen", "strong") as the training loop's batch augmenter. */
public final class Augmentations {
    private Augmentations() {}

    /** For MNIST's 28 x 28 images. */
    public static BatchAugmenter forPreset(TrainConfig.Augmentation level, long seed, Parallel parallel) {
        return forPreset(level, seed, parallel, 28, 28);
    }

    public static BatchAugmenter forPreset(TrainConfig.Augmentation level, long seed, Parallel parallel, int rows, int cols) {
        return forPreset(level, seed, parallel, rows, cols, 1);
    }

    /** For pictures of {@code rows × cols × channels}: crop-flip takes any, the other levels grey ones only. */
    public static BatchAugmenter forPreset(TrainConfig.Augmentation level, long seed, Parallel parallel, int rows, int cols, int channels) {
        if (level == TrainConfig.Augmentation.CROP_FLIP) {
            // Padding of an eighth of the side, CIFAR's 4 pixels at 32.
            CropFlip cf = new CropFlip(seed, rows, cols, channels, Math.max(1, Math.min(rows, cols) / 8));
            return (images, count, epoch, ids, idsFrom) -> cf.apply(images, count, epoch, ids, idsFrom, parallel);
        }
        AugmentConfig config = distortions(level);
        if (config.isOff()) return BatchAugmenter.NONE;
        if (channels != 1) throw new IllegalArgumentException("--augment " + TrainConfig.nameOf(level) + " works on grey pictures only");
        Augmenter augmenter = new Augmenter(config, seed, rows, cols);
        StrokeRedraw redraw = redraw(level, seed, rows, cols);
        if (redraw == null) return (images, count, epoch, ids, idsFrom) -> augmenter.apply(images, 0, count, epoch, ids, idsFrom, parallel);
        // Redrawn first, then distorted: the canvas' even strokes go through the same affine and width changes.
        return (images, count, epoch, ids, idsFrom) -> {
            redraw.apply(images, 0, count, epoch, ids, idsFrom, parallel);
            augmenter.apply(images, 0, count, epoch, ids, idsFrom, parallel);
        };
    }

    /** The affine, elastic and width distortions of a level: {@code strokes} distorts as {@code pen} does. */
    static AugmentConfig distortions(TrainConfig.Augmentation level) {
        return AugmentConfig.preset(TrainConfig.nameOf(level == TrainConfig.Augmentation.STROKES ? TrainConfig.Augmentation.PEN : level));
    }

    /** The skeleton redraw of {@code strokes}; null for the other levels. */
    static StrokeRedraw redraw(TrainConfig.Augmentation level, long seed, int rows, int cols) {
        return level == TrainConfig.Augmentation.STROKES ? new StrokeRedraw(StrokeRedraw.Settings.CANVAS, seed, rows, cols) : null;
    }

    /**
     * A grid of 16 training images, each shown plain and in 7 augmented variants, for a person to look at: the
     * first image of every class, then images spread over the set.
     */
    static void saveGrid(Dataset train, TrainConfig.Augmentation level, long seed, Path png) throws IOException {
        int[] samples = new int[16];
        int k = 0;
        for (int c = 0; c < train.numClasses() && k < samples.length; c++)
            for (int i = 0; i < train.n(); i++)
                if (train.label(i) == c) { samples[k++] = i; break; }
        for (int i = 1; k < samples.length; i++) samples[k++] = i * 997 % train.n();
        AugmentPreview.writePng(png, train, samples, redraw(level, seed, train.rows(), train.cols()),
                new Augmenter(distortions(level), seed, train.rows(), train.cols()), 7, 3);
    }
}
