package dev.simdnet.web;

import dev.simdnet.data.DigitPreprocessor;
import dev.simdnet.data.PenDigits;
import dev.simdnet.serve.PenDigitReplay;
import dev.simdnet.serve.StrokeRenderer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.chrome.ChromeDriver;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web app's preprocess.js against the trainer's DigitPreprocessor on the same pictures, in headless Chromium:
 * the same 28x28 bytes, exactly, or the same "no digit" reason. Pen digits rendered as the server renders strokes,
 * on square and oblong canvases, light ink on dark, in colour, as transparency; and pictures that reach each
 * "no digit" branch.
 */
class WebPreprocessTest {
    @TempDir
    static Path dir;
    static ChromeDriver driver;

    @BeforeAll
    static void start() throws IOException {
        driver = Chromium.start(dir);
        driver.get("about:blank");
        String source;
        try (InputStream in = WebPreprocessTest.class.getResourceAsStream(WebApp.PAGE + "preprocess.js")) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        driver.executeScript(source);
    }

    @AfterAll
    static void stop() {
        if (driver != null) driver.quit();
    }

    /** The picture as RGBA bytes, as a canvas' getImageData gives them: a grey picture's levels as they are stored. */
    static byte[] rgba(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        byte[] out = new byte[4 * w * h];
        if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < w * h; i++) {
                out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = px[i];
                out[4 * i + 3] = (byte) 255;
            }
            return out;
        }
        for (int y = 0, i = 0; y < h; y++)
            for (int x = 0; x < w; x++, i++) {
                int p = img.getRGB(x, y);
                out[4 * i] = (byte) (p >> 16);
                out[4 * i + 1] = (byte) (p >> 8);
                out[4 * i + 2] = (byte) p;
                out[4 * i + 3] = (byte) (p >>> 24);
            }
        return out;
    }

    /** preprocess.js on the picture: the 28x28 bytes, or the reason there is no digit. */
    String inBrowser(BufferedImage img) {
        Object r = driver.executeScript("""
                const [w, h, b64] = arguments;
                const bin = atob(b64), px = new Uint8ClampedArray(bin.length);
                for (let i = 0; i < bin.length; i++) px[i] = bin.charCodeAt(i);
                const r = DigitPreprocessor.process(w, h, px);
                return r.digit ? 'digit ' + btoa(String.fromCharCode(...r.digit)) : r.reason;
                """, img.getWidth(), img.getHeight(), Base64.getEncoder().encodeToString(rgba(img)));
        return String.valueOf(r);
    }

    static String inJava(BufferedImage img) {
        DigitPreprocessor.Result r = new DigitPreprocessor().process(img);
        return r.isDigit() ? "digit " + Base64.getEncoder().encodeToString(r.digitBytes()) : r.reason();
    }

    static List<StrokeRenderer.Stroke> strokes(double[][][] drawing, double dx, double dy) {
        List<StrokeRenderer.Stroke> out = new ArrayList<>();
        for (double[][] s : drawing) {
            float[] xs = new float[s.length], ys = new float[s.length];
            for (int i = 0; i < s.length; i++) {
                xs[i] = (float) (s[i][0] + dx);
                ys[i] = (float) (s[i][1] + dy);
            }
            out.add(new StrokeRenderer.Stroke(xs, ys));
        }
        return out;
    }

    /** A grey picture recoloured: ink {@code ink} on {@code paper}, blended by the grey level; or ink as alpha over nothing. */
    static BufferedImage recolour(BufferedImage grey, Color ink, Color paper, boolean alpha) {
        int w = grey.getWidth(), h = grey.getHeight();
        BufferedImage out = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        byte[] px = ((DataBufferByte) grey.getRaster().getDataBuffer()).getData();
        for (int y = 0, i = 0; y < h; y++)
            for (int x = 0; x < w; x++, i++) {
                double t = 1 - (px[i] & 0xff) / 255.0; // 1 where the ink is
                if (alpha) out.setRGB(x, y, ((int) Math.round(255 * t) << 24) | (ink.getRGB() & 0xffffff));
                else out.setRGB(x, y, new Color(mix(paper.getRed(), ink.getRed(), t), mix(paper.getGreen(), ink.getGreen(), t),
                        mix(paper.getBlue(), ink.getBlue(), t)).getRGB());
            }
        return out;
    }

    static int mix(int a, int b, double t) {
        return (int) Math.round(a + (b - a) * t);
    }

    @Test
    void penDigitsGiveTheSameBytes() {
        Path file = Path.of(System.getProperty("simdnet.test.data", "../../shared/data"), "pendigits", "pendigits-train.unipen");
        List<PenDigits.PenDigit> digits = PenDigitReplay.spread(PenDigits.load(file), 5); // 50 digits, many writers
        int compared = 0;
        for (int k = 0; k < digits.size(); k++) {
            PenDigits.PenDigit d = digits.get(k);
            BufferedImage img = switch (k % 5) {
                // the page's canvas, square
                case 0, 1 -> StrokeRenderer.render(strokes(PenDigitReplay.onCanvas(d, 280), 0, 0), 280, 280);
                // an oblong canvas, the digit off-centre
                case 2 -> StrokeRenderer.render(strokes(PenDigitReplay.onCanvas(d, 180), 70, 10), 320, 200);
                // light on dark, in colour (luminance, then the polarity test)
                case 3 -> recolour(StrokeRenderer.render(strokes(PenDigitReplay.onCanvas(d, 280), 0, 0), 280, 280),
                        new Color(250, 240, 120), new Color(20, 30, 90), false);
                // ink as transparency (alpha is the ink)
                default -> recolour(StrokeRenderer.render(strokes(PenDigitReplay.onCanvas(d, 200), 0, 0), 200, 200),
                        new Color(10, 10, 10), null, true);
            };
            String java = inJava(img);
            assertThat(java).as("digit %d (%d, writer %d)", k, d.label(), d.writer()).startsWith("digit ");
            assertThat(inBrowser(img)).as("digit %d (%d, writer %d), case %d", k, d.label(), d.writer(), k % 5).isEqualTo(java);
            compared++;
        }
        assertThat(compared).isEqualTo(50);
    }

    @Test
    void picturesWithoutADigitGetTheSameReason() {
        Map<String, BufferedImage> cases = new java.util.LinkedHashMap<>();
        cases.put("blank", paper(280, 280));
        BufferedImage dot = paper(280, 280);
        fill(dot, 140, 140, 2, 2);
        cases.put("too little ink", dot);
        BufferedImage slab = paper(280, 280);
        fill(slab, 20, 20, 240, 240);
        cases.put("too much ink", slab);
        BufferedImage frame = paper(280, 280);
        fill(frame, 0, 0, 280, 3); // the top edge and half the left one: 37% of the ring, little ink in all
        fill(frame, 0, 0, 3, 140);
        fill(frame, 100, 100, 40, 60);
        cases.put("border", frame);
        BufferedImage noise = new BufferedImage(120, 90, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < 90; y++)
            for (int x = 0; x < 120; x++) noise.setRGB(x, y, random.nextInt(0x1000000));
        cases.put("noise", noise);
        for (var c : cases.entrySet()) {
            String java = inJava(c.getValue());
            assertThat(java).as(c.getKey()).startsWith("no digit");
            assertThat(inBrowser(c.getValue())).as(c.getKey()).isEqualTo(java);
        }
        assertThat(cases.values().stream().map(WebPreprocessTest::inJava).distinct().count())
                .as("each picture takes another branch").isGreaterThanOrEqualTo(4);
    }

    static BufferedImage paper(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    static void fill(BufferedImage img, int x, int y, int w, int h) {
        Graphics2D g = img.createGraphics();
        g.setColor(Color.BLACK);
        g.fillRect(x, y, w, h);
        g.dispose();
    }
}
