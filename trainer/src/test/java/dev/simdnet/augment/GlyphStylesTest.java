package dev.simdnet.augment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simdnet.data.DigitPreprocessor;
import dev.simdnet.data.PenDigits;
import dev.simdnet.data.PenTraining;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlyphStylesTest {
    @Test
    void eachStyleIsItsDigitDrawnTheSameForTheSameSeed() {
        List<PenDigits.PenDigit> a = GlyphStyles.generate(20, 5), b = GlyphStyles.generate(20, 5), c = GlyphStyles.generate(20, 6);
        assertThat(a).hasSize(60);
        assertThat(a.stream().map(PenDigits.PenDigit::label).distinct().toList()).containsExactly(1, 7, 4);
        DigitPreprocessor prep = new DigitPreprocessor();
        int same = 0;
        for (int i = 0; i < a.size(); i++) {
            byte[] pa = PenTraining.pixels(prep, a.get(i), PenTraining.Brush.THICK, i);
            assertThat(PenTraining.pixels(prep, b.get(i), PenTraining.Brush.THICK, i)).as("glyph " + i + " again").isEqualTo(pa);
            if (java.util.Arrays.equals(pa, PenTraining.pixels(prep, c.get(i), PenTraining.Brush.THICK, i))) same++;
        }
        assertThat(same).as("another seed draws other glyphs").isZero();
    }

    @Test
    void theStylesHaveTheStrokesTheyAreNamedFor() {
        List<PenDigits.PenDigit> all = GlyphStyles.generate(50, 1);
        for (PenDigits.PenDigit d : all) {
            PenDigits.Stroke first = d.strokes().getFirst();
            switch (d.label()) {
                case 1 -> {
                    // The flag: the stroke starts left of and below its highest point (tablet y points up).
                    int top = 0;
                    for (int i = 1; i < first.size(); i++) if (first.y()[i] > first.y()[top]) top = i;
                    assertThat(top).as("the flag comes before the top").isPositive();
                    // ... and left of the stem (the line from the top to the stem's end), whatever the slant.
                    int end = first.size() - 1;
                    long cross = (long) (first.x()[end] - first.x()[top]) * (first.y()[0] - first.y()[top])
                            - (long) (first.y()[end] - first.y()[top]) * (first.x()[0] - first.x()[top]);
                    assertThat(cross).as("the flag starts left of the stem").isNegative();
                    assertThat(d.strokes().size()).as("the stem, and maybe a foot").isBetween(1, 2);
                }
                case 7 -> assertThat(d.strokes()).as("the 7 and its bar").hasSize(2);
                case 4 -> {
                    // Open: the stem's top is not where the first stroke starts.
                    PenDigits.Stroke stem = d.strokes().get(1);
                    assertThat(Math.abs(stem.x()[0] - first.x()[0])).as("the top stays open").isGreaterThan(40);
                }
                default -> throw new AssertionError("unexpected label " + d.label());
            }
        }
        long footed = all.stream().filter(d -> d.label() == 1 && d.strokes().size() == 2).count();
        assertThat(footed).as("ones with a foot, of 50 (70%)").isBetween(25L, 45L);
    }
}
