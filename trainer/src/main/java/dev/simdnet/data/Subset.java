package dev.simdnet.data;

/** Which of a data set's two official parts: the training set or the test set. */
public enum Subset {
    TRAIN("train"),
    TEST("t10k");

    private final String filePrefix;

    Subset(String filePrefix) {
        this.filePrefix = filePrefix;
    }

    /** The prefix of the IDX file names, {@code train} or {@code t10k}. */
    public String filePrefix() {
        return filePrefix;
    }
}
