package dev.simdnet.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM on the Vector API, in the BLIS style: B is packed into zero-padded panels {@code NR} columns wide,
 * A into blocks of rows (or read in place, see below), and a register-tiled micro-kernel computes an
 * {@code mr × NR} tile of C from {@code mr} rows of A and one panel of B. The packing routines read either
 * layout, so the micro-kernels serve NN, TN (A stored {@code k×m}), NT (B stored {@code n×k}) and TT alike.
 *
 * <p>Register budget. The tile is two vectors wide ({@code NR = 2·L}), derived from {@code SPECIES_PREFERRED}.
 * Its height {@link #MR} follows the register file ({@link KernelConfig}): AVX2 has 16 registers, so 4 rows (8 accumulators, 2
 * vectors of B, a broadcast; 6 rows spill and run at half speed); AVX-512 has 32, so 8 rows (16
 * accumulators), which measured 7-10% faster than 4 rows on squares and 30-40% on the im2col shapes on
 * the 512-bit Zen 5 this was tuned on (thread CPU time, best of many). A last
 * panel of at most {@code L} columns runs a tile one vector wide, so N = 16 does not pay for 32 columns.
 *
 * <p>Strategy by shape:
 * <ul>
 *   <li>Square-ish: cache blocks {@code KC × NC} of B (L3) and {@code MC × KC} of A (L2) are packed, the
 *       micro-kernel streams a {@code KC × NR} panel of B from L1.</li>
 *   <li>Few columns (the im2col GEMMs: M = batch·pixels huge, K and N small): a row-major A is read in
 *       place, {@code mr} rows at a time, and only the small B is packed. Packing A would double its
 *       memory traffic for a reuse of only {@code n / NR} panels.</li>
 *   <li>Small output and a long reduction (the weight gradient {@code dyᵀ·col}, k = batch·pixels): the
 *       reduction is cut into a number of chunks fixed by the shape alone ({@link #chunks}), each chunk
 *       computes a partial C on its own, and the partials are summed in chunk order. The output is too
 *       small to share among threads (16×9 for a first 3×3 layer), the reduction is not.</li>
 * </ul>
 *
 * <p>Threads and determinism: the output (or, in the last case, the reduction) is cut into parts that each
 * run the serial loop nest with the running thread's packing buffers. No part ever splits a reduction
 * that another part also sums, and the blocking of k and the chunking depend on the shape only, so every
 * element of C sees the same operations in the same order whatever the thread count: results are
 * bit-identical for 1, 2 or 3 threads, and run to run.
 */
final class VectorGemm {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector: 8 on AVX2, 16 on AVX-512. */
    private static final int L = SPECIES.length();
    /** This machine's tile (see {@link KernelConfig}): rows by the vector registers, two vectors wide. */
    static final KernelConfig CONFIG = KernelConfig.detect(SPECIES.vectorBitSize(), L);
    /** Rows of the micro-tile: 8 with 32 vector registers (AVX-512, ARM), 4 with 16 (AVX2). */
    static final int MR = CONFIG.mr();
    /** Columns of the micro-tile: two vectors. */
    static final int NR = 2 * L;
    /**
     * The cache blocks ({@link KernelConfig.Blocks}): by default {@code KC = 256} deep (a {@code KC × NR} panel of B
     * is 16 KiB on AVX2, 32 on AVX-512, in L1), {@code MC = 96} rows of A packed together (96 KiB, in L2) and
     * {@code NC = 2048} columns of B (2 MiB, in L3): 87% of the FMA peak at 1024³ on Zen 5. {@code simdnet tune}
     * also measures the blocks that this machine's cache sizes give.
     */
    static final KernelConfig.Blocks BLOCKS = CONFIG.blocks();
    /**
     * A row-major A is read in place (not packed) when the block of C is at most this wide, or the
     * reduction at most {@link #IN_PLACE_MAX_K} long (rows of a few cache lines; dcol = dy·W with k = 32
     * ran 15% faster in place, with k = 50 and n = 500 4% slower).
     */
    static final int IN_PLACE_MAX_N = 128;
    /** See {@link #IN_PLACE_MAX_N}. */
    static final int IN_PLACE_MAX_K = 32;
    /**
     * A transposed A (stored k×m) is read in place when the block of C is at most this tall: its rows are
     * then a few cache lines per step, and packing it (a transpose) cost more than the multiply for the
     * weight gradients.
     */
    static final int TRANSPOSED_IN_PLACE_MAX_M = 64;
    /** The reduction is cut into chunks of about this length when the output is small (see {@link #chunks}). */
    static final int K_CHUNK = 2048;
    /** ... and the output that small: at most this many elements of C. */
    static final long CHUNKED_MAX_OUTPUT = 1 << 16;
    /** At most this many chunks (partials take {@code chunks·m·n} floats): longer reductions get longer chunks. */
    static final int MAX_CHUNKS = 32;
    /** Below this many flops a GEMM runs on the calling thread: waking the pool costs more. */
    static final long SERIAL_MAX_FLOPS = 1 << 20;
    /**
     * Each part of the output should hold about this many rows (or columns), since each part packs the
     * other operand whole: squares up to 2048 get one part per thread.
     */
    static final int PART_TARGET = 1024;
    /** At most this many parts per thread: more balance the load, fewer pack less. */
    static final int MAX_PARTS_PER_THREAD = 4;

    private VectorGemm() {}

    static void sgemm(Parallel parallel, boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        sgemm(parallel, MR, BLOCKS, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** {@link #sgemm} with the tile height {@code mr} (4 or 8) chosen by the caller: tests run both kernels. */
    static void sgemm(Parallel parallel, int mr, boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        sgemm(parallel, mr, BLOCKS, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** {@link #sgemm} with the tile height and the cache blocks chosen by the caller (tests, the tuner). */
    static void sgemm(Parallel parallel, int mr, KernelConfig.Blocks bl, boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        if (mr != 4 && mr != 8) throw new IllegalArgumentException("tile height must be 4 or 8, got " + mr);
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        int chunks = chunks(m, n, k);
        if (chunks > 1) {
            chunked(parallel, mr, bl, chunks, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        int threads = parallel.threads();
        if (threads == 1 || 2.0 * m * n * k < SERIAL_MAX_FLOPS) {
            block(parallel, mr, bl, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        if (m >= n) {
            // Parts are bands of rows, whole tiles tall so that only the last band has a ragged edge.
            int groups = ceilDiv(m, mr);
            int parts = partCount(m, threads, groups);
            parallel.forEach(parts, t -> {
                int i0 = (int) ((long) groups * t / parts) * mr;
                int i1 = Math.min(m, (int) ((long) groups * (t + 1) / parts) * mr);
                if (i0 >= i1) return;
                int aAt = aOff + (transA ? i0 : i0 * lda);
                block(parallel, mr, bl, transA, transB, i1 - i0, n, k, a, aAt, lda, b, bOff, ldb,
                        beta, c, cOff + i0 * ldc, ldc);
            });
        } else {
            // Parts are bands of columns, whole panels of NR.
            int panels = ceilDiv(n, NR);
            int parts = partCount(n, threads, panels);
            parallel.forEach(parts, t -> {
                int j0 = (int) ((long) panels * t / parts) * NR;
                int j1 = Math.min(n, (int) ((long) panels * (t + 1) / parts) * NR);
                if (j0 >= j1) return;
                int bAt = bOff + (transB ? j0 * ldb : j0);
                block(parallel, mr, bl, transA, transB, m, j1 - j0, k, a, aOff, lda, b, bAt, ldb,
                        beta, c, cOff + j0, ldc);
            });
        }
    }

    /** How many parts to cut {@code extent} rows (or columns) into, given at most {@code units} whole tiles. */
    private static int partCount(int extent, int threads, int units) {
        int parts = Math.clamp(ceilDiv(extent, PART_TARGET), threads, threads * MAX_PARTS_PER_THREAD);
        return Math.min(parts, units);
    }

    /**
     * The number of chunks the reduction is cut into: more than one only for a small output and a long
     * reduction, and a function of the shape alone so that the result does not depend on the thread count.
     */
    static int chunks(int m, int n, int k) {
        if ((long) m * n > CHUNKED_MAX_OUTPUT || k < 2 * K_CHUNK) return 1;
        return Math.min(k / K_CHUNK, MAX_CHUNKS);
    }

    /** Each chunk of the reduction into its own partial C, then {@code C = Σ partials + beta·C} in chunk order. */
    private static void chunked(Parallel parallel, int mr, KernelConfig.Blocks bl, int chunks, boolean transA, boolean transB,
                                int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float beta, float[] c, int cOff, int ldc) {
        int size = m * n;
        float[] partials = new float[chunks * size]; // (chunks, m, n)
        parallel.forEach(chunks, t -> {
            int p0 = (int) ((long) k * t / chunks);
            int p1 = (int) ((long) k * (t + 1) / chunks);
            int aAt = aOff + (transA ? p0 * lda : p0);
            int bAt = bOff + (transB ? p0 : p0 * ldb);
            block(parallel, mr, bl, transA, transB, m, n, p1 - p0, a, aAt, lda, b, bAt, ldb,
                    0f, partials, t * size, n);
        });
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                float sum = partials[i * n + j];
                for (int t = 1; t < chunks; t++) sum += partials[t * size + i * n + j];
                c[ci + j] = beta == 0f ? sum : sum + beta * c[ci + j];
            }
        }
    }

    /** The serial loop nest over one block of C, with the calling thread's packing buffers. */
    private static void block(Parallel parallel, int mr, KernelConfig.Blocks bl, boolean transA, boolean transB, int m, int n, int k,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float beta, float[] c, int cOff, int ldc) {
        // k is cut into equal blocks of at most KC, so a k of 288 runs as 144 + 144, not 256 + 32.
        final int KC = bl.kc(), MC = bl.mc(), NC = bl.nc();
        int kcMax = ceilDiv(k, ceilDiv(k, KC));
        boolean inPlace = transA
                ? m <= TRANSPOSED_IN_PLACE_MAX_M
                : n <= IN_PLACE_MAX_N || k <= IN_PLACE_MAX_K;
        // Reused, never cleared: packing writes every element the kernels read, zero padding included.
        float[] bPack = parallel.scratch(0, kcMax * roundUp(Math.min(n, NC), NR));        // (panels, kc, NR)
        float[] aPack = parallel.scratch(1, kcMax * (inPlace ? mr : Math.min(roundUp(m, mr), MC))); // (rows, kc)
        float[] tile = parallel.scratch(2, mr * NR);                                     // a ragged tile of C
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                float betaNow = pc == 0 ? beta : 1f;
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, bPack);
                if (inPlace) {
                    // A tile's rows of A stay in L1 while the panels of B sweep past. A ragged last tile is
                    // packed: reading it in place would run past the last row.
                    for (int i = 0; i < m; i += mr) {
                        int rows = Math.min(mr, m - i);
                        int cAt = cOff + i * ldc + jc;
                        if (rows == mr) {
                            int aAt = aOff + (transA ? pc * lda + i : i * lda + pc);
                            for (int j = 0; j < nc; j += NR)
                                kernel(mr, transA, kc, a, aAt, lda, bPack, j * kc, c, cAt + j, ldc, betaNow,
                                        mr, Math.min(NR, nc - j), tile);
                        } else {
                            packA(mr, transA, a, aOff, lda, i, rows, pc, kc, aPack);
                            for (int j = 0; j < nc; j += NR)
                                kernel(mr, false, kc, aPack, 0, kc, bPack, j * kc, c, cAt + j, ldc, betaNow,
                                        rows, Math.min(NR, nc - j), tile);
                        }
                    }
                } else {
                    for (int ic = 0; ic < m; ic += MC) {
                        int mc = Math.min(MC, m - ic);
                        packA(mr, transA, a, aOff, lda, ic, mc, pc, kc, aPack);
                        // A panel of B stays in L1 while the panels of A stream from L2.
                        for (int j = 0; j < nc; j += NR) {
                            int cols = Math.min(NR, nc - j);
                            for (int i = 0; i < mc; i += mr)
                                kernel(mr, false, kc, aPack, i * kc, kc, bPack, j * kc, c,
                                        cOff + (ic + i) * ldc + jc + j, ldc, betaNow, Math.min(mr, mc - i), cols,
                                        tile);
                        }
                    }
                }
            }
        }
    }

    /**
     * The micro-kernel: {@code C[0:rows, 0:cols] = A·B + beta·C} for one tile of {@code mr} rows over
     * {@code kc}. A is row-major, element {@code (r, p)} at {@code a[ai + r·as + p]} (packed: {@code as = kc};
     * read in place: {@code as = lda}), or, with {@code stepMajor}, a transposed A read in place, element
     * {@code (r, p)} at {@code a[ai + p·as + r]}. B is a packed panel, {@code NR} floats per step of p, or
     * {@code L} for a last panel of at most L columns (see {@link #packB}), which a tile one vector wide
     * computes at half the cost.
     *
     * <p>Bounds checks: with a unit step in p and loop-invariant row starts, C2 hoists every check out of the
     * loop; with constant row offsets from one step base it merges the row loads' checks into one. A form
     * with neither (both strides variable) kept 8 checks per step and cost 15% at 1024³. Each variant is one
     * flat method: a vector passed to a call that is not inlined is boxed, which costs 10×.
     */
    private static void kernel(int mr, boolean stepMajor, int kc, float[] a, int ai, int as, float[] b, int bi,
                               float[] c, int ci, int ldc, float beta, int rows, int cols, float[] tile) {
        boolean narrow = cols <= L;
        if (stepMajor) {
            if (mr == 8) {
                if (narrow) kernelT8x1(kc, a, ai, as, b, bi, c, ci, ldc, beta, rows, cols, tile);
                else kernelT8x2(kc, a, ai, as, b, bi, c, ci, ldc, beta, rows, cols, tile);
            } else {
                if (narrow) kernelT4x1(kc, a, ai, as, b, bi, c, ci, ldc, beta, rows, cols, tile);
                else kernelT4x2(kc, a, ai, as, b, bi, c, ci, ldc, beta, rows, cols, tile);
            }
        } else if (mr == 8) {
            if (narrow) kernel8x1(kc, a, ai, as, b, bi, c, ci, ldc, beta, rows, cols, tile);
            else kernel8x2(kc, a, ai, as, b, bi, c, ci, ldc, beta, rows, cols, tile);
        } else {
            if (narrow) kernel4x1(kc, a, ai, as, b, bi, c, ci, ldc, beta, rows, cols, tile);
            else kernel4x2(kc, a, ai, as, b, bi, c, ci, ldc, beta, rows, cols, tile);
        }
    }

    // The micro-kernels below are one pattern written out for each tile shape and layout of A (generated
    // text, kept flat on purpose): zero the accumulators, one fma per accumulator per step p, then store.

    /** 4 rows × 2 vectors: 8 accumulators; A row-major: (r, p) at {@code a[ai + r·as + p]}. */
    private static void kernel4x2(int kc, float[] a, int ai, int as, float[] b, int bi,
                                 float[] c, int ci, int ldc, float beta, int rows, int cols, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        int a0 = ai, a1 = ai + as, a2 = ai + 2 * as, a3 = ai + 3 * as;
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + L);
            FloatVector av = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
        }
        if (rows == 4 && cols == NR) {
            if (beta == 0f) {
                c00.intoArray(c, ci);
                c01.intoArray(c, ci + L);
                c10.intoArray(c, ci + ldc);
                c11.intoArray(c, ci + ldc + L);
                c20.intoArray(c, ci + 2 * ldc);
                c21.intoArray(c, ci + 2 * ldc + L);
                c30.intoArray(c, ci + 3 * ldc);
                c31.intoArray(c, ci + 3 * ldc + L);
            } else {
                // acc + beta·C, not an fma: the same rounding as mergeTile.
                c00.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c01.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c10.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c11.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c20.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c21.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c30.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c31.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
            }
        } else {
            c00.intoArray(tile, 0);
            c01.intoArray(tile, 0 + L);
            c10.intoArray(tile, NR);
            c11.intoArray(tile, NR + L);
            c20.intoArray(tile, 2 * NR);
            c21.intoArray(tile, 2 * NR + L);
            c30.intoArray(tile, 3 * NR);
            c31.intoArray(tile, 3 * NR + L);
            mergeTile(tile, rows, cols, beta, c, ci, ldc);
        }
    }

    /** 4 rows × 1 vector: 4 accumulators; A row-major: (r, p) at {@code a[ai + r·as + p]}. */
    private static void kernel4x1(int kc, float[] a, int ai, int as, float[] b, int bi,
                                 float[] c, int ci, int ldc, float beta, int rows, int cols, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        int a0 = ai, a1 = ai + as, a2 = ai + 2 * as, a3 = ai + 3 * as;
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * L;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector av = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = av.fma(b0, c00);
            av = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = av.fma(b0, c10);
            av = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = av.fma(b0, c20);
            av = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = av.fma(b0, c30);
        }
        if (rows == 4 && cols == L) {
            if (beta == 0f) {
                c00.intoArray(c, ci);
                c10.intoArray(c, ci + ldc);
                c20.intoArray(c, ci + 2 * ldc);
                c30.intoArray(c, ci + 3 * ldc);
            } else {
                // acc + beta·C, not an fma: the same rounding as mergeTile.
                c00.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c10.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c20.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c30.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
            }
        } else {
            c00.intoArray(tile, 0);
            c10.intoArray(tile, NR);
            c20.intoArray(tile, 2 * NR);
            c30.intoArray(tile, 3 * NR);
            mergeTile(tile, rows, cols, beta, c, ci, ldc);
        }
    }

    /** 8 rows × 2 vectors: 16 accumulators; A row-major: (r, p) at {@code a[ai + r·as + p]}. */
    private static void kernel8x2(int kc, float[] a, int ai, int as, float[] b, int bi,
                                 float[] c, int ci, int ldc, float beta, int rows, int cols, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES);
        FloatVector c60 = FloatVector.zero(SPECIES), c61 = FloatVector.zero(SPECIES);
        FloatVector c70 = FloatVector.zero(SPECIES), c71 = FloatVector.zero(SPECIES);
        int a0 = ai, a1 = ai + as, a2 = ai + 2 * as, a3 = ai + 3 * as;
        int a4 = ai + 4 * as, a5 = ai + 5 * as, a6 = ai + 6 * as, a7 = ai + 7 * as;
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + L);
            FloatVector av = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, a[a4 + p]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, a[a5 + p]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(SPECIES, a[a6 + p]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(SPECIES, a[a7 + p]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        if (rows == 8 && cols == NR) {
            if (beta == 0f) {
                c00.intoArray(c, ci);
                c01.intoArray(c, ci + L);
                c10.intoArray(c, ci + ldc);
                c11.intoArray(c, ci + ldc + L);
                c20.intoArray(c, ci + 2 * ldc);
                c21.intoArray(c, ci + 2 * ldc + L);
                c30.intoArray(c, ci + 3 * ldc);
                c31.intoArray(c, ci + 3 * ldc + L);
                c40.intoArray(c, ci + 4 * ldc);
                c41.intoArray(c, ci + 4 * ldc + L);
                c50.intoArray(c, ci + 5 * ldc);
                c51.intoArray(c, ci + 5 * ldc + L);
                c60.intoArray(c, ci + 6 * ldc);
                c61.intoArray(c, ci + 6 * ldc + L);
                c70.intoArray(c, ci + 7 * ldc);
                c71.intoArray(c, ci + 7 * ldc + L);
            } else {
                // acc + beta·C, not an fma: the same rounding as mergeTile.
                c00.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c01.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c10.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c11.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c20.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c21.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c30.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c31.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c40.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c41.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c50.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c51.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c60.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c61.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c70.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c71.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
            }
        } else {
            c00.intoArray(tile, 0);
            c01.intoArray(tile, 0 + L);
            c10.intoArray(tile, NR);
            c11.intoArray(tile, NR + L);
            c20.intoArray(tile, 2 * NR);
            c21.intoArray(tile, 2 * NR + L);
            c30.intoArray(tile, 3 * NR);
            c31.intoArray(tile, 3 * NR + L);
            c40.intoArray(tile, 4 * NR);
            c41.intoArray(tile, 4 * NR + L);
            c50.intoArray(tile, 5 * NR);
            c51.intoArray(tile, 5 * NR + L);
            c60.intoArray(tile, 6 * NR);
            c61.intoArray(tile, 6 * NR + L);
            c70.intoArray(tile, 7 * NR);
            c71.intoArray(tile, 7 * NR + L);
            mergeTile(tile, rows, cols, beta, c, ci, ldc);
        }
    }

    /** 8 rows × 1 vector: 8 accumulators; A row-major: (r, p) at {@code a[ai + r·as + p]}. */
    private static void kernel8x1(int kc, float[] a, int ai, int as, float[] b, int bi,
                                 float[] c, int ci, int ldc, float beta, int rows, int cols, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES);
        FloatVector c60 = FloatVector.zero(SPECIES);
        FloatVector c70 = FloatVector.zero(SPECIES);
        int a0 = ai, a1 = ai + as, a2 = ai + 2 * as, a3 = ai + 3 * as;
        int a4 = ai + 4 * as, a5 = ai + 5 * as, a6 = ai + 6 * as, a7 = ai + 7 * as;
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * L;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector av = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = av.fma(b0, c00);
            av = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = av.fma(b0, c10);
            av = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = av.fma(b0, c20);
            av = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = av.fma(b0, c30);
            av = FloatVector.broadcast(SPECIES, a[a4 + p]);
            c40 = av.fma(b0, c40);
            av = FloatVector.broadcast(SPECIES, a[a5 + p]);
            c50 = av.fma(b0, c50);
            av = FloatVector.broadcast(SPECIES, a[a6 + p]);
            c60 = av.fma(b0, c60);
            av = FloatVector.broadcast(SPECIES, a[a7 + p]);
            c70 = av.fma(b0, c70);
        }
        if (rows == 8 && cols == L) {
            if (beta == 0f) {
                c00.intoArray(c, ci);
                c10.intoArray(c, ci + ldc);
                c20.intoArray(c, ci + 2 * ldc);
                c30.intoArray(c, ci + 3 * ldc);
                c40.intoArray(c, ci + 4 * ldc);
                c50.intoArray(c, ci + 5 * ldc);
                c60.intoArray(c, ci + 6 * ldc);
                c70.intoArray(c, ci + 7 * ldc);
            } else {
                // acc + beta·C, not an fma: the same rounding as mergeTile.
                c00.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c10.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c20.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c30.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c40.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c50.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c60.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c70.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
            }
        } else {
            c00.intoArray(tile, 0);
            c10.intoArray(tile, NR);
            c20.intoArray(tile, 2 * NR);
            c30.intoArray(tile, 3 * NR);
            c40.intoArray(tile, 4 * NR);
            c50.intoArray(tile, 5 * NR);
            c60.intoArray(tile, 6 * NR);
            c70.intoArray(tile, 7 * NR);
            mergeTile(tile, rows, cols, beta, c, ci, ldc);
        }
    }

    /** 4 rows × 2 vectors, A step-major: element (r, p) at {@code a[ai + p·as + r]}. */
    private static void kernelT4x2(int kc, float[] a, int ai, int as, float[] b, int bi,
                                 float[] c, int ci, int ldc, float beta, int rows, int cols, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * NR;
            int ap = ai + p * as;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + L);
            FloatVector av = FloatVector.broadcast(SPECIES, a[ap]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, a[ap + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, a[ap + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, a[ap + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
        }
        if (rows == 4 && cols == NR) {
            if (beta == 0f) {
                c00.intoArray(c, ci);
                c01.intoArray(c, ci + L);
                c10.intoArray(c, ci + ldc);
                c11.intoArray(c, ci + ldc + L);
                c20.intoArray(c, ci + 2 * ldc);
                c21.intoArray(c, ci + 2 * ldc + L);
                c30.intoArray(c, ci + 3 * ldc);
                c31.intoArray(c, ci + 3 * ldc + L);
            } else {
                // acc + beta·C, not an fma: the same rounding as mergeTile.
                c00.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c01.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c10.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c11.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c20.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c21.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c30.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c31.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
            }
        } else {
            c00.intoArray(tile, 0);
            c01.intoArray(tile, 0 + L);
            c10.intoArray(tile, NR);
            c11.intoArray(tile, NR + L);
            c20.intoArray(tile, 2 * NR);
            c21.intoArray(tile, 2 * NR + L);
            c30.intoArray(tile, 3 * NR);
            c31.intoArray(tile, 3 * NR + L);
            mergeTile(tile, rows, cols, beta, c, ci, ldc);
        }
    }

    /** 4 rows × 1 vector, A step-major: element (r, p) at {@code a[ai + p·as + r]}. */
    private static void kernelT4x1(int kc, float[] a, int ai, int as, float[] b, int bi,
                                 float[] c, int ci, int ldc, float beta, int rows, int cols, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * L;
            int ap = ai + p * as;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector av = FloatVector.broadcast(SPECIES, a[ap]);
            c00 = av.fma(b0, c00);
            av = FloatVector.broadcast(SPECIES, a[ap + 1]);
            c10 = av.fma(b0, c10);
            av = FloatVector.broadcast(SPECIES, a[ap + 2]);
            c20 = av.fma(b0, c20);
            av = FloatVector.broadcast(SPECIES, a[ap + 3]);
            c30 = av.fma(b0, c30);
        }
        if (rows == 4 && cols == L) {
            if (beta == 0f) {
                c00.intoArray(c, ci);
                c10.intoArray(c, ci + ldc);
                c20.intoArray(c, ci + 2 * ldc);
                c30.intoArray(c, ci + 3 * ldc);
            } else {
                // acc + beta·C, not an fma: the same rounding as mergeTile.
                c00.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c10.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c20.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c30.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
            }
        } else {
            c00.intoArray(tile, 0);
            c10.intoArray(tile, NR);
            c20.intoArray(tile, 2 * NR);
            c30.intoArray(tile, 3 * NR);
            mergeTile(tile, rows, cols, beta, c, ci, ldc);
        }
    }

    /** 8 rows × 2 vectors, A step-major: element (r, p) at {@code a[ai + p·as + r]}. */
    private static void kernelT8x2(int kc, float[] a, int ai, int as, float[] b, int bi,
                                 float[] c, int ci, int ldc, float beta, int rows, int cols, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES);
        FloatVector c60 = FloatVector.zero(SPECIES), c61 = FloatVector.zero(SPECIES);
        FloatVector c70 = FloatVector.zero(SPECIES), c71 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * NR;
            int ap = ai + p * as;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + L);
            FloatVector av = FloatVector.broadcast(SPECIES, a[ap]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, a[ap + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, a[ap + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, a[ap + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, a[ap + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, a[ap + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(SPECIES, a[ap + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(SPECIES, a[ap + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        if (rows == 8 && cols == NR) {
            if (beta == 0f) {
                c00.intoArray(c, ci);
                c01.intoArray(c, ci + L);
                c10.intoArray(c, ci + ldc);
                c11.intoArray(c, ci + ldc + L);
                c20.intoArray(c, ci + 2 * ldc);
                c21.intoArray(c, ci + 2 * ldc + L);
                c30.intoArray(c, ci + 3 * ldc);
                c31.intoArray(c, ci + 3 * ldc + L);
                c40.intoArray(c, ci + 4 * ldc);
                c41.intoArray(c, ci + 4 * ldc + L);
                c50.intoArray(c, ci + 5 * ldc);
                c51.intoArray(c, ci + 5 * ldc + L);
                c60.intoArray(c, ci + 6 * ldc);
                c61.intoArray(c, ci + 6 * ldc + L);
                c70.intoArray(c, ci + 7 * ldc);
                c71.intoArray(c, ci + 7 * ldc + L);
            } else {
                // acc + beta·C, not an fma: the same rounding as mergeTile.
                c00.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c01.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c10.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c11.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c20.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c21.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c30.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c31.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c40.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c41.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c50.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c51.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c60.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c61.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
                ci += ldc;
                c70.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                c71.add(FloatVector.fromArray(SPECIES, c, ci + L).mul(beta)).intoArray(c, ci + L);
            }
        } else {
            c00.intoArray(tile, 0);
            c01.intoArray(tile, 0 + L);
            c10.intoArray(tile, NR);
            c11.intoArray(tile, NR + L);
            c20.intoArray(tile, 2 * NR);
            c21.intoArray(tile, 2 * NR + L);
            c30.intoArray(tile, 3 * NR);
            c31.intoArray(tile, 3 * NR + L);
            c40.intoArray(tile, 4 * NR);
            c41.intoArray(tile, 4 * NR + L);
            c50.intoArray(tile, 5 * NR);
            c51.intoArray(tile, 5 * NR + L);
            c60.intoArray(tile, 6 * NR);
            c61.intoArray(tile, 6 * NR + L);
            c70.intoArray(tile, 7 * NR);
            c71.intoArray(tile, 7 * NR + L);
            mergeTile(tile, rows, cols, beta, c, ci, ldc);
        }
    }

    /** 8 rows × 1 vector, A step-major: element (r, p) at {@code a[ai + p·as + r]}. */
    private static void kernelT8x1(int kc, float[] a, int ai, int as, float[] b, int bi,
                                 float[] c, int ci, int ldc, float beta, int rows, int cols, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES);
        FloatVector c60 = FloatVector.zero(SPECIES);
        FloatVector c70 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * L;
            int ap = ai + p * as;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector av = FloatVector.broadcast(SPECIES, a[ap]);
            c00 = av.fma(b0, c00);
            av = FloatVector.broadcast(SPECIES, a[ap + 1]);
            c10 = av.fma(b0, c10);
            av = FloatVector.broadcast(SPECIES, a[ap + 2]);
            c20 = av.fma(b0, c20);
            av = FloatVector.broadcast(SPECIES, a[ap + 3]);
            c30 = av.fma(b0, c30);
            av = FloatVector.broadcast(SPECIES, a[ap + 4]);
            c40 = av.fma(b0, c40);
            av = FloatVector.broadcast(SPECIES, a[ap + 5]);
            c50 = av.fma(b0, c50);
            av = FloatVector.broadcast(SPECIES, a[ap + 6]);
            c60 = av.fma(b0, c60);
            av = FloatVector.broadcast(SPECIES, a[ap + 7]);
            c70 = av.fma(b0, c70);
        }
        if (rows == 8 && cols == L) {
            if (beta == 0f) {
                c00.intoArray(c, ci);
                c10.intoArray(c, ci + ldc);
                c20.intoArray(c, ci + 2 * ldc);
                c30.intoArray(c, ci + 3 * ldc);
                c40.intoArray(c, ci + 4 * ldc);
                c50.intoArray(c, ci + 5 * ldc);
                c60.intoArray(c, ci + 6 * ldc);
                c70.intoArray(c, ci + 7 * ldc);
            } else {
                // acc + beta·C, not an fma: the same rounding as mergeTile.
                c00.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c10.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c20.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c30.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c40.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c50.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c60.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
                ci += ldc;
                c70.add(FloatVector.fromArray(SPECIES, c, ci).mul(beta)).intoArray(c, ci);
            }
        } else {
            c00.intoArray(tile, 0);
            c10.intoArray(tile, NR);
            c20.intoArray(tile, 2 * NR);
            c30.intoArray(tile, 3 * NR);
            c40.intoArray(tile, 4 * NR);
            c50.intoArray(tile, 5 * NR);
            c60.intoArray(tile, 6 * NR);
            c70.intoArray(tile, 7 * NR);
            mergeTile(tile, rows, cols, beta, c, ci, ldc);
        }
    }

    /** {@code C[0:rows, 0:cols] = tile + beta·C} (beta 0: overwrite), for the ragged edges of C. */
    private static void mergeTile(float[] tile, int rows, int cols, float beta, float[] c, int ci, int ldc) {
        for (int r = 0; r < rows; r++, ci += ldc) {
            int j = 0;
            for (; j + L <= cols; j += L) {
                FloatVector t = FloatVector.fromArray(SPECIES, tile, r * NR + j);
                if (beta != 0f) t = t.add(FloatVector.fromArray(SPECIES, c, ci + j).mul(beta));
                t.intoArray(c, ci + j);
            }
            for (; j < cols; j++) {
                float t = tile[r * NR + j];
                c[ci + j] = beta == 0f ? t : t + beta * c[ci + j];
            }
        }
    }

    /**
     * Packs rows {@code [i0, i0+rows)} × depth {@code [p0, p0+kc)} of op(A) into panels of {@code MR} rows,
     * each row of a panel contiguous: element {@code (r, p)} of the panel at row {@code q} sits at
     * {@code (q + r)·kc + p}, the layout of a row-major A read in place, so one micro-kernel reads both with
     * a row stride and a unit step. Rows past the edge are zero.
     */
    private static void packA(int mr, boolean transA, float[] a, int aOff, int lda, int i0, int rows, int p0,
                              int kc, float[] out) {
        if (transA) {
            // A stored k×m: a transpose. A gather reads L steps of one row (lda apart) into one vector.
            int[] steps = new int[L];
            for (int t = 0; t < L; t++) steps[t] = t * lda;
            int pBound = kc - kc % L;
            for (int r = 0; r < rows; r++) {
                int src = aOff + p0 * lda + i0 + r, dst = r * kc;
                int p = 0;
                for (; p < pBound; p += L)
                    FloatVector.fromArray(SPECIES, a, src + p * lda, steps, 0).intoArray(out, dst + p);
                for (; p < kc; p++) out[dst + p] = a[src + p * lda];
            }
        } else {
            for (int r = 0; r < rows; r++) System.arraycopy(a, aOff + (i0 + r) * lda + p0, out, r * kc, kc);
        }
        Arrays.fill(out, rows * kc, roundUp(rows, mr) * kc, 0f);
    }

    /**
     * Packs depth {@code [p0, p0+kc)} × columns {@code [j0, j0+cols)} of op(B) into panels of {@code NR}
     * columns: element {@code (p, j)} of the panel at column {@code q} sits at {@code q·kc + p·NR + j}. A last
     * panel of at most {@code L} columns is packed {@code L} wide ({@code q·kc + p·L + j}) for the narrow
     * micro-kernel. Columns past the edge are zero.
     */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int cols,
                              float[] out) {
        for (int q = 0; q < cols; q += NR) {
            int base = q * kc;
            int live = Math.min(NR, cols - q);
            int width = live <= L ? L : NR;
            if (transB) {
                // B stored n×k: a column of op(B) is a row of the array.
                for (int j = 0; j < width; j++) {
                    if (j < live) {
                        int src = bOff + (j0 + q + j) * ldb + p0;
                        for (int p = 0; p < kc; p++) out[base + p * width + j] = b[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) out[base + p * width + j] = 0f;
                    }
                }
            } else if (live == NR) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j0 + q, dst = base + p * NR;
                    FloatVector.fromArray(SPECIES, b, src).intoArray(out, dst);
                    FloatVector.fromArray(SPECIES, b, src + L).intoArray(out, dst + L);
                }
            } else {
                // A masked load reads the live columns and zeros the rest: the zero padding in one step.
                VectorMask<Float> first = SPECIES.indexInRange(0, live), second = SPECIES.indexInRange(L, live);
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j0 + q, dst = base + p * width;
                    FloatVector.fromArray(SPECIES, b, src, first).intoArray(out, dst);
                    if (width == NR) FloatVector.fromArray(SPECIES, b, src + L, second).intoArray(out, dst + L);
                }
            }
        }
    }

    /** {@code C = beta·C} for an empty reduction; beta 0 writes zeros whatever C held. */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) c[ci + j] = beta == 0f ? 0f : beta * c[ci + j];
        }
    }

    private static int ceilDiv(int x, int y) { return (x + y - 1) / y; }

    private static int roundUp(int x, int multiple) { return ceilDiv(x, multiple) * multiple; }
}
