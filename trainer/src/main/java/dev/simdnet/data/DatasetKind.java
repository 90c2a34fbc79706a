package dev.simdnet.data;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * The data sets simdnet knows: their files, the SHA-256 of each file, where to download them, their class
 * names and the normalization that goes with them. The checksums are facts about the published files.
 */
public enum DatasetKind {
    MNIST("mnist", List.of("mnist"),
            List.of(URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
                    URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/")),
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
            Normalization.MNIST,
            // SHA-256 of train-images, train-labels, t10k-images, t10k-labels: the .gz files ...
            new String[] {
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
            // ... and the decompressed files, for users who unpacked them.
            new String[] {
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"}),
    FASHION("fashion-mnist", List.of("fashion-mnist", "fashion"),
            List.of(URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")),
            List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
            Normalization.FASHION,
            new String[] {
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"},
            new String[] {
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"});

    /** The image side of every data set here. */
    public static final int ROWS = 28, COLS = 28;

    private final String dirName;
    private final List<String> dirAliases;
    private final List<URI> mirrors;
    private final List<String> classNames;
    private final Normalization normalization;
    private final String[] gzSha256;
    private final String[] rawSha256;

    DatasetKind(String dirName, List<String> dirAliases, List<URI> mirrors, List<String> classNames,
                Normalization normalization, String[] gzSha256, String[] rawSha256) {
        this.dirName = dirName;
        this.dirAliases = dirAliases;
        this.mirrors = mirrors;
        this.classNames = classNames;
        this.normalization = normalization;
        this.gzSha256 = gzSha256;
        this.rawSha256 = rawSha256;
    }

    /** The conventional folder name: {@code mnist} or {@code fashion-mnist}. */
    public String dirName() { return dirName; }

    /** Folder names that hold this data set, the conventional one first. */
    public List<String> dirAliases() { return dirAliases; }

    /** Base URLs to download the .gz files from, tried in order. */
    public List<URI> mirrors() { return mirrors; }

    /** Class names by label, 10 of them. */
    public List<String> classNames() { return classNames; }

    public int numClasses() { return classNames.size(); }

    public Normalization normalization() { return normalization; }

    /** The gzip'ed image file name, e.g. {@code train-images-idx3-ubyte.gz}. */
    public static String imagesFile(Subset subset) {
        return subset.filePrefix() + "-images-idx3-ubyte.gz";
    }

    /** The gzip'ed label file name, e.g. {@code t10k-labels-idx1-ubyte.gz}. */
    public static String labelsFile(Subset subset) {
        return subset.filePrefix() + "-labels-idx1-ubyte.gz";
    }

    /** All four .gz file names, train first. */
    public static List<String> allFiles() {
        return List.of(imagesFile(Subset.TRAIN), labelsFile(Subset.TRAIN), imagesFile(Subset.TEST), labelsFile(Subset.TEST));
    }

    /**
     * The SHA-256 (lower-case hex) of a file of this data set, by its name: a .gz name or the same name
     * without .gz (the decompressed file).
     */
    public String sha256(String fileName) {
        boolean gz = fileName.endsWith(".gz");
        String base = gz ? fileName : fileName + ".gz";
        int i = allFiles().indexOf(base);
        if (i < 0) throw new IllegalArgumentException(fileName + " is not a file of " + this);
        return gz ? gzSha256[i] : rawSha256[i];
    }

    /** Parses {@code mnist} or {@code fashion} (also {@code fashion-mnist}), case-insensitively. */
    public static DatasetKind parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("mnist-pen")) return MNIST; // MNIST plus pen digits (TrainConfig.DataSet.MNIST_PEN): MNIST's classes and test set
        for (DatasetKind k : values())
            if (k.name().toLowerCase(Locale.ROOT).equals(n) || k.dirAliases.contains(n)) return k;
        throw new DataException("unknown data set '" + name + "': use mnist or fashion");
    }
}
