import dev.simdnet.data.DataSource;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.DatasetKind;
import dev.simdnet.data.DatasetLoader;
import dev.simdnet.data.ImageFolder;
import dev.simdnet.data.Subset;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;

/**
 * The image-folder figures of BENCHMARKS.md, run by run-image-folder.sh with the trainer's classes on the class path:
 * {@code write IDX_DIR OUT_DIR} writes Fashion-MNIST's 60,000 training and 10,000 test images as PNGs (by ImageIO,
 * not by the decoder measured), {@code load DIR} times one load of the folder, in a JVM of its own.
 */
public final class ImageFolderBench {
    public static void main(String[] args) throws IOException {
        switch (args[0]) {
            case "write" -> {
                DataSource src = DataSource.offline(Path.of(args[1]));
                Path out = Path.of(args[2]);
                write(DatasetLoader.load(DatasetKind.FASHION, Subset.TRAIN, src), out.resolve("train"));
                write(DatasetLoader.load(DatasetKind.FASHION, Subset.TEST, src), out.resolve("test"));
            }
            case "load" -> {
                long t0 = System.nanoTime();
                ImageFolder.Loaded f = ImageFolder.load(Path.of(args[1]), ImageFolder.Settings.DEFAULT, System.err::println);
                double s = (System.nanoTime() - t0) / 1e9;
                int n = f.train().n() + (f.test() == null ? 0 : f.test().n());
                System.out.printf(Locale.ROOT, "{\"pictures\": %d, \"seconds\": %.3f, \"pictures_per_second\": %.0f, \"cached\": %b, \"threads\": %d}%n",
                        n, s, n / s, f.fromCache(), Runtime.getRuntime().availableProcessors());
            }
            default -> throw new IllegalArgumentException("use write IDX_DIR OUT_DIR or load DIR");
        }
    }

    private static void write(Dataset d, Path dir) throws IOException {
        for (String c : DatasetKind.FASHION.classNames()) Files.createDirectories(dir.resolve(folder(c)));
        IntStream.range(0, d.n()).parallel().forEach(i -> {
            BufferedImage img = new BufferedImage(d.cols(), d.rows(), BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, d.cols(), d.rows(), java.util.Arrays.copyOfRange(d.images(), i * d.pixels(), (i + 1) * d.pixels()));
            try {
                ImageIO.write(img, "png", dir.resolve(folder(DatasetKind.FASHION.classNames().get(d.label(i)))).resolve(String.format("%05d.png", i)).toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** "T-shirt/top" cannot name a folder. */
    private static String folder(String className) {
        return className.replace('/', '-');
    }
}
