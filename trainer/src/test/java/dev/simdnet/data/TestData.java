package dev.simdnet.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find the shared data sets, and each data set loaded once for all tests of a JVM. */
public final class TestData {
    private TestData() {}

    public static Path root() {
        String dir = System.getProperty("simdnet.test.data");
        Path p = dir != null ? Path.of(dir) : Path.of("../../shared/data");
        if (!Files.isDirectory(p.resolve("mnist")))
            throw new IllegalStateException("test data not found at " + p.toAbsolutePath()
                    + "; set -Dsimdnet.test.data to the folder holding mnist/");
        return p;
    }

    private static Dataset mnistTest, mnistTrain;

    public static synchronized Dataset mnistTest() {
        if (mnistTest == null) mnistTest = DatasetLoader.load(DatasetKind.MNIST, Subset.TEST, DataSource.offline(root()));
        return mnistTest;
    }

    public static synchronized Dataset mnistTrain() {
        if (mnistTrain == null) mnistTrain = DatasetLoader.load(DatasetKind.MNIST, Subset.TRAIN, DataSource.offline(root()));
        return mnistTrain;
    }
}
