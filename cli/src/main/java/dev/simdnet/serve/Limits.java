package dev.simdnet.serve;

/**
 * What the server accepts at most. Anything beyond is answered with a 4xx and a message naming the limit.
 *
 * @param maxBodyBytes   request body, bytes (413 beyond)
 * @param maxImageSide   width or height of an uploaded PNG/JPEG, pixels (checked from the header, before decoding)
 * @param maxCanvasSide  width or height of the canvas that strokes are drawn on, pixels
 * @param maxStrokes     strokes in one drawing
 * @param maxPoints      points in one drawing, all strokes together
 * @param maxBatch       images in one inference request
 */
public record Limits(int maxBodyBytes, int maxImageSide, int maxCanvasSide, int maxStrokes, int maxPoints, int maxBatch) {
    /** A batch of 1,024 FP32 images as JSON is about 8 MB; a photo from a phone fits in 16 MB. */
    public static final Limits DEFAULT = new Limits(16 << 20, 4096, 2048, 64, 10_000, 1024);

    public Limits {
        if (maxBodyBytes < 1024) throw new IllegalArgumentException("maxBodyBytes must be at least 1024, got " + maxBodyBytes);
        if (maxImageSide < 28) throw new IllegalArgumentException("maxImageSide must be at least 28, got " + maxImageSide);
        if (maxCanvasSide < 28) throw new IllegalArgumentException("maxCanvasSide must be at least 28, got " + maxCanvasSide);
        if (maxStrokes < 1) throw new IllegalArgumentException("maxStrokes must be at least 1, got " + maxStrokes);
        if (maxPoints < maxStrokes) throw new IllegalArgumentException("maxPoints must be at least maxStrokes, got " + maxPoints);
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
    }
}
