package dev.simdnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PenDigitsTest {
    private static List<PenDigits.PenDigit> digits;

    @BeforeAll
    static void load() {
        digits = PenDigits.load(TestData.root().resolve("pendigits").resolve(PenDigits.TRAIN_FILE));
    }

    @Test
    void countsMatchTheReadme() {
        assertThat(digits).hasSize(7494);
        assertThat(PenDigits.classCounts(digits)).containsExactly(780, 779, 780, 719, 780, 720, 720, 778, 719, 719);
        long one = digits.stream().filter(d -> d.strokes().size() == 1).count();
        long two = digits.stream().filter(d -> d.strokes().size() == 2).count();
        long three = digits.stream().filter(d -> d.strokes().size() == 3).count();
        assertThat(new long[] {one, two, three}).containsExactly(5564, 1921, 9);
        PenDigits.PenDigit first = digits.getFirst();
        assertThat(first.label()).isEqualTo(8);
        assertThat(first.writer()).isEqualTo(12);
        assertThat(first.index()).isEqualTo(224);
        assertThat(first.strokes().getFirst().x()[0]).isEqualTo(267);
        assertThat(first.strokes().getFirst().y()[0]).isEqualTo(333);
    }

    @Test
    void renderingPutsDarkInkInsideTheCanvasWithAWhiteBorder() {
        for (int i = 0; i < digits.size(); i += 397) {
            BufferedImage img = PenDigits.render(digits.get(i), PenDigits.RenderOptions.CANVAS_280, i);
            assertThat(img.getWidth()).isEqualTo(280);
            int dark = 0;
            for (int y = 0; y < 280; y++)
                for (int x = 0; x < 280; x++) {
                    int lum = img.getRGB(x, y) & 0xff;
                    boolean border = x == 0 || y == 0 || x == 279 || y == 279;
                    if (border) assertThat(lum).as("border pixel %d,%d of digit %d", x, y, i).isGreaterThan(250);
                    if (lum < 128) dark++;
                }
            assertThat(dark).as("ink pixels of digit %d", i).isBetween(1500, 280 * 280 / 2);
            PenDigits.Placed p = PenDigits.place(digits.get(i), PenDigits.RenderOptions.CANVAS_280, i);
            assertThat(p.brush()).isBetween(15f, 25f);
            for (float[] s : p.strokes())
                for (float v : s) assertThat(v).isBetween(p.brush() / 2 - 1e-3f, 280 - p.brush() / 2 + 1e-3f);
        }
    }

    @Test
    void placementIsSeededAndFlipsY() {
        PenDigits.PenDigit d = digits.getFirst();
        PenDigits.Placed a = PenDigits.place(d, PenDigits.RenderOptions.CANVAS_280, 1);
        PenDigits.Placed b = PenDigits.place(d, PenDigits.RenderOptions.CANVAS_280, 1);
        assertThat(a.strokes().getFirst()).containsExactly(b.strokes().getFirst());
        assertThat(PenDigits.place(d, PenDigits.RenderOptions.CANVAS_280, 2).strokes().getFirst())
                .isNotEqualTo(a.strokes().getFirst());
        // The 8 starts at its top (tablet y 333) and soon reaches its bottom (y 152): on the canvas y grows.
        float[] s = a.strokes().getFirst();
        int lowest = 0;
        for (int i = 0; i < d.strokes().getFirst().size(); i++) if (d.strokes().getFirst().y()[i] == 152) lowest = i;
        assertThat(s[2 * lowest + 1]).isGreaterThan(s[1]);
    }

    @Test
    void renderedDigitsSurviveThePreprocessor() {
        DigitPreprocessor pre = new DigitPreprocessor();
        for (int i = 0; i < digits.size(); i += 751)
            assertThat(pre.process(PenDigits.render(digits.get(i), PenDigits.RenderOptions.CANVAS_280, i)).isDigit()).isTrue();
    }

    @Test
    void malformedTextIsReported() {
        assertThatThrownBy(() -> PenDigits.parse(".SEGMENT DIGIT 0 ? \"3\"\n.COMMENT 3 1 0\n 1 2\n", "t"))
                .hasMessageContaining("t line 3: a point outside .PEN_DOWN/.PEN_UP");
        assertThatThrownBy(() -> PenDigits.parse(".SEGMENT DIGIT 0 ? \"3\"\n.COMMENT 3 1 0\n.PEN_DOWN\n 1 2\n", "t"))
                .hasMessageContaining("ends inside a stroke");
        List<PenDigits.PenDigit> one = PenDigits.parse(".SEGMENT DIGIT 0 ? \"3\"\n.COMMENT 3 1 0\n.PEN_DOWN\n 1 2\n.PEN_UP\n", "t");
        assertThat(one).hasSize(1);
        assertThat(PenDigits.render(one.getFirst(), PenDigits.RenderOptions.CANVAS_280, 0).getRGB(0, 0) & 0xff).isEqualTo(255);
    }
}
