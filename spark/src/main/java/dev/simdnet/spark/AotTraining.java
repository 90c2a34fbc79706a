package dev.simdnet.spark;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The training run of {@code bin/simdnet-spark}'s ahead-of-time cache (JDK 25, JEP 483 and 515), run by the build
 * under {@code -XX:AOTCacheOutput}: a {@code classify} of a few hundred drawn strokes in {@code local[2]}, so the
 * JVM records the Spark, Scala, netty and simdnet classes a command loads and links, and the profiles of its hot
 * methods. With the cache a classify command reaches its first task about 1.5 s sooner on 2 cores (BENCHMARKS.md,
 * Spark). It never fails the build: without a cache the launcher starts as before.
 */
final class AotTraining {
    private AotTraining() {}

    static final int PICTURES = 600;

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        // A machine where Spark cannot start (no loopback port, say) must not hang the build: after 3 minutes the
        // run ends without a cache (a halt writes none), with exit code 0.
        Thread.ofPlatform().daemon().name("aot-watchdog").start(() -> {
            try {
                Thread.sleep(180_000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("warning: the AOT training run took over 3 minutes: bin/simdnet-spark starts without its cache");
            Runtime.getRuntime().halt(0);
        });
        Path dir = Files.createTempDirectory("simdnet-aot-");
        int code;
        try {
            SplittableRandom rng = new SplittableRandom(1);
            for (int i = 0; i < PICTURES; i++) {
                Path folder = Files.createDirectories(dir.resolve("in").resolve(Integer.toString(i % 10)));
                ImageIO.write(strokes(rng), "png", folder.resolve(i + ".png").toFile());
            }
            code = Main.commandLine(null).execute("classify", "--master", "local[2]", "--input", dir.resolve("in").toString(),
                    "--output", dir.resolve("out.csv").toString());
        } catch (RuntimeException e) {
            code = -1;
            System.err.println("warning: the AOT training run failed (" + e + "): bin/simdnet-spark starts without its cache");
        } finally {
            SparkSetup.stop();
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.println("AOT training run: classify exit code " + code);
    }

    /** A 280 x 280 picture of a few thick round strokes, dark on light, as a canvas draws them. */
    static BufferedImage strokes(SplittableRandom rng) {
        BufferedImage img = new BufferedImage(280, 280, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 280, 280);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(15 + rng.nextInt(11), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        int x = 80 + rng.nextInt(120), y = 40 + rng.nextInt(60);
        for (int s = 0; s < 2 + rng.nextInt(4); s++) {
            int nx = 40 + rng.nextInt(200), ny = 40 + rng.nextInt(200);
            if (rng.nextBoolean()) g.drawLine(x, y, nx, ny);
            else g.drawArc(Math.min(x, nx), Math.min(y, ny), Math.abs(nx - x) + 20, Math.abs(ny - y) + 20, rng.nextInt(360), 90 + rng.nextInt(270));
            x = nx;
            y = ny;
        }
        g.dispose();
        return img;
    }
}
