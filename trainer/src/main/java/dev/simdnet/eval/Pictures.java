package dev.simdnet.eval;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The PNG reports of {@code eval}: the confusion matrix as a heat map and a gallery of misread digits.
 * Digits are drawn with a built-in 3x5 pixel font, so nothing depends on the fonts a machine has installed.
 */
public final class Pictures {
    private Pictures() {}

    // 3x5 glyphs of 0-9, one row of 3 bits per line, top to bottom.
    private static final int[][] GLYPHS = {
            {7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7}, {5, 5, 7, 1, 1},
            {7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 1, 2, 2}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7}};

    /** Draws the number {@code n} at (x, y) with pixels of {@code scale}. */
    static void drawNumber(BufferedImage img, String n, int x, int y, int scale, int rgb) {
        for (char ch : n.toCharArray()) {
            if (ch >= '0' && ch <= '9') {
                int[] g = GLYPHS[ch - '0'];
                for (int r = 0; r < 5; r++)
                    for (int c = 0; c < 3; c++)
                        if ((g[r] >> (2 - c) & 1) != 0) fill(img, x + c * scale, y + r * scale, scale, scale, rgb);
            }
            x += 4 * scale;
        }
    }

    static void fill(BufferedImage img, int x, int y, int w, int h, int rgb) {
        for (int j = Math.max(0, y); j < Math.min(img.getHeight(), y + h); j++)
            for (int i = Math.max(0, x); i < Math.min(img.getWidth(), x + w); i++) img.setRGB(i, j, rgb);
    }

    /** Rows are true classes, columns predicted; the shade is the share of the row, the number the count. */
    public static void confusionMatrix(int[][] confusion, Path file) throws IOException {
        int k = confusion.length, cell = 44, margin = 30;
        BufferedImage img = new BufferedImage(margin + k * cell, margin + k * cell, BufferedImage.TYPE_INT_RGB);
        fill(img, 0, 0, img.getWidth(), img.getHeight(), 0xFFFFFF);
        for (int t = 0; t < k; t++) {
            drawNumber(img, Integer.toString(t), 8, margin + t * cell + cell / 2 - 7, 3, 0x000000);
            drawNumber(img, Integer.toString(t), margin + t * cell + cell / 2 - 4, 8, 3, 0x000000);
            int rowSum = 0;
            for (int v : confusion[t]) rowSum += v;
            for (int p = 0; p < k; p++) {
                double share = rowSum == 0 ? 0 : (double) confusion[t][p] / rowSum;
                int shade = 255 - (int) Math.round(Math.sqrt(share) * 200);
                int rgb = t == p ? (shade << 16) | (0xFF << 8) | shade : (0xFF << 16) | (shade << 8) | shade;
                fill(img, margin + p * cell + 1, margin + t * cell + 1, cell - 2, cell - 2, rgb);
                String count = Integer.toString(confusion[t][p]);
                drawNumber(img, count, margin + p * cell + 3, margin + t * cell + cell / 2 - 5, 2, 0x000000);
            }
        }
        write(img, file);
    }

    /**
     * Misread digits, each in MNIST polarity with its true label (green, left) and the prediction (red, right)
     * under it. {@code pixels} are uint8 28x28 images.
     */
    public static void gallery(byte[][] pixels, int[] truth, int[] predicted, int rows, int cols, Path file) throws IOException {
        int n = Math.min(pixels.length, 200), perRow = 20, scale = 2, w = rows * scale + 4, h = rows * scale + 16;
        int lines = Math.max(1, (n + perRow - 1) / perRow);
        BufferedImage img = new BufferedImage(perRow * w, lines * h, BufferedImage.TYPE_INT_RGB);
        fill(img, 0, 0, img.getWidth(), img.getHeight(), 0x202020);
        for (int i = 0; i < n; i++) {
            int ox = (i % perRow) * w + 2, oy = (i / perRow) * h + 2;
            for (int y = 0; y < rows; y++)
                for (int x = 0; x < cols; x++) {
                    int v = pixels[i][y * cols + x] & 0xFF;
                    fill(img, ox + x * scale, oy + y * scale, scale, scale, v << 16 | v << 8 | v);
                }
            drawNumber(img, Integer.toString(truth[i]), ox + 4, oy + rows * scale + 2, 2, 0x40FF40);
            drawNumber(img, Integer.toString(predicted[i]), ox + rows * scale - 10, oy + rows * scale + 2, 2, 0xFF5050);
        }
        write(img, file);
    }

    static void write(BufferedImage img, Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), ".simdnet", ".png");
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer in this JDK");
            Files.move(tmp, abs, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
