package dev.simdnet.model;

import dev.simdnet.data.DataException;
import dev.simdnet.data.PenDigits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Labelled pictures made ready for one model by its own recipe, the way {@code classify} and the page read them: what
 * a calibration is fitted on and measured with. Pictures with nothing to read ("no digit") are left out and counted.
 *
 * @param what     where they came from, in words (saved as the calibration's {@code fitted_on})
 * @param samples  each one sample at the model's input size, values in [0, 1]
 * @param labels   the class index of each, in the model's classes
 * @param writers  the writer of each pen digit, or -1 for a picture file
 * @param blank    pictures left out as "no digit"
 */
public record LabelledSamples(String what, List<float[]> samples, int[] labels, int[] writers, int blank) {
    public LabelledSamples {
        samples = List.copyOf(samples);
        if (labels.length != samples.size() || writers.length != samples.size())
            throw new IllegalArgumentException(samples.size() + " samples, " + labels.length + " labels, " + writers.length + " writers");
    }

    public int size() { return samples.size(); }

    /** The samples one after another, {@code (n, height, width, channels)}. */
    public float[] flat() {
        int size = samples.isEmpty() ? 0 : samples.getFirst().length;
        float[] out = new float[samples.size() * size];
        for (int i = 0; i < samples.size(); i++) System.arraycopy(samples.get(i), 0, out, i * size, size);
        return out;
    }

    /**
     * The pen digits of writers {@code fromWriter..toWriter} (inclusive) of a UNIPEN file, drawn on a 280-pixel
     * canvas as {@link PenDigits#render} draws them with the seed {@code render-pendigits --seed} uses (the same
     * pictures, so figures agree with {@code classify} on its output), then prepared by the model's recipe.
     */
    public static LabelledSamples penDigits(Model model, Path unipen, int fromWriter, int toWriter, long seed) {
        if (fromWriter > toWriter) throw new IllegalArgumentException("writers " + fromWriter + "-" + toWriter + ": the first is after the last");
        List<PenDigits.PenDigit> all = PenDigits.load(unipen);
        int[] picked = IntStream.range(0, all.size()).filter(i -> all.get(i).writer() >= fromWriter && all.get(i).writer() <= toWriter).toArray();
        if (picked.length == 0) throw new DataException(unipen + " has no digits of writers " + fromWriter + "-" + toWriter);
        Model.Prepared[] prepared = IntStream.range(0, picked.length).parallel()
                .mapToObj(k -> model.prepare(PenDigits.render(all.get(picked[k]), PenDigits.RenderOptions.CANVAS_280, seed * 1_000_003L + picked[k])))
                .toArray(Model.Prepared[]::new);
        List<float[]> samples = new ArrayList<>();
        List<Integer> labels = new ArrayList<>(), writers = new ArrayList<>();
        int blank = 0;
        for (int k = 0; k < picked.length; k++) {
            if (!prepared[k].found()) {
                blank++;
                continue;
            }
            PenDigits.PenDigit d = all.get(picked[k]);
            int label = model.classNames().indexOf(Integer.toString(d.label()));
            if (label < 0) throw new IllegalArgumentException("the model has no class '" + d.label() + "' (its classes: " + model.classNames() + ")");
            samples.add(prepared[k].pixels());
            labels.add(label);
            writers.add(d.writer());
        }
        String what = "pen digits of writers " + fromWriter + "-" + toWriter + " (" + unipen.getFileName() + ", rendered with seed " + seed + ")";
        return new LabelledSamples(what, samples, ints(labels), ints(writers), blank);
    }

    /**
     * The pictures of {@code dir/<class>/} (sub-folders searched too), each class folder named as one of the model's
     * classes; a folder with {@code val/} is read from there. PNG, JPEG, GIF and BMP files.
     */
    public static LabelledSamples folder(Model model, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new java.io.FileNotFoundException(dir + " is not a folder of <class>/ picture folders");
        if (Files.isDirectory(dir.resolve("train")) && !Files.isDirectory(dir.resolve("val")))
            throw new DataException(dir + " is an image folder without val/: give validation pictures, DIR/val/<class>/ or DIR/<class>/ (never train/)");
        Path root = Files.isDirectory(dir.resolve("val")) ? dir.resolve("val") : dir;
        List<Path> files = new ArrayList<>();
        List<Integer> fileLabels = new ArrayList<>();
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        for (Path c : classDirs) {
            int label = model.classNames().indexOf(c.getFileName().toString());
            if (label < 0)
                throw new DataException(c + ": the model has no class '" + c.getFileName() + "' (its classes: " + model.classNames()
                        + "); name each folder after one of them");
            try (Stream<Path> s = Files.walk(c)) {
                for (Path f : s.filter(Files::isRegularFile).filter(LabelledSamples::isPicture).sorted().toList()) {
                    files.add(f);
                    fileLabels.add(label);
                }
            }
        }
        if (files.isEmpty()) throw new DataException(root + " holds no pictures in <class>/ folders (PNG, JPEG, GIF or BMP)");
        Model.Prepared[] prepared = files.parallelStream().map(model::prepare).toArray(Model.Prepared[]::new);
        List<float[]> samples = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int blank = 0;
        for (int i = 0; i < files.size(); i++) {
            if (!prepared[i].found()) {
                blank++;
                continue;
            }
            samples.add(prepared[i].pixels());
            labels.add(fileLabels.get(i));
        }
        int[] writers = new int[samples.size()];
        java.util.Arrays.fill(writers, -1);
        return new LabelledSamples("the pictures of " + root, samples, ints(labels), writers, blank);
    }

    private static boolean isPicture(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".gif") || n.endsWith(".bmp");
    }

    private static int[] ints(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }
}
