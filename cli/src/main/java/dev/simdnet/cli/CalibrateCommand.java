package dev.simdnet.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.model.Calibration;
import dev.simdnet.model.LabelledSamples;
import dev.simdnet.model.Model;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code calibrate}: fits a temperature and a "not sure" threshold on labelled validation pictures (a folder, or pen
 * digits of chosen writers) and writes the model with them; optionally measures another set it never fits on.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Calibrate a model's probabilities on validation data (temperature scaling) and choose the threshold under which",
                "classify and serve answer 'not sure'. Writes a new checkpoint; prints one JSON line with the calibration errors."})
final class CalibrateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "CHECKPOINT", description = "Model to calibrate (default: the one bundled in the jar).")
    Path model;

    @Option(names = "--data", paramLabel = "DIR", description = "Validation pictures in DIR/<class>/ (or DIR/val/<class>/), read as classify reads them.")
    Path data;

    @Option(names = "--pendigits", paramLabel = "FILE", description = "Validate on pen digits of this UNIPEN file (pendigits-train.unipen), drawn as the page draws.")
    Path pendigits;

    @Option(names = "--writers", paramLabel = "A-B", defaultValue = "17-22",
            description = "With --pendigits: the writers to fit on. Default: ${DEFAULT-VALUE} (the validation writers).")
    String writers;

    @Option(names = "--report-data", paramLabel = "DIR", description = "Also measure on these pictures (never fitted on).")
    Path reportData;

    @Option(names = "--report-writers", paramLabel = "A-B", description = "With --pendigits: also measure on these writers (never fitted on), e.g. 23-30.")
    String reportWriters;

    @Option(names = "--sure-accuracy", paramLabel = "A", defaultValue = "0.995",
            description = "The threshold is the lowest at which the sure answers are right this often on the fitting data. Default: ${DEFAULT-VALUE}.")
    double sureAccuracy;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "With --pendigits: the rendering seed (as render-pendigits). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "Where to write the calibrated model.")
    Path output;

    @Override
    public Integer call() throws Exception {
        if ((data == null) == (pendigits == null)) throw usage("give the validation data: --data DIR or --pendigits FILE (one of them)");
        if (reportData != null && reportWriters != null) throw usage("--report-data and --report-writers: give one of them");
        if (reportWriters != null && pendigits == null) throw usage("--report-writers needs --pendigits FILE");
        if (!(sureAccuracy > 0 && sureAccuracy <= 1)) throw usage("--sure-accuracy must be in (0, 1], got " + sureAccuracy);
        int[] fit = pendigits == null ? null : range(writers, "--writers");
        int[] report = reportWriters == null ? null : range(reportWriters, "--report-writers");
        if (fit != null && report != null && fit[0] <= report[1] && report[0] <= fit[1])
            throw usage("--writers " + writers + " and --report-writers " + reportWriters + " overlap: a report is of writers never fitted on");
        if (model != null && !Files.isRegularFile(model)) throw new java.io.FileNotFoundException("--model checkpoint " + model + " not found");
        Model m = model == null ? Model.bundled() : Model.load(model);

        LabelledSamples fitSet = pendigits != null ? LabelledSamples.penDigits(m, pendigits, fit[0], fit[1], seed) : LabelledSamples.folder(m, data);
        Calibration c = Calibration.fit(m, fitSet, sureAccuracy);
        Model calibrated = m.withCalibration(c);
        calibrated.save(output);

        Map<String, Object> line = new LinkedHashMap<>();
        line.put("temperature", round(c.temperature()));
        line.put("threshold", round(c.threshold()));
        line.put("fitted_on", c.fittedOn());
        line.put("fit", reports(m, c, fitSet));
        if (report != null || reportData != null) {
            LabelledSamples r = report != null ? LabelledSamples.penDigits(m, pendigits, report[0], report[1], seed) : LabelledSamples.folder(m, reportData);
            Map<String, Object> rep = reports(m, c, r);
            rep.put("of", r.what());
            line.put("report", rep);
        }
        line.put("checkpoint", output.toString());
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (fitSet.blank() > 0) err.println(fitSet.blank() + " pictures of the fitting data hold no digit and were left out");
        err.println(String.format(Locale.ROOT, "temperature %.4f, 'not sure' under %.4f; wrote %s", c.temperature(), c.threshold(), output));
        out.println(JSON.std.asString(line));
        out.flush();
        return 0;
    }

    /** Before (the softmax as it was) and after calibration. */
    private static Map<String, Object> reports(Model m, Calibration c, LabelledSamples s) {
        float[] logits = Calibration.logits(m, s);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("before", Calibration.NONE.report(logits, s.labels(), s.size(), m.classes(), false).toMap());
        r.put("after", c.report(logits, s.labels(), s.size(), m.classes(), true).toMap());
        return r;
    }

    private int[] range(String s, String option) {
        String[] p = s.strip().split("-");
        try {
            int a = Integer.parseInt(p[0].strip()), b = p.length == 1 ? a : Integer.parseInt(p[1].strip());
            if (p.length > 2 || a < 0 || b < a) throw new NumberFormatException();
            return new int[] {a, b};
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw usage(option + " must be a writer range A-B with A <= B (e.g. 17-22), got '" + s + "'");
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
