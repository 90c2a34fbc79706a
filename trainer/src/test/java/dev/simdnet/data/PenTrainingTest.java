package dev.simdnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PenTrainingTest {
    private static List<PenDigits.PenDigit> all() {
        return PenDigits.load(TestData.root().resolve("pendigits").resolve(PenDigits.TRAIN_FILE));
    }

    @Test
    void theWritersSplitIntoThreePartsThatShareNoWriter() {
        List<PenDigits.PenDigit> all = all();
        var train = PenTraining.writers(all, 1, PenTraining.LAST_TRAIN_WRITER);
        var val = PenTraining.writers(all, PenTraining.LAST_TRAIN_WRITER + 1, PenTraining.LAST_VALIDATION_WRITER);
        var report = PenTraining.writers(all, PenTraining.LAST_VALIDATION_WRITER + 1, 30);
        assertThat(train.size() + val.size() + report.size()).isEqualTo(all.size());
        Set<Integer> tw = new HashSet<>(), vw = new HashSet<>(), rw = new HashSet<>();
        train.forEach(d -> tw.add(d.writer()));
        val.forEach(d -> vw.add(d.writer()));
        report.forEach(d -> rw.add(d.writer()));
        assertThat(tw).hasSize(16).doesNotContainAnyElementsOf(vw).doesNotContainAnyElementsOf(rw);
        assertThat(vw).hasSize(6).doesNotContainAnyElementsOf(rw);
        assertThat(rw).hasSize(8);
        assertThat(val).hasSize(1497); // the validation writers of BENCHMARKS.md
    }

    @Test
    void digitsAreDrawnAndPreparedAsAUsersDrawingDeterministically() {
        List<PenDigits.PenDigit> some = all().subList(0, 12);
        var brushes = List.of(PenTraining.Brush.THICK, PenTraining.Brush.PAGE, PenTraining.Brush.PAGE_70);
        Dataset d = PenTraining.render("some", some, brushes, 3);
        assertThat(d.n()).isEqualTo(36);
        assertThat(d.rows()).isEqualTo(28);
        assertThat(d.images()).isEqualTo(PenTraining.render("again", some, brushes, 3).images());
        DigitPreprocessor prep = new DigitPreprocessor();
        for (int i = 0; i < d.n(); i++) {
            PenDigits.PenDigit digit = some.get(i / 3);
            assertThat(d.label(i)).isEqualTo(digit.label());
            // The same pixels as classify's recipe gives the same drawing.
            var b = brushes.get(i % 3);
            assertThat(java.util.Arrays.copyOfRange(d.images(), i * 784, (i + 1) * 784))
                    .isEqualTo(PenTraining.pixels(prep, digit, b, 3 * 1_000_003L + i));
        }
        // The page's brush with the digit at 70%: the very picture the server draws from those strokes.
        PenDigits.Placed placed = PenDigits.place(some.getFirst(), new PenDigits.RenderOptions(280, 20, 20, 0.7f, 0.7f), 5);
        assertThat(PenTraining.pixels(prep, some.getFirst(), PenTraining.Brush.PAGE_70, 5))
                .isEqualTo(prep.process(CanvasBrush.render(placed.strokes(), 280, 280)).digitBytes());
    }

    @Test
    void thePenFileIsFoundBesideMnistOrNamedWhenMissing(@TempDir Path empty) {
        Path found = PenTraining.find(DataSource.offline(TestData.root().resolve("mnist")));
        assertThat(found).endsWith(Path.of("pendigits", PenDigits.TRAIN_FILE));
        assertThat(PenTraining.find(DataSource.offline(TestData.root()))).isEqualTo(found);
        assertThatThrownBy(() -> PenTraining.find(DataSource.offline(empty)))
                .isInstanceOf(DataException.class).hasMessageContaining(PenDigits.TRAIN_FILE).hasMessageContaining("beside the MNIST folder");
    }
}
