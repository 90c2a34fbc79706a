package dev.simdnet.data;

/**
 * A picture as {@link DigitPreprocessor} sees it, row-major: {@code luma}, the Rec. 601 luminance of each pixel
 * (0..255), and {@code alpha} (0..255), or null when the picture has no alpha channel. {@link PngDecoder} gives
 * one straight from a PNG file; {@link DigitPreprocessor#picture} makes one from any BufferedImage.
 */
public record Picture(int width, int height, int[] luma, int[] alpha) {
    public Picture {
        if (width < 1 || height < 1) throw new IllegalArgumentException("a picture needs at least one pixel, got " + width + "x" + height);
        if (luma.length != (long) width * height || (alpha != null && alpha.length != luma.length))
            throw new IllegalArgumentException("a " + width + "x" + height + " picture needs " + (long) width * height
                    + " luminance (and alpha) values, got " + luma.length + (alpha == null ? "" : " and " + alpha.length));
    }
}
