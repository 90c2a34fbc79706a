package dev.simdnet.kernel;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * {@code simdnet tune}: times the GEMM candidates on three shapes the models run (a square, an im2col forward, a
 * weight gradient), alternating them so that noise hits all alike, and keeps the fastest in
 * {@link KernelConfig#cacheFile()} for later runs on this machine. The candidates are the two tile heights (4 and 8
 * rows), each with the fixed cache blocks and with the blocks this machine's cache sizes give
 * ({@link KernelConfig#fromCaches}). Seconds, not minutes.
 */
public final class KernelTuner {
    private KernelTuner() {}

    /** One candidate: a tile height and cache blocks. */
    public record Candidate(int mr, KernelConfig.Blocks blocks) {
        @Override
        public String toString() { return mr + " rows, " + blocks; }
    }

    /** One candidate on one shape: the best of its rounds. */
    public record Row(Candidate candidate, String shape, double gflops) {}

    /** What was measured, the choice, and where it was written. */
    public record Result(List<Row> rows, Candidate chosen, Path file) {}

    private record Shape(String name, boolean transA, boolean transB, int m, int n, int k) {}

    private static final List<Shape> SHAPES = List.of(
            new Shape("NN 512x512x512", false, false, 512, 512, 512),
            new Shape("NT 25088x32x144 (fast conv2 forward)", false, true, 25088, 32, 144),
            new Shape("TN 32x144x25088 (fast conv2 weight gradient)", true, false, 32, 144, 25088));

    /** Both tile heights, with the fixed blocks and with this machine's cache blocks (once, where they agree). */
    static List<Candidate> candidates(CacheSizes caches, int nr) {
        List<KernelConfig.Blocks> blocks = new ArrayList<>(List.of(KernelConfig.FIXED));
        KernelConfig.Blocks mine = KernelConfig.fromCaches(caches, nr);
        if (mine.kc() != KernelConfig.FIXED.kc() || mine.mc() != KernelConfig.FIXED.mc() || mine.nc() != KernelConfig.FIXED.nc())
            blocks.add(mine);
        List<Candidate> out = new ArrayList<>();
        for (int mr : new int[] {4, 8})
            for (KernelConfig.Blocks b : blocks) out.add(new Candidate(mr, b));
        return out;
    }

    /**
     * Measures, chooses, writes. {@code seconds} per candidate and shape and round (two rounds); the vector kernels
     * only: the scalar ones have no tile to choose.
     */
    public static Result tune(Kernels kernels, double seconds) throws IOException {
        if (!kernels.name().equals("vector"))
            throw new IllegalArgumentException("tuning chooses among the vector kernels' tiles: run with --add-modules jdk.incubator.vector and --kernels vector or auto");
        List<Candidate> candidates = candidates(CacheSizes.detect(), VectorGemm.CONFIG.nr());
        double[][] best = new double[candidates.size()][SHAPES.size()];
        for (int round = 0; round < 2; round++)
            for (int s = 0; s < SHAPES.size(); s++)
                for (int c = 0; c < candidates.size(); c++)      // ABAB: each shape, one candidate after the other
                    best[c][s] = Math.max(best[c][s], gflops(kernels.parallel(), candidates.get(c), SHAPES.get(s), seconds));
        List<Row> rows = new ArrayList<>();
        Candidate chosen = candidates.get(0);
        double bestScore = -1;
        for (int c = 0; c < candidates.size(); c++) {
            double logSum = 0;
            for (int s = 0; s < SHAPES.size(); s++) {
                rows.add(new Row(candidates.get(c), SHAPES.get(s).name(), best[c][s]));
                logSum += Math.log(best[c][s]);
            }
            double score = Math.exp(logSum / SHAPES.size());      // geometric mean: no one shape dominates
            if (score > bestScore) {
                bestScore = score;
                chosen = candidates.get(c);
            }
        }
        Path file = KernelConfig.cacheFile();
        write(file, chosen, rows, VectorGemm.CONFIG.vectorBits());
        return new Result(rows, chosen, file);
    }

    /** GFLOP/s of one shape with one candidate: a few calls to warm up, then as many as fit in {@code seconds}. */
    private static double gflops(Parallel parallel, Candidate cand, Shape s, double seconds) {
        SplittableRandom r = new SplittableRandom(1);
        float[] a = new float[s.m() * s.k()], b = new float[s.k() * s.n()], c = new float[s.m() * s.n()];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble();
        int lda = s.transA() ? s.m() : s.k(), ldb = s.transB() ? s.k() : s.n();
        int mr = cand.mr();
        KernelConfig.Blocks bl = cand.blocks();
        for (int i = 0; i < 3; i++) VectorGemm.sgemm(parallel, mr, bl, s.transA(), s.transB(), s.m(), s.n(), s.k(), a, 0, lda, b, 0, ldb, 0f, c, 0, s.n());
        long calls = 0, start = System.nanoTime(), budget = (long) (seconds * 1e9);
        while (System.nanoTime() - start < budget) {
            VectorGemm.sgemm(parallel, mr, bl, s.transA(), s.transB(), s.m(), s.n(), s.k(), a, 0, lda, b, 0, ldb, 0f, c, 0, s.n());
            calls++;
        }
        return 2.0 * s.m() * s.n() * s.k() * calls / (System.nanoTime() - start);
    }

    /** Atomically: a half-written file is never read back. */
    static void write(Path file, Candidate chosen, List<Row> rows, int vectorBits) throws IOException {
        Properties p = new Properties();
        KernelConfig.machineKey(vectorBits).forEach(p::setProperty);
        p.setProperty("mr", Integer.toString(chosen.mr()));
        p.setProperty("kc", Integer.toString(chosen.blocks().kc()));
        p.setProperty("mc", Integer.toString(chosen.blocks().mc()));
        p.setProperty("nc", Integer.toString(chosen.blocks().nc()));
        for (Row row : rows)
            p.setProperty("gflops." + row.candidate().toString().replaceAll("[^A-Za-z0-9]+", "_") + "." + row.shape().replaceAll("[^A-Za-z0-9]+", "_"),
                    String.format(Locale.ROOT, "%.1f", row.gflops()));
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "kernels", ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "simdnet tune: the GEMM tile and cache blocks chosen on this machine; delete the file to go back to the rules");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
