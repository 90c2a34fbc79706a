package dev.simdnet.spark;

import dev.simdnet.data.DigitPreprocessor;
import dev.simdnet.data.PngDecoder;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.model.Model;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * {@code classify} on Spark: pictures from a folder tree ({@code binaryFile}, recursive, image names only) or a
 * Parquet table of image bytes, the model loaded once per executor, predicted in batches through {@link Model},
 * one output row a picture: {@code path, class, probability, error} (and {@code top} with {@code --top K > 1}).
 * A picture that cannot be decoded is a row with its error, never a failed task; a blank one has no class and
 * says why in {@code error} ("no digit: ..."), as {@code classify} says it.
 */
public final class BatchClassifier {
    /** Pictures per forward pass: classify's chunk. */
    static final int BATCH = 512;
    static final String GLOB = "*.{png,PNG,jpg,JPG,jpeg,JPEG,gif,GIF,bmp,BMP}";

    /** What a job read and wrote, and how fast. */
    public record Counts(long read, long classified, long noDigit, long failed, double seconds) {
        public double picturesPerSecond() { return read / Math.max(seconds, 1e-9); }

        public String line() {
            return String.format(Locale.ROOT, "read %d pictures: %d classified, %d without a digit, %d failed; %.2f s, %.0f pictures/s",
                    read, classified, noDigit, failed, seconds, picturesPerSecond());
        }
    }

    private final org.apache.spark.SparkContext sc;
    private SparkSession spark;
    private final byte[] modelBytes;
    private final int top, threadsPerTask;
    private final String kernels;

    /**
     * @param modelBytes the checkpoint's bytes (read on the driver: a missing or bad model fails before any task)
     */
    public BatchClassifier(SparkSession spark, byte[] modelBytes, int top, String kernels, int threadsPerTask) {
        this(spark.sparkContext(), modelBytes, top, kernels, threadsPerTask);
        this.spark = spark;
    }

    /**
     * On a bare context: a folder of this machine classified into a local CSV needs no Spark SQL, and its session
     * (about 1 s of the command on 2 cores) is made only for Parquet or a cluster file system.
     */
    public BatchClassifier(org.apache.spark.SparkContext sc, byte[] modelBytes, int top, String kernels, int threadsPerTask) {
        this.sc = sc;
        this.modelBytes = modelBytes;
        this.top = top;
        this.kernels = kernels;
        this.threadsPerTask = threadsPerTask;
    }

    /** The Spark SQL session on this context: the caller's, else one made now. */
    private SparkSession sql() {
        if (spark == null) spark = SparkSession.builder().config(sc.getConf()).getOrCreate();
        return spark;
    }

    /** The output's columns. */
    StructType schema() {
        List<StructField> f = new ArrayList<>(List.of(
                DataTypes.createStructField("path", DataTypes.StringType, false),
                DataTypes.createStructField("class", DataTypes.StringType, true),
                DataTypes.createStructField("probability", DataTypes.FloatType, true),
                DataTypes.createStructField("error", DataTypes.StringType, true)));
        if (top > 1) f.add(DataTypes.createStructField("top", DataTypes.StringType, true));
        return DataTypes.createStructType(f);
    }

    /**
     * The pictures of a folder tree, or of a Parquet table with {@code path} and {@code content} columns. Spark's
     * file scan leaves out empty files; they are added back (with no bytes), so that every file has its row.
     */
    public Dataset<Row> read(String input, boolean parquet) {
        if (parquet) return sql().read().parquet(input).select("path", "content");
        Dataset<Row> files = sql().read().format("binaryFile").option("recursiveFileLookup", "true").option("pathGlobFilter", GLOB)
                .load(input).select("path", "content");
        List<Row> empty = new ArrayList<>();
        for (var leaf : scala.jdk.javaapi.CollectionConverters.asJava(files.queryExecution().analyzed().collectLeaves()))
            if (leaf instanceof org.apache.spark.sql.execution.datasources.LogicalRelation r
                    && r.relation() instanceof org.apache.spark.sql.execution.datasources.HadoopFsRelation h
                    && h.location() instanceof org.apache.spark.sql.execution.datasources.PartitioningAwareFileIndex index)
                for (var f : scala.jdk.javaapi.CollectionConverters.asJava(index.allFiles()))
                    if (f.getLen() == 0) empty.add(RowFactory.create(f.getPath().toString(), new byte[0]));
        return empty.isEmpty() ? files : files.union(sql().createDataFrame(empty, files.schema()));
    }

    /** One row a picture (lazily: nothing runs until the result is written). */
    public Dataset<Row> classify(Dataset<Row> pictures) {
        return sql().createDataFrame(rows(pictures.javaRDD().map(r -> new Picture(r.getString(0), r.isNullAt(1) ? null : (byte[]) r.get(1), null))), schema());
    }

    private JavaRDD<Row> rows(JavaRDD<Picture> pictures) {
        Broadcast<byte[]> model = sc.broadcast(modelBytes, scala.reflect.ClassTag$.MODULE$.apply(byte[].class));
        Job job = new Job(sha256(modelBytes), top, kernels, threadsPerTask);
        return pictures.mapPartitions(it -> job.run(it, model.value()));
    }

    /**
     * Classifies and writes: CSV (one file, a header line) when {@code output} ends in {@code .csv}, Parquet
     * otherwise. Returns the counts and the seconds from the first read to the last row written.
     */
    public Counts run(String input, boolean parquet, String output) throws IOException {
        long t0 = System.nanoTime();
        boolean csv = output.toLowerCase(Locale.ROOT).endsWith(".csv");
        JavaRDD<Row> rows;
        if (!parquet && isLocal(input)) {
            rows = rows(localPictures(localPath(input)));
        } else {
            // binaryFile packs small files into a partition counting a 4 MB "open cost" for each: 7,494 pen digits made
            // 235 tasks on 2 cores, and Hadoop's local file system forks a chmod for every task's output. At 64 KB a file
            // they make 5 tasks.
            if (!parquet && sql().conf().getOption("spark.sql.files.openCostInBytes").isEmpty()) sql().conf().set("spark.sql.files.openCostInBytes", "65536");
            rows = rows(read(input, parquet).javaRDD().map(r -> new Picture(r.getString(0), r.isNullAt(1) ? null : (byte[]) r.get(1), null)));
        }
        if (csv && isLocal(output)) {
            long[] c = writeLocalCsv(rows, localPath(output));
            return new Counts(c[0], c[1], c[2], c[3], (System.nanoTime() - t0) / 1e9);
        }
        Dataset<Row> result = sql().createDataFrame(rows, schema());
        if (csv) result.write().mode("overwrite").option("header", "true").option("escape", "\"").csv(output);
        else result.write().mode("overwrite").parquet(output);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Dataset<Row> written = csv ? sql().read().option("header", "true").option("escape", "\"").option("multiLine", "true").schema(schema()).csv(output)
                : sql().read().parquet(output);
        Row c = written.selectExpr("count(*)", "count(class)", "sum(case when class is null and error like 'no digit%' then 1 else 0 end)",
                "sum(case when class is null and error not like 'no digit%' then 1 else 0 end)").first();
        return new Counts(c.getLong(0), c.getLong(1), c.isNullAt(2) ? 0 : c.getLong(2), c.isNullAt(3) ? 0 : c.getLong(3), seconds);
    }

    /** Pictures per partition, at most, of a local folder tree (more make more partitions than task slots). */
    static final int MAX_PER_PARTITION = 50_000;

    /**
     * The pictures of a local folder tree: listed here with java.nio as {@code classify} lists them (the image names,
     * sorted; empty files too), their bytes read in the tasks. Spark's binaryFile scan of the 7,497 files took about 20 s
     * of the driver's time on 2 cores before the first task (Hadoop globbing and a stat a file); this listing 0.1 s.
     * One partition a task slot, each a run of the sorted list, so the CSV comes out in path order.
     */
    JavaRDD<Picture> localPictures(Path dir) throws IOException {
        List<String> paths = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.find(dir, Integer.MAX_VALUE,
                    (f, a) -> looksLikeImage(f) && (a.isRegularFile() || a.isSymbolicLink() && Files.isRegularFile(f)))) {
                s.sorted().forEach(f -> paths.add(f.toString()));
            }
        } else {
            paths.add(dir.toString());
        }
        Main.trace("listed " + paths.size());
        int slots = Math.max(1, sc.defaultParallelism() / Math.max(1, threadsPerTask));
        int partitions = Math.max(1, Math.min(paths.size(), slots * (int) Math.ceil(paths.size() / (double) (slots * MAX_PER_PARTITION))));
        return JavaSparkContext.fromSparkContext(sc).parallelize(paths, partitions).map(BatchClassifier::readLocal);
    }

    /** A local file's bytes, under the name binaryFile gives it ({@code file:/...}); a file that cannot be read is its error. */
    static Picture readLocal(String file) {
        String name = "file:" + file;
        try {
            long size = Files.size(Path.of(file));
            if (size > MAX_FILE_BYTES)                                     // classify's limit, not an executor's heap
                return new Picture(name, null, file + " is " + size + " bytes: too large for a picture of a digit (the limit is " + (MAX_FILE_BYTES >> 20) + " MB)");
            return new Picture(name, Files.readAllBytes(Path.of(file)), null);
        } catch (IOException e) {
            return new Picture(name, null, "cannot read " + file + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    /** The largest file read whole, as classify reads it (DigitPreprocessor). */
    static final long MAX_FILE_BYTES = 256L << 20;

    static boolean looksLikeImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".gif") || n.endsWith(".bmp");
    }

    /** A picture to classify: its path, its bytes, or why they could not be read. */
    record Picture(String path, byte[] bytes, String error) implements Serializable {}

    /** A local path, or a {@code file:} URI, as a path of this machine. */
    static Path localPath(String path) {
        return (path.startsWith("file:") ? Path.of(java.net.URI.create(path)) : Path.of(path)).toAbsolutePath();
    }

    static boolean isLocal(String path) {
        return !path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") || path.startsWith("file:");
    }

    /**
     * A local {@code OUT.csv} is one file, as a person asked for: each task writes its rows to a part file with plain
     * Java I/O (beside OUT, so on a cluster the folder must be shared) and returns its counts; the driver joins the
     * parts under one header. Returns read, classified, no digit, failed.
     */
    private long[] writeLocalCsv(JavaRDD<Row> rows, Path target) throws IOException {
        Path parts = target.resolveSibling(target.getFileName() + ".parts");
        deleteTree(parts);
        Files.createDirectories(parts);
        String dir = parts.toString();
        List<long[]> counts = rows.mapPartitionsWithIndex((i, it) -> {
            long[] c = new long[4];
            try (var w = Files.newBufferedWriter(Path.of(dir, String.format(Locale.ROOT, "part-%05d.csv", i)), StandardCharsets.UTF_8)) {
                while (it.hasNext()) {
                    Row r = it.next();
                    c[0]++;
                    if (!r.isNullAt(1)) c[1]++;
                    else if (r.getString(3).startsWith("no digit")) c[2]++;
                    else c[3]++;
                    for (int f = 0; f < r.size(); f++) {
                        if (f > 0) w.write(',');
                        w.write(r.isNullAt(f) ? "" : csvField(String.valueOf(r.get(f))));
                    }
                    w.write('\n');
                }
            }
            return List.of(c).iterator();
        }, false).collect();
        Main.trace("job done");
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp); Stream<Path> s = Files.list(parts)) {
            out.write((String.join(",", schema().fieldNames()) + "\n").getBytes(StandardCharsets.UTF_8));
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) Files.copy(p, out);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(parts);
        long[] total = new long[4];
        for (long[] c : counts) for (int k = 0; k < 4; k++) total[k] += c[k];
        return total;
    }

    /** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
    static String csvField(String v) {
        if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) return v;
        return '"' + v.replace("\"", "\"\"") + '"';
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** A checkpoint loaded on an executor, and its warm-up (running or done). */
    private record Loaded(Model model, java.util.concurrent.CompletableFuture<Void> warm) {}

    /** The model of each checkpoint, loaded once per executor JVM, and warmed up once. */
    private static final Map<String, Loaded> MODELS = new ConcurrentHashMap<>();

    static Model model(String key, byte[] bytes, String kernels) {
        Loaded l = MODELS.computeIfAbsent(key, k -> {
            try {
                Path f = Files.createTempFile("simdnet-model", ".safetensors");
                Model m;
                try {
                    Files.write(f, bytes);
                    m = Model.load(f);
                } finally {
                    Files.deleteIfExists(f);
                }
                // As classify does: until the JIT has compiled the vector kernels a first batch takes seconds; one thread
                // warms up while the tasks decode their first batch, and every task of this JVM waits for it once.
                var warm = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try (Kernels one = Kernels.create(kernels, 1)) {
                        m.warmUp(one);
                    }
                }, r -> Thread.ofPlatform().name("simdnet-warm-up").daemon().start(r));
                return new Loaded(m, warm);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return l.model();
    }

    /**
     * Loads the model into this JVM's holder and starts its warm-up, on another thread: in local mode the driver is the
     * executor, and this runs while the Spark context starts (2 s of class loading on about one core), so the tasks find
     * the kernels compiled instead of sharing the two cores with the warm-up.
     */
    public static void preload(byte[] modelBytes, String kernels) {
        Thread.ofPlatform().name("simdnet-preload").daemon().start(() -> {
            try {
                model(sha256(modelBytes), modelBytes, kernels);
            } catch (RuntimeException e) {
                // the tasks load it again, and say what went wrong
            }
        });
    }

    static boolean warmedUp(String key) {
        Loaded l = MODELS.get(key);
        return l == null || l.warm().isDone();
    }

    /** A batch decoded: each picture's path, and its prepared digit or (null and) its error. */
    private record Decoded(List<String> paths, List<Model.Prepared> prepared, List<String> errors) {}

    /** Batches decoded ahead while the model warms up, at most: 8 of 512 pictures, 1.6 MB each (classify's bound). */
    static final int MAX_PENDING = 8;

    static void awaitWarmUp(String key) {
        Loaded l = MODELS.get(key);
        if (l != null) l.warm().exceptionally(e -> null).join();   // a failed warm-up only leaves the JIT colder
    }

    /**
     * A partition's work, on an executor: decode and prepare each picture (on the task's {@code spark.task.cpus}
     * threads), predict a batch at a time.
     */
    record Job(String key, int top, String kernels, int threads) implements Serializable {
        Iterator<Row> run(Iterator<Picture> pictures, byte[] modelBytes) {
            Main.trace("task start");
            Model loaded = model(key, modelBytes, kernels);
            Main.trace("task model");
            Kernels k = threads > 1 ? Kernels.create(kernels, threads) : null;
            java.util.concurrent.ForkJoinPool decoders = threads > 1 ? new java.util.concurrent.ForkJoinPool(threads) : null;
            Model m = k == null ? loaded : loaded.withKernels(k);
            return new Iterator<>() {
                final List<Row> ready = new ArrayList<>();
                final java.util.ArrayDeque<Decoded> pending = new java.util.ArrayDeque<>();
                int next;
                boolean warm, ended;
                long decodeNs, predictNs;

                @Override
                public boolean hasNext() {
                    if (next < ready.size()) return true;
                    ready.clear();
                    next = 0;
                    if (pending.isEmpty()) decodeNext();
                    // While the model warms up (seconds on a busy machine), decoding goes on: up to MAX_PENDING batches.
                    while (!warm && !warmedUp(key) && pending.size() < MAX_PENDING && pictures.hasNext()) decodeNext();
                    if (pending.isEmpty()) {
                        if (!ended) {
                            ended = true;
                            Main.trace(String.format(Locale.ROOT, "task end: decode %.2f s, predict %.2f s", decodeNs / 1e9, predictNs / 1e9));
                            if (k != null) k.close();
                            if (decoders != null) decoders.shutdown();
                        }
                        return false;
                    }
                    if (!warm) {
                        Main.trace("task decoded " + pending.size() + " batches");
                        awaitWarmUp(key);
                        Main.trace("task warm");
                        warm = true;
                    }
                    Decoded d = pending.removeFirst();
                    long t = System.nanoTime();
                    predict(m, d.paths(), d.prepared(), d.errors());
                    predictNs += System.nanoTime() - t;
                    return true;
                }

                /** The next batch of pictures decoded and prepared, at the end of {@code pending} (nothing when none is left). */
                private void decodeNext() {
                    List<Picture> batch = new ArrayList<>();
                    while (pictures.hasNext() && batch.size() < BATCH) batch.add(pictures.next());
                    if (batch.isEmpty()) return;
                    long t = System.nanoTime();
                    Object[] done = new Object[batch.size()];             // a Model.Prepared, or the error's message
                    java.util.function.IntConsumer one = i -> done[i] = prepareOne(m, batch.get(i));
                    if (decoders == null) for (int i = 0; i < done.length; i++) one.accept(i);
                    else decoders.submit(() -> java.util.stream.IntStream.range(0, done.length).parallel().forEach(one)).join();
                    List<String> paths = new ArrayList<>();
                    List<Model.Prepared> prepared = new ArrayList<>();
                    List<String> errors = new ArrayList<>();
                    for (int i = 0; i < done.length; i++) {
                        paths.add(batch.get(i).path());
                        prepared.add(done[i] instanceof Model.Prepared p ? p : null);
                        errors.add(done[i] instanceof String e ? e : null);
                    }
                    pending.addLast(new Decoded(paths, prepared, errors));
                    decodeNs += System.nanoTime() - t;
                }

                private void predict(Model m, List<String> paths, List<Model.Prepared> prepared, List<String> errors) {
                    int size = m.input().size(), classes = m.classes(), n = 0;
                    for (Model.Prepared p : prepared) if (p != null && p.found()) n++;
                    float[] batch = new float[n * size];
                    for (int i = 0, j = 0; i < prepared.size(); i++)
                        if (prepared.get(i) != null && prepared.get(i).found()) System.arraycopy(prepared.get(i).pixels(), 0, batch, (j++) * size, size);
                    float[] probs = n == 0 ? new float[0] : m.probabilities(batch, n);
                    for (int i = 0, j = 0; i < paths.size(); i++) {
                        Model.Prepared p = prepared.get(i);
                        Object[] row = new Object[top > 1 ? 5 : 4];
                        row[0] = paths.get(i);
                        if (p == null) {
                            row[3] = errors.get(i);
                        } else if (!p.found()) {
                            row[3] = p.reason();
                        } else {
                            int off = (j++) * classes;
                            int[] order = Model.mostLikelyFirst(probs, off, classes);
                            row[1] = m.classNames().get(order[0]);
                            row[2] = probs[off + order[0]];
                            if (top > 1) {
                                StringBuilder sb = new StringBuilder();
                                for (int t = 0; t < Math.min(top, classes); t++)
                                    sb.append(t == 0 ? "" : " ").append(m.classNames().get(order[t])).append(':')
                                            .append(String.format(Locale.ROOT, "%.6f", probs[off + order[t]]));
                                row[4] = sb.toString();
                            }
                        }
                        ready.add(RowFactory.create(row));
                    }
                }

                @Override
                public Row next() {
                    if (!hasNext()) throw new java.util.NoSuchElementException();
                    return ready.get(next++);
                }
            };
        }
    }

    /**
     * A picture file's bytes made ready by the model's recipe, as {@link Model#prepare(Path)} reads the same file:
     * a PNG through simdnet's decoder, anything else through ImageIO.
     */
    private static Object prepareOne(Model m, Picture p) {
        if (p.error() != null) return p.error();
        try {
            return prepare(m, p.bytes(), p.path());
        } catch (RuntimeException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }

    static Model.Prepared prepare(Model m, byte[] bytes, String what) {
        if (bytes == null || bytes.length == 0) throw new IllegalArgumentException(what + " is an empty file");
        if (m.input().preprocess() == Model.Preprocess.DIGITS) {
            var png = PngDecoder.isPng(bytes) ? PngDecoder.decode(bytes, what) : null;
            var picture = png != null ? png : DigitPreprocessor.picture(DigitPreprocessor.readImage(new ByteArrayInputStream(bytes), what));
            DigitPreprocessor.Result r = new DigitPreprocessor().process(picture);
            return new Model.Prepared(r.digit(), r.reason());
        }
        return m.prepare(DigitPreprocessor.readImage(new ByteArrayInputStream(bytes), what));
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
