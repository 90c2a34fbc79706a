package dev.simdnet.kernel;

/**
 * Convolution as im2col + GEMM, written once on top of a {@link Kernels} so the scalar and the vector
 * kernels each run it with their own im2col, col2im and sgemm.
 *
 * <p>The batch is cut into chunks of a few images whose im2col matrix stays in L2 (about
 * {@link #CHUNK_FLOATS} floats), instead of one batch-sized matrix of tens of megabytes. Chunks are dealt to
 * a fixed number of groups (at most {@link #MAX_GROUPS}, set by the geometry alone, never by the thread
 * count); the groups run in parallel, each GEMM inside a group then runs on one thread. The weight gradient
 * is summed per group and the group partials are added in group order, so {@code dw} is bit-identical
 * whatever the thread count. With a single group (a small batch) the GEMMs themselves run in parallel.
 *
 * <p>Measured against the alternative, im2col of the whole batch and one batch-sized GEMM (LeNet conv2 and
 * the small CNN's 3x3 layers at batch 128): within about 10% at one thread, either way, and no clear winner
 * at two threads on a loaded machine; the chunks win on memory (a 1 MiB buffer per group instead of up to
 * 16 MiB) and need no batch-sized dcol for the backward.
 */
final class Convolution {
    /**
     * Target size of one chunk's im2col matrix: 256 Ki floats, 1 MiB, within one core's L2 (2 MiB on the
     * Zen 5 machine this was tuned on; 64 Ki floats ran 5 to 20% slower, 1 Mi floats no faster).
     */
    static final int CHUNK_FLOATS = 1 << 18;
    /** The most groups of chunks: enough to balance 2 to 8 threads, few enough to keep partial sums small. */
    static final int MAX_GROUPS = 8;

    private Convolution() {}

    /** Images per chunk: as many as fit in {@link #CHUNK_FLOATS}, at least one. */
    static int imagesPerChunk(ConvGeometry g) {
        long perImage = (long) g.outH() * g.outW() * g.cols();
        return (int) Math.max(1, Math.min(g.batch(), CHUNK_FLOATS / perImage));
    }

    /** A 1×1 convolution with stride 1 and no padding: its im2col matrix is the input itself. */
    static boolean isPointwise(ConvGeometry g) {
        return g.kH() == 1 && g.kW() == 1 && g.stride() == 1 && g.pad() == 0;
    }

    /** {@code y = col·Wᵀ + bias}, chunk by chunk. */
    static void forward(Kernels k, ConvGeometry g, float[] x, int xOff, float[] w, int wOff,
                        float[] bias, int biasOff, float[] y, int yOff) {
        int perChunk = imagesPerChunk(g);
        int chunks = (g.batch() + perChunk - 1) / perChunk;
        int groups = Math.min(chunks, MAX_GROUPS);
        int rowsPerImage = g.outH() * g.outW(), n = g.outC(), kk = g.cols();
        int inImage = g.inH() * g.inW() * g.inC(), outImage = rowsPerImage * n;
        boolean pointwise = isPointwise(g);
        Workspace ws = k.workspace();
        k.parallel().forEach(groups, group -> {
            float[] col = pointwise ? null : ws.take(perChunk * rowsPerImage * kk);
            try {
                for (int c = group * chunks / groups; c < (group + 1) * chunks / groups; c++) {
                    int b0 = c * perChunk, images = Math.min(perChunk, g.batch() - b0), m = images * rowsPerImage;
                    int yAt = yOff + b0 * outImage;
                    if (pointwise) {
                        k.sgemm(false, true, m, n, kk, x, xOff + b0 * inImage, kk, w, wOff, kk, 0f, y, yAt, n);
                    } else {
                        k.im2col(g.withBatch(images), x, xOff + b0 * inImage, col, 0); // (m, kk)
                        k.sgemm(false, true, m, n, kk, col, 0, kk, w, wOff, kk, 0f, y, yAt, n);
                    }
                    for (int r = 0; r < m; r++) {
                        int row = yAt + r * n;
                        for (int j = 0; j < n; j++) y[row + j] += bias[biasOff + j];
                    }
                }
            } finally {
                if (col != null) ws.give(col);
            }
        });
    }

    /**
     * {@code dw += dyᵀ·col}, {@code dbias += Σ_rows dy}, and unless {@code dx} is null,
     * {@code dx = col2im(dy·W)}, chunk by chunk.
     */
    static void backward(Kernels k, ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] dy, int dyOff,
                         float[] dx, int dxOff, float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        int perChunk = imagesPerChunk(g);
        int chunks = (g.batch() + perChunk - 1) / perChunk;
        int groups = Math.min(chunks, MAX_GROUPS);
        int rowsPerImage = g.outH() * g.outW(), n = g.outC(), kk = g.cols();
        int inImage = g.inH() * g.inW() * g.inC(), outImage = rowsPerImage * n;
        int partialSize = n * kk + n; // one group's (dw (n, kk), dbias (n))
        boolean pointwise = isPointwise(g);
        Workspace ws = k.workspace();
        float[] partials = ws.take(groups * partialSize); // (groups, n·kk + n)
        try {
            k.parallel().forEach(groups, group -> {
                float[] col = pointwise ? null : ws.take(perChunk * rowsPerImage * kk);
                int dwAt = group * partialSize, dbAt = dwAt + n * kk;
                java.util.Arrays.fill(partials, dbAt, dbAt + n, 0f);
                try {
                    int first = group * chunks / groups, last = (group + 1) * chunks / groups;
                    for (int c = first; c < last; c++) {
                        int b0 = c * perChunk, images = Math.min(perChunk, g.batch() - b0), m = images * rowsPerImage;
                        int dyAt = dyOff + b0 * outImage, xAt = xOff + b0 * inImage;
                        float[] a = x;
                        int aAt = xAt;
                        if (!pointwise) {
                            k.im2col(g.withBatch(images), x, xAt, col, 0); // (m, kk)
                            a = col;
                            aAt = 0;
                        }
                        k.sgemm(true, false, n, kk, m, dy, dyAt, n, a, aAt, kk, c == first ? 0f : 1f, partials, dwAt, kk);
                        for (int r = 0; r < m; r++) {
                            int row = dyAt + r * n;
                            for (int j = 0; j < n; j++) partials[dbAt + j] += dy[row + j];
                        }
                        if (dx == null) continue;
                        if (pointwise) {
                            k.sgemm(false, false, m, kk, n, dy, dyAt, n, w, wOff, kk, 0f, dx, dxOff + b0 * inImage, kk);
                        } else {
                            // col is no longer needed: it now receives dcol (m, kk).
                            k.sgemm(false, false, m, kk, n, dy, dyAt, n, w, wOff, kk, 0f, col, 0, kk);
                            k.col2im(g.withBatch(images), col, 0, dx, dxOff + b0 * inImage);
                        }
                    }
                } finally {
                    if (col != null) ws.give(col);
                }
            });
            // Add the partials in group order: the same sums in the same order for any thread count.
            k.parallel().forRange(partialSize, 4096, (from, to) -> {
                int split = Math.clamp(n * kk, from, to); // [from, split) is dw, [split, to) is dbias
                for (int group = 0; group < groups; group++) {
                    int at = group * partialSize;
                    for (int i = from; i < split; i++) dw[dwOff + i] += partials[at + i];
                    for (int i = split; i < to; i++) dbias[dbiasOff + i - n * kk] += partials[at + i];
                }
            });
        } finally {
            ws.give(partials);
        }
    }
}
