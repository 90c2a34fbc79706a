package dev.simdnet.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.model.Calibration;
import dev.simdnet.model.Model;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code calibrate} on pen writers, and what classify then says: "not sure" with the two best guesses. */
class CalibrateCliTest {
    @TempDir
    static Path dir;
    static String unipen;

    @BeforeAll
    static void paths() {
        unipen = Cli.data().resolve("pendigits/pendigits-train.unipen").toString();
    }

    @Test
    @SuppressWarnings("unchecked")
    void fitsOnTheValidationWritersMeasuresOthersAndWritesTheCalibratedModel() throws Exception {
        Path out = dir.resolve("cal.safetensors");
        Cli r = Cli.run("calibrate", "--pendigits", unipen, "--writers", "17-18", "--report-writers", "23-24", "--output", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Object> line = JSON.std.mapFrom(r.out());
        assertThat(((Number) line.get("temperature")).doubleValue()).isPositive();
        assertThat((String) line.get("fitted_on")).contains("writers 17-18");
        Map<String, Object> fit = (Map<String, Object>) line.get("fit"), report = (Map<String, Object>) line.get("report");
        assertThat((String) report.get("of")).contains("writers 23-24");
        // On the data it was fitted on, the likelihood can only get better (the temperature 1 was a candidate).
        double before = ((Number) ((Map<String, Object>) fit.get("before")).get("nll")).doubleValue();
        double after = ((Number) ((Map<String, Object>) fit.get("after")).get("nll")).doubleValue();
        assertThat(after).isLessThanOrEqualTo(before);
        assertThat(((Map<String, Object>) report.get("after")).get("accuracy")).isEqualTo(((Map<String, Object>) report.get("before")).get("accuracy"));

        Model m = Model.load(out);
        assertThat(m.calibration().temperature()).isCloseTo(((Number) line.get("temperature")).doubleValue(), org.assertj.core.api.Assertions.within(1e-5));
        assertThat(m.calibration().fittedOn()).contains("writers 17-18");
        assertThat(m.metadata()).containsKey(Calibration.KEY);
    }

    @Test
    @SuppressWarnings("unchecked")
    void classifySaysNotSureWithTheTwoBestGuessesUnderTheThreshold() throws Exception {
        Path pics = dir.resolve("pics"), strict = dir.resolve("strict.safetensors");
        assertThat(Cli.run("render-pendigits", "--input", unipen, "--output", pics.toString(), "--count", "80").exit()).isZero();
        // Sure answers right every time on writers 17-19: a high threshold, so some of these 80 are "not sure".
        Cli c = Cli.run("calibrate", "--pendigits", unipen, "--writers", "17-19", "--sure-accuracy", "1", "--output", strict.toString());
        assertThat(c.exit()).as(c.err()).isZero();
        double threshold = Model.load(strict).calibration().threshold();

        Cli json = Cli.run("classify", pics.toString(), "--model", strict.toString(), "--json");
        Cli text = Cli.run("classify", pics.toString(), "--model", strict.toString());
        assertThat(json.exit()).isZero();
        List<String> jl = json.out().lines().toList(), tl = text.out().lines().toList();
        assertThat(jl).hasSize(tl.size());
        int unsure = 0;
        for (int i = 0; i < jl.size(); i++) {
            Map<String, Object> m = JSON.std.mapFrom(jl.get(i));
            if (m.get("digit") == null) continue;
            boolean sure = (Boolean) m.get("sure");
            assertThat(sure).isEqualTo(((Number) m.get("probability")).doubleValue() >= threshold);
            if (!sure) {
                unsure++;
                assertThat(tl.get(i)).matches(".*: not sure: " + m.get("digit") + " \\(\\d+\\.\\d%\\) or \\d \\(\\d+\\.\\d%\\)");
            } else {
                assertThat(tl.get(i)).doesNotContain("not sure");
            }
        }
        assertThat(unsure).isPositive();
        // An uncalibrated model is always sure.
        Path uncalibrated = dir.resolve("uncalibrated.safetensors");
        Model.bundled().withCalibration(Calibration.NONE).save(uncalibrated);
        Cli plain = Cli.run("classify", pics.toString(), "--json", "--model", uncalibrated.toString());
        assertThat(plain.out()).doesNotContain("\"sure\":false");
    }

    @Test
    @SuppressWarnings("unchecked")
    void trainCalibratesOnItsValidationSplit() throws Exception {
        Path out = dir.resolve("trained.safetensors");
        Cli r = Cli.run("train", "--preset", "baseline", "--epochs", "0.2", "--validation", "1000", "--calibrate", "--sure-accuracy", "0.99",
                "--data-dir", Cli.mnist(), "--output", out.toString(), "--no-track", "--threads", "2");
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Object> cal = (Map<String, Object>) JSON.std.mapFrom(r.out()).get("calibration");
        assertThat((String) cal.get("fitted_on")).contains("validation split").contains("1000 images");
        Calibration c = Model.load(out).calibration();
        assertThat(c.samples()).isEqualTo(1000);
        assertThat(c.sureAccuracy()).isEqualTo(0.99);
        assertThat(c.temperature()).isCloseTo(((Number) cal.get("temperature")).doubleValue(), org.assertj.core.api.Assertions.within(1e-5));
    }

    @Test
    void badOptionsAreOneLineUsageErrors() throws Exception {
        Path out = dir.resolve("x.safetensors");
        for (String[] args : List.of(
                new String[] {"calibrate", "--output", out.toString()},
                new String[] {"calibrate", "--pendigits", unipen, "--writers", "17-22", "--report-writers", "20-30", "--output", out.toString()},
                new String[] {"calibrate", "--pendigits", unipen, "--writers", "22-17", "--output", out.toString()},
                new String[] {"calibrate", "--pendigits", unipen, "--writers", "a-b", "--output", out.toString()},
                new String[] {"calibrate", "--data", dir.toString(), "--report-writers", "23-30", "--output", out.toString()},
                new String[] {"calibrate", "--pendigits", unipen, "--sure-accuracy", "0", "--output", out.toString()})) {
            Cli r = Cli.run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.oneLineError()).as(r.err()).isTrue();
        }
        Cli noWriters = Cli.run("calibrate", "--pendigits", unipen, "--writers", "900-901", "--output", out.toString());
        assertThat(noWriters.exit()).isEqualTo(1);
        assertThat(noWriters.err()).contains("no digits of writers 900-901");
        // train's new options: what they need, one line each.
        for (String[] args : List.of(
                new String[] {"train", "--replay-mnist", "100", "--data-dir", dir.toString(), "--no-track"},
                new String[] {"train", "--replay-mnist", "0", "--data-dir", dir.toString(), "--no-track"},
                new String[] {"train", "--replay-dir", dir.toString(), "--no-track"},
                new String[] {"train", "--sure-accuracy", "0.9", "--no-track"},
                new String[] {"train", "--calibrate", "--sure-accuracy", "1.5", "--no-track"},
                new String[] {"train", "--calibrate", "--folds", "3", "--no-track"})) {
            Cli r = Cli.run(args);
            assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.oneLineError()).as(r.err()).isTrue();
        }
        java.nio.file.Files.createDirectories(dir.resolve("trainonly/train/1"));
        Cli trainOnly = Cli.run("calibrate", "--data", dir.resolve("trainonly").toString(), "--output", out.toString());
        assertThat(trainOnly.exit()).isEqualTo(1);
        assertThat(trainOnly.err()).contains("without val/");
        Path wrongClass = java.nio.file.Files.createDirectories(dir.resolve("wrongclass/cat"));
        java.nio.file.Files.write(wrongClass.resolve("a.png"), new byte[] {1});
        Cli cat = Cli.run("calibrate", "--data", dir.resolve("wrongclass").toString(), "--output", out.toString());
        assertThat(cat.exit()).isEqualTo(1);
        assertThat(cat.oneLineError()).as(cat.err()).isTrue();
        assertThat(cat.err()).contains("no class 'cat'");
        Cli badFolder = Cli.run("calibrate", "--data", dir.resolve("nowhere").toString(), "--output", out.toString());
        assertThat(badFolder.exit()).isEqualTo(1);
        assertThat(badFolder.oneLineError()).as(badFolder.err()).isTrue();
    }
}
