package dev.simdnet.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.DatasetKind;
import dev.simdnet.data.DatasetLoader;
import dev.simdnet.data.Subset;
import dev.simdnet.eval.Evaluation;
import dev.simdnet.eval.Pictures;
import dev.simdnet.kernel.Kernels;
import dev.simdnet.model.Model;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code eval}: test accuracy of one checkpoint, or of several as an ensemble, with the details behind it. */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Evaluate checkpoints on the test set: accuracy with a 95%% interval, per-class precision and recall,",
                "the confusion matrix. Several checkpoints are evaluated as an ensemble (probabilities averaged)."})
final class EvalCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Parameters(arity = "1..*", paramLabel = "CHECKPOINT", description = "Model files: checkpoints written by train, or ONNX files (*.onnx).")
    List<Path> checkpoints;

    @Option(names = "--dataset", paramLabel = "NAME", description = "mnist or fashion (default: the one the first checkpoint was trained on).")
    String dataset;

    @Option(names = "--confusion-png", paramLabel = "FILE", description = "Save the confusion matrix as a PNG.")
    Path confusionPng;

    @Option(names = "--errors-png", paramLabel = "FILE", description = "Save a gallery of the misclassified test digits (true label green, predicted red).")
    Path errorsPng;

    @Option(names = "--json", description = "Print one JSON object instead of the text report.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<Model> models = new ArrayList<>();
        for (Path p : checkpoints) models.add(Model.load(p));
        for (int i = 1; i < models.size(); i++)
            if (models.get(i).classes() != models.get(0).classes())
                throw new IllegalArgumentException(checkpoints.get(i) + " predicts " + models.get(i).classes() + " classes, "
                        + checkpoints.get(0) + " " + models.get(0).classes() + ": they cannot form an ensemble");
        if (dataset == null && models.get(0).dataset() == null)
            throw new IllegalArgumentException(checkpoints.get(0) + " was not trained on MNIST or Fashion-MNIST (an image folder?): eval reads their "
                    + "test sets only; pass --dataset mnist|fashion, or read your pictures with classify --model " + checkpoints.get(0));
        String name = dataset != null ? dataset : models.get(0).dataset();
        DatasetKind kind;
        try {
            kind = DatasetKind.parse(name);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Dataset test = DatasetLoader.load(kind, Subset.TEST, common.dataSource());
        int classes = models.get(0).classes();
        float[] probs = new float[test.n() * classes];
        try (Kernels k = common.kernels(common.threadsOr(Runtime.getRuntime().availableProcessors()))) {
            // An ensemble: the members' probabilities averaged.
            for (Model m : models) {
                float[] p = m.withKernels(k).probabilities(test, test.all(), 500);
                for (int i = 0; i < p.length; i++) probs[i] += p[i] / models.size();
            }
        }
        int[] labels = test.labelsAsInts();
        Evaluation ev = Evaluation.of(probs, labels, test.n(), classes);
        List<String> names = models.get(0).classNames();

        if (confusionPng != null) Pictures.confusionMatrix(ev.confusion(), confusionPng);
        if (errorsPng != null) saveErrors(test, probs, labels, classes);
        PrintWriter out = spec.commandLine().getOut();
        if (json) out.println(JSON.std.asString(summary(ev)));
        else printReport(out, ev, kind, names);
        out.flush();
        return 0;
    }

    private void saveErrors(Dataset test, float[] probs, int[] labels, int classes) throws java.io.IOException {
        List<Integer> wrong = new ArrayList<>();
        for (int i = 0; i < test.n(); i++) if (Evaluation.argmax(probs, i * classes, classes) != labels[i]) wrong.add(i);
        byte[][] px = new byte[wrong.size()][];
        int[] truth = new int[wrong.size()], pred = new int[wrong.size()];
        for (int j = 0; j < wrong.size(); j++) {
            int i = wrong.get(j);
            px[j] = java.util.Arrays.copyOfRange(test.images(), i * test.pixels(), (i + 1) * test.pixels());
            truth[j] = labels[i];
            pred[j] = Evaluation.argmax(probs, i * classes, classes);
        }
        Pictures.gallery(px, truth, pred, test.rows(), test.cols(), errorsPng);
    }

    private Map<String, Object> summary(Evaluation ev) {
        double[] ci = ev.confidenceInterval95();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checkpoints", checkpoints.stream().map(Path::toString).toList());
        m.put("test_images", ev.n());
        m.put("test_accuracy", ev.accuracy());
        m.put("ci95", List.of(ci[0], ci[1]));
        m.put("test_loss", ev.loss());
        List<Double> precision = new ArrayList<>(), recall = new ArrayList<>();
        for (int c = 0; c < ev.confusion().length; c++) {
            precision.add(ev.precision(c));
            recall.add(ev.recall(c));
        }
        m.put("precision", precision);
        m.put("recall", recall);
        List<List<Integer>> cm = new ArrayList<>();
        for (int[] row : ev.confusion()) cm.add(java.util.Arrays.stream(row).boxed().toList());
        m.put("confusion", cm);
        return m;
    }

    private void printReport(PrintWriter out, Evaluation ev, DatasetKind kind, List<String> names) {
        double[] ci = ev.confidenceInterval95();
        out.printf(Locale.ROOT, "%s on %d %s test images: accuracy %.2f%% (95%% CI %.2f%% to %.2f%%), %d errors, loss %.4f%n",
                checkpoints.size() == 1 ? checkpoints.get(0) : "ensemble of " + checkpoints.size(),
                ev.n(), kind.dirName(), 100 * ev.accuracy(), 100 * ci[0], 100 * ci[1], ev.n() - ev.correct(), ev.loss());
        out.println();
        out.println("class  precision  recall   name");
        for (int c = 0; c < ev.confusion().length; c++)
            out.printf(Locale.ROOT, "%5d  %8.2f%%  %6.2f%%  %s%n", c, 100 * ev.precision(c), 100 * ev.recall(c), names.get(c));
        out.println();
        out.println("confusion matrix (rows: true class, columns: predicted)");
        StringBuilder head = new StringBuilder("      ");
        for (int c = 0; c < ev.confusion().length; c++) head.append(String.format(Locale.ROOT, "%6d", c));
        out.println(head);
        for (int t = 0; t < ev.confusion().length; t++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%6d", t));
            for (int v : ev.confusion()[t]) row.append(String.format(Locale.ROOT, "%6d", v));
            out.println(row);
        }
    }
}
