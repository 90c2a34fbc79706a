package dev.simdnet.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.model.Model;
import dev.simdnet.model.TestTimeAugmentation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * {@code classify}: reads digits from image files with MNIST's own preprocessing. A bad file is reported and
 * skipped; the others are still classified, and the exit code (1) says something failed.
 */
@Command(name = "classify", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Read the digit in each image (PNG, JPEG, GIF, BMP; any size; dark on light or light on dark).",
                "Folders are searched recursively for images. A blank image is reported as 'no digit', never as a class."})
final class ClassifyCommand implements Callable<Integer> {
    private static final int CHUNK = 512;
    /** Decoded chunks waiting for the network at most (1.6 MB each): decoding runs ahead during its warm-up. */
    private static final int MAX_PENDING = 8;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Parameters(arity = "1..*", paramLabel = "FILE_OR_DIR", description = "Images, or folders of images.")
    List<Path> inputs;

    @Option(names = "--model", paramLabel = "CHECKPOINT", description = "Model to use: a checkpoint or an ONNX file (default: the one bundled in the jar).")
    Path model;

    @Option(names = "--top", paramLabel = "K", defaultValue = "1", description = "Show the K most likely digits. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--json", description = "One JSON object per line: file, digit (null for no digit), probability, sure, top.")
    boolean json;

    @Option(names = "--tta", description = "Test-time augmentation: average the digit read as it is and in 6 copies shifted by a pixel or scaled by 10%% (7 times the network's work).")
    boolean tta;

    @Option(names = "--save-input", paramLabel = "DIR", description = "Save the 28x28 image the model saw for each file, as PNG.")
    Path saveInput;

    /** One file's outcome: a digit, "no digit", or an error. */
    private record Item(Path file, Model.Prepared prepared, String error) {}

    @Override
    public Integer call() throws Exception {
        if (top < 1 || top > 10) throw new CommandLine.ParameterException(spec.commandLine(), "--top must be in [1, 10], got " + top);
        if (saveInput != null) {
            Files.createDirectories(saveInput);
            if (!Files.isWritable(saveInput)) throw new IOException("cannot write to " + saveInput);
        }
        // The model loads (0.1 s) while the files are listed.
        FutureTask<Model> loading = new FutureTask<>(() -> model == null ? Model.bundled() : Model.load(model));
        Thread.ofPlatform().name("model-loader").daemon().start(loading);
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        List<Path> files = new ArrayList<>();
        boolean failed = false;
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                // find, not walk: it filters on the attributes it has read anyway, not one more stat a file
                // (only a link is followed to see whether it leads to a file).
                try (Stream<Path> s = Files.find(p, Integer.MAX_VALUE,
                        (f, a) -> looksLikeImage(f) && (a.isRegularFile() || a.isSymbolicLink() && Files.isRegularFile(f)))) {
                    s.sorted().forEach(files::add);
                }
            } else if (Files.exists(p)) {
                files.add(p);
            } else {
                err.println("error: " + p + ": no such file or folder");
                failed = true;
            }
        }
        Model loaded = result(loading);
        try (Kernels k = common.kernels(common.threadsOr(Runtime.getRuntime().availableProcessors()));
             Kernels one = common.kernels(1);
             ExecutorService network = Executors.newSingleThreadExecutor()) {
            Model classifier = loaded.withKernels(k);
            // Decoding and preprocessing dominate: the cores do them chunk after chunk (a parallel stream each)
            // while one thread runs the network, one batched forward pass a chunk, and prints the results in
            // order. That thread first warms the network up: until the JIT has compiled the vector kernels a
            // forward pass is about 100 times slower (a first chunk took 1.4 s), and decoding goes on meanwhile.
            // It warms up on one thread: kernel threads would spin, taking cores from decoding.
            Deque<Future<Boolean>> reports = new ArrayDeque<>();
            reports.add(network.submit(() -> {
                if (files.size() > CHUNK) loaded.warmUp(one); // for a chunk or two, not worth it
                return false;
            }));
            try {
                for (int from = 0; from < files.size(); from += CHUNK) {
                    List<Path> chunk = files.subList(from, Math.min(files.size(), from + CHUNK));
                    Item[] items = IntStream.range(0, chunk.size()).parallel().mapToObj(i -> prepare(loaded, chunk.get(i))).toArray(Item[]::new);
                    reports.add(network.submit(() -> report(items, classifier, out, err)));
                    while (reports.size() > MAX_PENDING) failed |= result(reports.removeFirst());
                }
                while (!reports.isEmpty()) failed |= result(reports.removeFirst());
            } catch (Exception | Error e) {
                network.shutdownNow(); // print nothing more
                throw e;
            }
        }
        out.flush();
        return failed ? Errors.FAILED : 0;
    }

    /** The result of a task run on another thread; what went wrong there is rethrown here. */
    private static <T> T result(Future<T> task) throws Exception {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            if (e.getCause() instanceof Error x) throw x;
            throw e;
        }
    }

    private static boolean looksLikeImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".gif") || n.endsWith(".bmp");
    }

    private static Item prepare(Model model, Path file) {
        try {
            return new Item(file, model.prepare(file), null);
        } catch (RuntimeException e) {
            return new Item(file, null, Errors.message(e));
        }
    }

    private boolean report(Item[] items, Model classifier, PrintWriter out, PrintWriter err) throws IOException {
        int size = classifier.input().size(), classes = classifier.classes();
        List<String> names = classifier.classNames();
        List<Integer> digits = new ArrayList<>();
        for (int i = 0; i < items.length; i++) if (items[i].prepared() != null && items[i].prepared().found()) digits.add(i);
        float[] batch = new float[digits.size() * size];
        for (int j = 0; j < digits.size(); j++) System.arraycopy(items[digits.get(j)].prepared().pixels(), 0, batch, j * size, size);
        float[] probs = digits.isEmpty() ? new float[0]
                : tta ? TestTimeAugmentation.probabilities(classifier, batch, digits.size()) : classifier.probabilities(batch, digits.size());

        boolean failed = false;
        for (int i = 0, j = 0; i < items.length; i++) {
            Item it = items[i];
            if (it.error() != null) {
                err.println("error: " + it.error());
                failed = true;
                continue;
            }
            if (saveInput != null && it.prepared().found()) saveInput(it, classifier.input());
            if (!it.prepared().found()) {
                if (json) out.println(jsonLine(g -> {
                    g.writeStringField("file", it.file().toString());
                    g.writeNullField("digit");
                    g.writeNullField("probability");
                    g.writeArrayFieldStart("top");
                    g.writeEndArray();
                    g.writeStringField("reason", it.prepared().reason());
                }));
                else out.println(it.file() + ": no digit (" + it.prepared().reason() + ")");
                continue;
            }
            int off = (j++) * classes;
            int[] order = Model.mostLikelyFirst(probs, off, classes);
            // Under the calibrated threshold the answer is "not sure": the top guess stays in "digit", so scripts
            // that read it keep working, and the two best guesses are shown.
            boolean sure = classifier.calibration().sure(probs[off + order[0]]);
            if (json) {
                float[] p = probs;
                int o = off;
                out.println(jsonLine(g -> {
                    g.writeStringField("file", it.file().toString());
                    g.writeNumberField("digit", order[0]);
                    g.writeStringField("class", names.get(order[0]));
                    g.writeNumberField("probability", p[o + order[0]]);
                    g.writeBooleanField("sure", sure);
                    g.writeArrayFieldStart("top");
                    for (int t = 0; t < Math.min(top, classes); t++) {
                        g.writeStartObject();
                        g.writeNumberField("digit", order[t]);
                        g.writeStringField("class", names.get(order[t]));
                        g.writeNumberField("probability", p[o + order[t]]);
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }));
            } else {
                StringBuilder line = new StringBuilder(it.file() + ": ");
                if (!sure) line.append("not sure: ").append(String.format(Locale.ROOT, "%s (%.1f%%) or %s (%.1f%%)",
                        names.get(order[0]), 100 * probs[off + order[0]], names.get(order[1]), 100 * probs[off + order[1]]));
                for (int t = sure ? 0 : 2; t < Math.min(top, classes); t++)
                    line.append(t == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s (%.1f%%)", names.get(order[t]), 100 * probs[off + order[t]]));
                out.println(line);
            }
        }
        return failed;
    }

    /** The fields of one {@code --json} object. */
    private interface JsonFields {
        void write(JsonGenerator g) throws IOException;
    }

    private static final JsonFactory JSON_LINES = new JsonFactory();

    /**
     * One {@code --json} line, written field by field with jackson's streaming generator: jackson-jr's writer of a
     * {@code Map} cost 0.56 s of C2 compiling in a classify of the 7,494 pen digits (JFR), more than any one kernel,
     * on the same two cores that decode.
     */
    private static String jsonLine(JsonFields fields) throws IOException {
        java.io.StringWriter line = new java.io.StringWriter(256);
        try (JsonGenerator g = JSON_LINES.createGenerator(line)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        }
        return line.toString();
    }

    /** The sample the model saw, as a PNG: grey or RGB at the model's input size. */
    private void saveInput(Item it, Model.Input in) throws IOException {
        float[] px = it.prepared().pixels();
        BufferedImage img = new BufferedImage(in.width(), in.height(), in.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int y = 0, i = 0; y < in.height(); y++)
            for (int x = 0; x < in.width(); x++, i += in.channels()) {
                int r = Math.round(px[i] * 255), g = in.channels() == 1 ? r : Math.round(px[i + 1] * 255), b = in.channels() == 1 ? r : Math.round(px[i + 2] * 255);
                if (in.channels() == 1) img.getRaster().setSample(x, y, 0, r);
                else img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        String name = it.file().getFileName().toString().replaceFirst("\\.[^.]*$", "") + ".input.png";
        ImageIO.write(img, "png", saveInput.resolve(name).toFile());
    }
}
