package dev.simdnet.augment;

import dev.simdnet.data.DataException;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.Normalization;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** A picture of what augmentation does, for {@code train --show-augmented FILE.png}. */
public final class AugmentPreview {
    private AugmentPreview() {}

    /**
     * Draws one row per sample: the original, then {@code variants} augmented versions (epochs 0, 1, ...),
     * white ink on black, each pixel a {@code zoom x zoom} square, with gray gaps between cells.
     */
    public static BufferedImage grid(Dataset data, int[] samples, Augmenter augmenter, int variants, int zoom) {
        return grid(data, samples, null, augmenter, variants, zoom);
    }

    /** {@link #grid}, each variant first redrawn by {@code redraw} (null: none), as the training batches are. */
    public static BufferedImage grid(Dataset data, int[] samples, StrokeRedraw redraw, Augmenter augmenter, int variants, int zoom) {
        if (samples.length < 1 || variants < 1 || zoom < 1)
            throw new IllegalArgumentException("need at least one sample, one variant and zoom >= 1");
        int rows = data.rows(), cols = data.cols(), gap = 2, p = rows * cols;
        int cellW = cols * zoom + gap, cellH = rows * zoom + gap;
        BufferedImage img = new BufferedImage(gap + (variants + 1) * cellW, gap + samples.length * cellH, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) img.setRGB(x, y, 0x808080);
        float[] cell = new float[p];
        for (int r = 0; r < samples.length; r++) {
            for (int v = 0; v <= variants; v++) {
                if (v == 0) data.fillBatch(samples, r, 1, Normalization.IDENTITY, cell, 0);
                else if (redraw == null) augmenter.augmentBatch(data, samples, r, 1, v - 1, Normalization.IDENTITY, cell, 0, null);
                else {
                    data.fillBatch(samples, r, 1, Normalization.IDENTITY, cell, 0);
                    redraw.apply(cell, 0, 1, v - 1, samples, r, null);
                    augmenter.apply(cell, 0, 1, v - 1, samples, r, null);
                }
                int ox = gap + v * cellW, oy = gap + r * cellH;
                for (int y = 0; y < rows * zoom; y++)
                    for (int x = 0; x < cols * zoom; x++) {
                        int g = Math.clamp(Math.round(cell[(y / zoom) * cols + x / zoom] * 255f), 0, 255);
                        img.setRGB(ox + x, oy + y, g * 0x010101);
                    }
            }
        }
        return img;
    }

    /** Writes {@link #grid} as a PNG. */
    public static void writePng(Path file, Dataset data, int[] samples, StrokeRedraw redraw, Augmenter augmenter, int variants, int zoom) {
        BufferedImage img = grid(data, samples, redraw, augmenter, variants, zoom);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            if (!ImageIO.write(img, "png", file.toFile())) throw new DataException("no PNG writer in this JDK");
        } catch (IOException e) {
            throw new DataException("cannot write " + file + ": " + e, e);
        }
    }
}
