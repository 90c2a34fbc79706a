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
 * {@code simdnet tune}: times the GEMM micro-tile candidates (4 and 8 rows) on three shapes the models run (a
 * square, an im2col forward, a weight gradient), alternating them so that noise hits both, and keeps the faster
 * in {@link KernelConfig#cacheFile()} for later runs on this machine. Seconds, not minutes.
 */
public final class KernelTuner {
    private KernelTuner() {}

    /** One candidate on one shape: the best of its rounds. */
    public record Row(int mr, String shape, double gflops) {}

    /** What was measured, the choice, and where it was written. */
    public record Result(List<Row> rows, int chosen, Path file) {}

    private record Shape(String name, boolean transA, boolean transB, int m, int n, int k) {}

    private static final List<Shape> SHAPES = List.of(
            new Shape("NN 512x512x512", false, false, 512, 512, 512),
            new Shape("NT 25088x32x144 (fast conv2 forward)", false, true, 25088, 32, 144),
            new Shape("TN 32x144x25088 (fast conv2 weight gradient)", true, false, 32, 144, 25088));

    /**
     * Measures, chooses, writes. {@code seconds} per candidate and shape and round (two rounds); the vector kernels
     * only: the scalar ones have no tile to choose.
     */
    public static Result tune(Kernels kernels, double seconds) throws IOException {
        if (!kernels.name().equals("vector"))
            throw new IllegalArgumentException("tuning chooses among the vector kernels' tiles: run with --add-modules jdk.incubator.vector and --kernels vector or auto");
        int[] candidates = {4, 8};
        double[][] best = new double[candidates.length][SHAPES.size()];
        for (int round = 0; round < 2; round++)
            for (int s = 0; s < SHAPES.size(); s++)
                for (int c = 0; c < candidates.length; c++)      // ABAB: each shape, one candidate then the other
                    best[c][s] = Math.max(best[c][s], gflops(kernels.parallel(), candidates[c], SHAPES.get(s), seconds));
        List<Row> rows = new ArrayList<>();
        int chosen = candidates[0];
        double bestScore = -1;
        for (int c = 0; c < candidates.length; c++) {
            double logSum = 0;
            for (int s = 0; s < SHAPES.size(); s++) {
                rows.add(new Row(candidates[c], SHAPES.get(s).name(), best[c][s]));
                logSum += Math.log(best[c][s]);
            }
            double score = Math.exp(logSum / SHAPES.size());      // geometric mean: no one shape dominates
            if (score > bestScore) {
                bestScore = score;
                chosen = candidates[c];
            }
        }
        Path file = KernelConfig.cacheFile();
        write(file, chosen, rows, VectorGemm.CONFIG.vectorBits());
        return new Result(rows, chosen, file);
    }

    /** GFLOP/s of one shape with tile height {@code mr}: a few calls to warm up, then as many as fit in {@code seconds}. */
    private static double gflops(Parallel parallel, int mr, Shape s, double seconds) {
        SplittableRandom r = new SplittableRandom(1);
        float[] a = new float[s.m() * s.k()], b = new float[s.k() * s.n()], c = new float[s.m() * s.n()];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble();
        int lda = s.transA() ? s.m() : s.k(), ldb = s.transB() ? s.k() : s.n();
        for (int i = 0; i < 3; i++) VectorGemm.sgemm(parallel, mr, s.transA(), s.transB(), s.m(), s.n(), s.k(), a, 0, lda, b, 0, ldb, 0f, c, 0, s.n());
        long calls = 0, start = System.nanoTime(), budget = (long) (seconds * 1e9);
        while (System.nanoTime() - start < budget) {
            VectorGemm.sgemm(parallel, mr, s.transA(), s.transB(), s.m(), s.n(), s.k(), a, 0, lda, b, 0, ldb, 0f, c, 0, s.n());
            calls++;
        }
        return 2.0 * s.m() * s.n() * s.k() * calls / (System.nanoTime() - start);
    }

    /** Atomically: a half-written file is never read back. */
    static void write(Path file, int mr, List<Row> rows, int vectorBits) throws IOException {
        Properties p = new Properties();
        KernelConfig.machineKey(vectorBits).forEach(p::setProperty);
        p.setProperty("mr", Integer.toString(mr));
        for (Row row : rows) p.setProperty("gflops.mr" + row.mr() + "." + row.shape().replaceAll("[^A-Za-z0-9]+", "_"), String.format(Locale.ROOT, "%.1f", row.gflops()));
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "kernels", ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "simdnet tune: the GEMM tile chosen on this machine; delete the file to go back to the register rule");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
