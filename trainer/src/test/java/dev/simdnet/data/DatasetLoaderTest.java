package dev.simdnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import dev.simdnet.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLoaderTest {
    private static final Path MNIST = TestData.root().resolve("mnist");

    @Test
    void loadsMnistTestSetWithKnownFacts() {
        Dataset test = TestData.mnistTest();
        assertThat(test.n()).isEqualTo(10_000);
        assertThat(test.rows()).isEqualTo(28);
        assertThat(test.cols()).isEqualTo(28);
        assertThat(test.classCounts()).containsExactly(980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009);
        assertThat(new int[] {test.label(0), test.label(1), test.label(2), test.label(3), test.label(4)})
                .containsExactly(7, 2, 1, 0, 4);
    }

    @Test
    void trainSetPixelStatisticsMatchTheNormalization() {
        Dataset train = TestData.mnistTrain();
        assertThat(train.n()).isEqualTo(60_000);
        assertThat(train.classCounts()).containsExactly(5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949);
        double sum = 0, sq = 0;
        for (byte b : train.images()) {
            double x = (b & 0xff) / 255.0;
            sum += x;
            sq += x * x;
        }
        double mean = sum / train.images().length, std = Math.sqrt(sq / train.images().length - mean * mean);
        assertThat(mean).isCloseTo(Normalization.MNIST.mean(), within(1e-4));
        assertThat(std).isCloseTo(Normalization.MNIST.std(), within(1e-4));
    }

    @Test
    void batchIsNormalizedNhwc() {
        Dataset test = TestData.mnistTest();
        int[] idx = {3, 0, 9999};
        Tensor batch = test.batch(idx, 1, 2, Normalization.MNIST); // images 0 and 9999
        assertThat(batch.shape()).containsExactly(2, 28, 28, 1);
        int px = 14 * 28 + 14;
        assertThat(batch.get(px)).isEqualTo(Normalization.MNIST.applyByte(test.images()[px] & 0xff));
        int last = 9999 * 784 + px;
        assertThat(batch.get(784 + px)).isEqualTo(Normalization.MNIST.applyByte(test.images()[last] & 0xff));
        assertThat(batch.get(0)).isCloseTo(-0.1307f / 0.3081f, within(1e-6f)); // the corner is background
        int[] labels = new int[2];
        test.fillLabels(idx, 1, 2, labels);
        assertThat(labels).containsExactly(7, test.label(9999));
    }

    @Test
    void acceptsUngzippedFilesAndParentFolder(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mnist"));
        for (String f : List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            try (var in = new GZIPInputStream(Files.newInputStream(MNIST.resolve(f)))) {
                Files.write(dir.resolve(f.replace(".gz", "")), in.readAllBytes());
            }
        }
        Dataset d = DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, DataSource.offline(tmp));
        assertThat(d.n()).isEqualTo(10_000);
        assertThat(d.images()).isEqualTo(TestData.mnistTest().images());
    }

    @Test
    void environmentFolderIsUsedWhenNoExplicitOne(@TempDir Path cwd) {
        DataSource src = new DataSource(null, TestData.root().toString(), cwd, false, List.of(), Duration.ofSeconds(5));
        assertThat(DatasetLoader.resolveDir(DatasetKind.MNIST, src)).isEqualTo(TestData.root().resolve("mnist"));
        assertThat(DatasetLoader.resolveDir(DatasetKind.FASHION, src)).isEqualTo(TestData.root().resolve("fashion-mnist"));
    }

    @Test
    void aNamedFolderThatDoesNotExistWinsOverTheEnvironmentAndIsNotCreated(@TempDir Path cwd) {
        Path named = cwd.resolve("no/such/dir");
        for (boolean download : new boolean[] {false, true}) {
            DataSource src = new DataSource(named, TestData.root().toString(), cwd, download, List.of(), Duration.ofSeconds(5));
            assertThatThrownBy(() -> DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, src))
                    .isInstanceOf(DataException.class)
                    .hasMessageContaining(named.toString())
                    .hasMessageContaining("does not exist");
            assertThat(cwd.resolve("no")).doesNotExist();
        }
    }

    @Test
    void aNamedFolderWithoutTheFilesIsNotReplacedByTheEnvironment(@TempDir Path named) {
        DataSource src = new DataSource(named, TestData.root().toString(), named, false, List.of(), Duration.ofSeconds(5));
        assertThatThrownBy(() -> DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, src))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("no mnist files");
    }

    @Test
    void missingFilesWithoutDownloadIsAClearError(@TempDir Path empty) {
        assertThatThrownBy(() -> DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, DataSource.offline(empty)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("no mnist files")
                .hasMessageContaining("no image folder");
    }

    @Test
    void corruptFileIsRejectedNamingBothHashes(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mnist"));
        byte[] labels = Files.readAllBytes(MNIST.resolve("t10k-labels-idx1-ubyte.gz"));
        Files.copy(MNIST.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-images-idx3-ubyte.gz"));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), java.util.Arrays.copyOf(labels, labels.length - 10));
        assertThatThrownBy(() -> DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, DataSource.offline(tmp)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("t10k-labels-idx1-ubyte.gz")
                .hasMessageContaining("expected " + DatasetKind.MNIST.sha256("t10k-labels-idx1-ubyte.gz"))
                .hasMessageContaining("SHA-256 is " + Checksums.sha256(java.util.Arrays.copyOf(labels, labels.length - 10)));
    }

    @Test
    void idxParserChecksMagicAndLength() throws IOException {
        byte[] raw;
        try (var in = new GZIPInputStream(Files.newInputStream(MNIST.resolve("t10k-labels-idx1-ubyte.gz")))) {
            raw = in.readAllBytes();
        }
        assertThat(Idx.readLabels(raw, "labels")).hasSize(10_000);
        assertThatThrownBy(() -> Idx.readImages(raw, "labels")).hasMessageContaining("not an IDX image file");
        assertThatThrownBy(() -> Idx.readLabels(java.util.Arrays.copyOf(raw, raw.length - 1), "short"))
                .hasMessageContaining("short is truncated");
        assertThatThrownBy(() -> Idx.readLabels(java.util.Arrays.copyOf(raw, raw.length + 1), "long"))
                .hasMessageContaining("bytes after the data");
    }

    /** A local server standing in for a mirror: serves the shared files, optionally corrupted. */
    private static HttpServer serve(boolean corrupt, AtomicInteger requests) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/mnist/", exchange -> {
            requests.incrementAndGet();
            String name = Path.of(exchange.getRequestURI().getPath()).getFileName().toString();
            Path file = MNIST.resolve(name);
            if (!Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            byte[] body = Files.readAllBytes(file);
            if (corrupt) body[body.length / 2] ^= 1;
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    private static URI base(HttpServer s) {
        return URI.create("http://127.0.0.1:" + s.getAddress().getPort() + "/mnist/");
    }

    @Test
    void downloadsMissingFilesVerifiesAndMovesThemIntoPlace(@TempDir Path tmp) throws IOException {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = serve(false, requests);
        try {
            URI missing = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/nothing/");
            Files.createDirectories(tmp.resolve("data"));            // a named folder is downloaded into, never created
            DataSource src = new DataSource(tmp.resolve("data"), null, tmp, true, List.of(missing, base(server)),
                    Duration.ofSeconds(10));
            Dataset d = DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, src);
            assertThat(d.n()).isEqualTo(10_000);
            Path dir = tmp.resolve("data").resolve("mnist");
            assertThat(Checksums.sha256(dir.resolve("t10k-images-idx3-ubyte.gz")))
                    .isEqualTo(DatasetKind.MNIST.sha256("t10k-images-idx3-ubyte.gz"));
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
            }
            int before = requests.get();
            DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, src); // present now: no new request
            assertThat(requests.get()).isEqualTo(before);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void corruptDownloadIsRejectedAndLeavesNoFile(@TempDir Path tmp) throws IOException {
        HttpServer server = serve(true, new AtomicInteger());
        try {
            DataSource src = new DataSource(tmp, null, tmp, true, List.of(base(server)), Duration.ofSeconds(10));
            assertThatThrownBy(() -> DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, src))
                    .isInstanceOf(DataException.class)
                    .hasMessageContaining("t10k-images-idx3-ubyte.gz")
                    .hasMessageContaining("expected " + DatasetKind.MNIST.sha256("t10k-images-idx3-ubyte.gz"))
                    .hasMessageContaining("pass --data-dir");
            try (var files = Files.list(tmp.resolve("mnist"))) {
                assertThat(files).isEmpty();
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void offlineDownloadSaysWhatToDo(@TempDir Path tmp) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        URI dead = URI.create("http://127.0.0.1:" + port + "/mnist/");
        DataSource src = new DataSource(tmp, null, tmp, true, List.of(dead), Duration.ofSeconds(5));
        assertThatThrownBy(() -> DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, src))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("cannot download t10k-images-idx3-ubyte.gz from " + dead + "t10k-images-idx3-ubyte.gz")
                .hasMessageEndingWith("download it yourself (see data/README.md) and pass --data-dir");
    }

    @Test
    void kindParsesAndKnowsClasses() {
        assertThat(DatasetKind.parse("Fashion")).isEqualTo(DatasetKind.FASHION);
        assertThat(DatasetKind.parse("fashion-mnist")).isEqualTo(DatasetKind.FASHION);
        assertThat(DatasetKind.FASHION.classNames()).hasSize(10).startsWith("T-shirt/top").endsWith("Ankle boot");
        assertThatThrownBy(() -> DatasetKind.parse("cifar")).hasMessageContaining("use mnist or fashion");
        assertThatThrownBy(() -> new Normalization(0f, 0f)).isInstanceOf(IllegalArgumentException.class);
    }
}
