package dev.simdnet.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.data.DigitPreprocessor;
import dev.simdnet.eval.DigitClassifier;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.train.Checkpoint;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
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
    static final String DEFAULT_MODEL = "/dev/simdnet/cli/default-model.safetensors";
    private static final int CHUNK = 512;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Parameters(arity = "1..*", paramLabel = "FILE_OR_DIR", description = "Images, or folders of images.")
    List<Path> inputs;

    @Option(names = "--model", paramLabel = "CHECKPOINT", description = "Model to use (default: the one bundled in the jar).")
    Path model;

    @Option(names = "--top", paramLabel = "K", defaultValue = "1", description = "Show the K most likely digits. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--json", description = "One JSON object per line: file, digit (null for no digit), probability, top.")
    boolean json;

    @Option(names = "--save-input", paramLabel = "DIR", description = "Save the 28x28 image the model saw for each file, as PNG.")
    Path saveInput;

    /** One file's outcome: a digit, "no digit", or an error. */
    private record Item(Path file, DigitPreprocessor.Result prepared, String error) {}

    @Override
    public Integer call() throws Exception {
        if (top < 1 || top > 10) throw new CommandLine.ParameterException(spec.commandLine(), "--top must be in [1, 10], got " + top);
        if (saveInput != null) {
            Files.createDirectories(saveInput);
            if (!Files.isWritable(saveInput)) throw new IOException("cannot write to " + saveInput);
        }
        Checkpoint.Loaded loaded = model == null ? Checkpoint.loadResource(DEFAULT_MODEL) : Checkpoint.load(model);
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        List<Path> files = new ArrayList<>();
        boolean failed = false;
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(Files::isRegularFile).filter(ClassifyCommand::looksLikeImage).sorted().forEach(files::add);
                }
            } else if (Files.exists(p)) {
                files.add(p);
            } else {
                err.println("error: " + p + ": no such file or folder");
                failed = true;
            }
        }
        DigitPreprocessor prep = new DigitPreprocessor();
        try (Kernels k = common.kernels(common.threadsOr(Runtime.getRuntime().availableProcessors()))) {
            DigitClassifier classifier = new DigitClassifier(loaded, k);
            for (int from = 0; from < files.size(); from += CHUNK) {
                List<Path> chunk = files.subList(from, Math.min(files.size(), from + CHUNK));
                // Decoding and preprocessing dominate: spread them over the cores, then one batched forward pass.
                Item[] items = IntStream.range(0, chunk.size()).parallel().mapToObj(i -> prepare(prep, chunk.get(i))).toArray(Item[]::new);
                failed |= report(items, classifier, out, err);
            }
        }
        out.flush();
        return failed ? Errors.FAILED : 0;
    }

    private static boolean looksLikeImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".gif") || n.endsWith(".bmp");
    }

    private static Item prepare(DigitPreprocessor prep, Path file) {
        try {
            return new Item(file, prep.process(file), null);
        } catch (RuntimeException e) {
            return new Item(file, null, Errors.message(e));
        }
    }

    private boolean report(Item[] items, DigitClassifier classifier, PrintWriter out, PrintWriter err) throws IOException {
        int size = DigitPreprocessor.SIDE * DigitPreprocessor.SIDE, classes = classifier.classes();
        List<Integer> digits = new ArrayList<>();
        for (int i = 0; i < items.length; i++) if (items[i].prepared() != null && items[i].prepared().isDigit()) digits.add(i);
        float[] batch = new float[digits.size() * size];
        for (int j = 0; j < digits.size(); j++) System.arraycopy(items[digits.get(j)].prepared().digit(), 0, batch, j * size, size);
        float[] probs = digits.isEmpty() ? new float[0] : classifier.probabilities(batch, digits.size());

        boolean failed = false;
        for (int i = 0, j = 0; i < items.length; i++) {
            Item it = items[i];
            if (it.error() != null) {
                err.println("error: " + it.error());
                failed = true;
                continue;
            }
            if (saveInput != null && it.prepared().isDigit()) saveInput(it);
            if (!it.prepared().isDigit()) {
                if (json) out.println(JSON.std.asString(noDigit(it)));
                else out.println(it.file() + ": no digit (" + it.prepared().reason() + ")");
                continue;
            }
            int off = (j++) * classes;
            Integer[] order = IntStream.range(0, classes).boxed()
                    .sorted((a, b) -> Float.compare(probs[off + b], probs[off + a])).toArray(Integer[]::new);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", it.file().toString());
                m.put("digit", order[0]);
                m.put("probability", probs[off + order[0]]);
                List<Map<String, Object>> topK = new ArrayList<>();
                for (int t = 0; t < top; t++) topK.add(Map.of("digit", order[t], "probability", probs[off + order[t]]));
                m.put("top", topK);
                out.println(JSON.std.asString(m));
            } else {
                StringBuilder line = new StringBuilder(it.file() + ": ");
                for (int t = 0; t < top; t++)
                    line.append(t == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%d (%.1f%%)", order[t], 100 * probs[off + order[t]]));
                out.println(line);
            }
        }
        return failed;
    }

    private static Map<String, Object> noDigit(Item it) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", it.file().toString());
        m.put("digit", null);
        m.put("probability", null);
        m.put("top", List.of());
        m.put("reason", it.prepared().reason());
        return m;
    }

    private void saveInput(Item it) throws IOException {
        byte[] px = it.prepared().digitBytes();
        BufferedImage img = new BufferedImage(DigitPreprocessor.SIDE, DigitPreprocessor.SIDE, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, DigitPreprocessor.SIDE, DigitPreprocessor.SIDE, px);
        String name = it.file().getFileName().toString().replaceFirst("\\.[^.]*$", "") + ".input.png";
        ImageIO.write(img, "png", saveInput.resolve(name).toFile());
    }
}
