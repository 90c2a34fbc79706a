package dev.simdnet.serve;

import dev.simdnet.data.PenDigits;

import dev.simdnet.model.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.PointerInput;
import org.openqa.selenium.interactions.Sequence;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The page in real headless Chromium (Debian's chromium and chromium-driver, named explicitly: nothing is
 * downloaded), driven by Selenium: real pen-written digits replayed as pointer events, blank, clear, undo, touch.
 */
class BrowserTest {
    static final String CHROMIUM = "/usr/bin/chromium", CHROMEDRIVER = "/usr/bin/chromedriver";
    static final String BUNDLED = "/dev/simdnet/model/digits.safetensors";
    static final int CANVAS = 280;

    @TempDir
    static Path dir;
    static Server server;
    static ChromeDriver driver;
    /** Whether the first served model is the bundled default (a trained model, so accuracy means something). */
    static boolean trained;

    @BeforeAll
    static void start() throws Exception {
        // Selenium warns that it has no DevTools bindings for this Chromium version; the tests use none.
        java.util.logging.Logger.getLogger("org.openqa.selenium.devtools").setLevel(java.util.logging.Level.SEVERE);
        java.util.logging.Logger.getLogger("org.openqa.selenium.chromium").setLevel(java.util.logging.Level.SEVERE);
        assumeTrue(Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER)),
                "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)");
        List<ServedModel> models = new ArrayList<>();
        // The accuracy test needs the trained default model from the jar; -Dsimdnet.serve.testModel=FILE (or
        // $SIMDNET_SERVE_TEST_MODEL) stands in for it.
        String override = System.getProperty("simdnet.serve.testModel", System.getenv("SIMDNET_SERVE_TEST_MODEL"));
        if (override != null && !override.isBlank()) {
            Path f = Path.of(override);
            models.add(TestModels.served("default", f, 2));
            trained = true;
        } else if (BrowserTest.class.getResource(BUNDLED) != null) {
            models.add(new ServedModel("default", Model::bundled, 0, 2, "auto"));
            trained = true;
        }
        Path tiny = TestModels.untrained(dir, "tiny", 3), strict = dir.resolve("strict.safetensors");
        models.add(TestModels.served("tiny", tiny, 1));
        // Calibrated with a threshold no untrained answer reaches: every answer of this model is "not sure".
        Model.load(tiny).withCalibration(new dev.simdnet.model.Calibration(1.5, 0.999, 0.995, "a test", 10)).save(strict);
        models.add(TestModels.served("strict", strict, 1));
        server = Server.start(new ModelRegistry(models), "127.0.0.1", 0, Limits.DEFAULT, "test", line -> {},
                new CorrectionStore(dir.resolve("corrections"), CorrectionStore.Bounds.DEFAULT));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1000,1100", "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (driver != null) driver.quit();
        if (server != null) server.close();
    }

    @BeforeEach
    void open() {
        driver.get(server.address().toString());
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    }

    JavascriptExecutor js() { return driver; }

    /** Waits until the page shows the answer for its current drawing; returns the shown digit or "none". */
    String settled() {
        WebElement pad = driver.findElement(By.id("pad")), result = driver.findElement(By.id("result"));
        new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(10))
                .until(d -> String.valueOf(js().executeScript("return document.getElementById('pad').dataset.version"))
                        .equals(result.getDomAttribute("data-version")));
        return result.getDomAttribute("data-digit");
    }

    String guessText() {
        return driver.findElement(By.id("guess")).getText();
    }

    /**
     * Replays digits as pointer events in the page (one script per batch, so 300 digits take seconds): for each,
     * clear, pen down/move/up along each stroke, wait for the answer to this drawing, read the shown digit.
     */
    @SuppressWarnings("unchecked")
    List<String> replay(List<double[][][]> drawings) {
        String script = """
                const [drawings, done] = arguments;
                const pad = document.getElementById('pad'), result = document.getElementById('result');
                const rect = pad.getBoundingClientRect();
                const at = (p) => ({clientX: rect.left + p[0] * rect.width / pad.width, clientY: rect.top + p[1] * rect.height / pad.height});
                const fire = (type, p) => pad.dispatchEvent(new PointerEvent(type, Object.assign({pointerId: 7, pointerType: 'pen',
                    isPrimary: true, bubbles: true, cancelable: true, button: type === 'pointermove' ? -1 : 0,
                    buttons: type === 'pointerup' ? 0 : 1, pressure: type === 'pointerup' ? 0 : 0.5}, at(p))));
                const settled = () => new Promise((resolve) => {
                    const check = () => result.dataset.version === pad.dataset.version ? resolve(result.dataset.digit) : setTimeout(check, 2);
                    check();
                });
                (async () => {
                    const out = [];
                    for (const strokes of drawings) {
                        document.getElementById('clear').click();
                        for (const s of strokes) {
                            fire('pointerdown', s[0]);
                            for (let i = 1; i < s.length; i++) fire('pointermove', s[i]);
                            fire('pointerup', s[s.length - 1]);
                        }
                        out.push(await settled());
                    }
                    done(out);
                })();
                """;
        return (List<String>) js().executeAsyncScript(script, drawings);
    }

    @Test
    void readsRealPenWrittenDigits() throws Exception {
        assumeTrue(trained, "the accuracy test needs the bundled default model (" + BUNDLED + ") or -Dsimdnet.serve.testModel");
        Path file = Path.of(System.getProperty("simdnet.test.data", "../../shared/data"), "pendigits", "pendigits-train.unipen");
        List<PenDigits.PenDigit> digits = PenDigitReplay.spread(PenDigits.load(file), 31); // 310 digits, 31 of each class
        List<String> shown = new ArrayList<>();
        for (int from = 0; from < digits.size(); from += 62) {
            List<double[][][]> batch = digits.subList(from, Math.min(digits.size(), from + 62)).stream().map(d -> PenDigitReplay.onCanvas(d, CANVAS)).toList();
            shown.addAll(replay(batch));
        }
        int correct = 0;
        int[] wrongByClass = new int[10];
        for (int i = 0; i < digits.size(); i++) {
            if (shown.get(i).equals(Integer.toString(digits.get(i).label()))) correct++;
            else wrongByClass[digits.get(i).label()]++;
        }
        double accuracy = (double) correct / digits.size();
        assertThat(digits).hasSize(310);
        assertThat(accuracy).as("%d of %d right; wrong by class %s", correct, digits.size(), java.util.Arrays.toString(wrongByClass))
                .isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void aBlankCanvasShowsNoDigit() {
        assertThat(guessText()).isEqualTo("no digit");
        assertThat(settled()).isEqualTo("none");
        // Drawn, then cleared: no digit again.
        List<double[][][]> one = new ArrayList<>();
        one.add(new double[][][] {SEVEN_TOP, SEVEN_LEG});
        assertThat(replay(one).getFirst()).matches("[0-9]");
        driver.findElement(By.id("clear")).click();
        assertThat(settled()).isEqualTo("none");
        assertThat(guessText()).isEqualTo("no digit");
    }

    /** Draws with the real input pipeline (WebDriver actions) in canvas pixels. */
    void draw(PointerInput.Kind kind, double[][] stroke) {
        WebElement pad = driver.findElement(By.id("pad"));
        Map<?, ?> rect = (Map<?, ?>) js().executeScript("const r = arguments[0].getBoundingClientRect(); return {w: r.width, h: r.height};", pad);
        double w = ((Number) rect.get("w")).doubleValue(), h = ((Number) rect.get("h")).doubleValue();
        PointerInput finger = new PointerInput(kind, kind.name().toLowerCase());
        Sequence seq = new Sequence(finger, 0);
        for (int i = 0; i < stroke.length; i++) {
            int ox = (int) Math.round((stroke[i][0] / CANVAS - 0.5) * w), oy = (int) Math.round((stroke[i][1] / CANVAS - 0.5) * h);
            seq.addAction(finger.createPointerMove(Duration.ofMillis(i == 0 ? 0 : 8), PointerInput.Origin.fromElement(pad), ox, oy));
            if (i == 0) seq.addAction(finger.createPointerDown(PointerInput.MouseButton.LEFT.asArg()));
        }
        seq.addAction(finger.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
        driver.perform(List.of(seq));
    }

    static final double[][] SEVEN_TOP = {{70, 60}, {110, 58}, {150, 58}, {200, 60}};
    static final double[][] SEVEN_LEG = {{200, 62}, {180, 110}, {160, 160}, {140, 225}};

    String previewPixels() {
        return String.valueOf(js().executeScript(
                "return Array.from(document.getElementById('preview').getContext('2d').getImageData(0, 0, 28, 28).data).join(',')"));
    }

    @Test
    void mouseDrawingClearAndUndoWork() {
        draw(PointerInput.Kind.MOUSE, SEVEN_TOP);
        assertThat(settled()).isNotEqualTo("none");
        String oneStroke = previewPixels();
        draw(PointerInput.Kind.MOUSE, SEVEN_LEG);
        settled();
        assertThat(driver.findElement(By.id("pad")).getDomAttribute("data-strokes")).isEqualTo("2");
        assertThat(previewPixels()).isNotEqualTo(oneStroke);

        driver.findElement(By.id("undo")).click(); // back to the first stroke: the same input as before
        settled();
        assertThat(driver.findElement(By.id("pad")).getDomAttribute("data-strokes")).isEqualTo("1");
        assertThat(previewPixels()).isEqualTo(oneStroke);

        draw(PointerInput.Kind.MOUSE, SEVEN_LEG);
        settled();
        new Actions(driver).keyDown(Keys.CONTROL).sendKeys("z").keyUp(Keys.CONTROL).perform(); // Ctrl+Z undoes too
        settled();
        assertThat(driver.findElement(By.id("pad")).getDomAttribute("data-strokes")).isEqualTo("1");
        assertThat(previewPixels()).isEqualTo(oneStroke);

        driver.findElement(By.id("clear")).click();
        assertThat(settled()).isEqualTo("none");
        assertThat(guessText()).isEqualTo("no digit");
        assertThat(driver.findElement(By.id("pad")).getDomAttribute("data-strokes")).isEqualTo("0");

        draw(PointerInput.Kind.MOUSE, SEVEN_TOP);
        assertThat(settled()).isNotEqualTo("none");
        new Actions(driver).sendKeys(Keys.ESCAPE).perform(); // Esc clears
        assertThat(settled()).isEqualTo("none");
    }

    @Test
    void touchDrawsWithoutScrollingThePage() {
        draw(PointerInput.Kind.TOUCH, SEVEN_TOP);
        draw(PointerInput.Kind.TOUCH, SEVEN_LEG);
        String digit = settled();
        assertThat(digit).matches("[0-9]");
        assertThat(guessText()).matches("[0-9]( or [0-9]\\?)?"); // "7", or "7 or 1?" when a calibrated model is not sure
        assertThat(driver.findElement(By.id("pad")).getDomAttribute("data-strokes")).isEqualTo("2");
        assertThat(((Number) js().executeScript("return window.scrollY")).doubleValue()).isZero();
        if (trained) assertThat(digit).isEqualTo("7");
    }

    @Test
    void theModelPickerSwitchesModels() {
        List<WebElement> options = driver.findElements(By.cssSelector("#model option"));
        assertThat(options).hasSizeGreaterThanOrEqualTo(1);
        assertThat(driver.findElement(By.id("model-info")).getText()).contains("parameters");
        if (options.size() < 2) return;
        draw(PointerInput.Kind.MOUSE, SEVEN_TOP);
        settled();
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("model"))).selectByValue("tiny");
        settled();
        assertThat(driver.findElement(By.id("model-info")).getText()).contains("fast");
        assertThat(guessText()).matches("[0-9]");
    }

    @Test
    void notSureIsShownPlainlyAndAWrongAnswerCanBeCorrected() throws Exception {
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("model"))).selectByValue("strict");
        WebElement fix = driver.findElement(By.id("fix"));
        assertThat(fix.isDisplayed()).as("no answer yet: nothing to correct").isFalse();
        draw(PointerInput.Kind.MOUSE, SEVEN_TOP);
        draw(PointerInput.Kind.MOUSE, SEVEN_LEG);
        String digit = settled();
        assertThat(digit).matches("[0-9]");
        WebElement result = driver.findElement(By.id("result"));
        assertThat(result.getDomAttribute("data-sure")).isEqualTo("false");
        assertThat(guessText()).matches(digit + " or [0-9]\\?");
        assertThat(driver.findElement(By.id("confidence")).getText()).startsWith("Not sure:");

        // "Wrong? It was: 7": the drawing is kept under 7.
        assertThat(fix.isDisplayed()).isTrue();
        assertThat(fix.getText()).contains("Wrong? It was:");
        driver.findElement(By.cssSelector("#fix-digits button[data-label='7']")).click();
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> fix.getDomAttribute("data-saved") != null);
        assertThat(fix.getDomAttribute("data-saved")).isEqualTo("7");
        assertThat(driver.findElement(By.id("fix-status")).getText()).contains("Kept as a 7");
        try (var files = Files.list(dir.resolve("corrections/train/7"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".png")).count()).isGreaterThanOrEqualTo(1);
        }

        // Blank again: "no digit", and no control.
        driver.findElement(By.id("clear")).click();
        assertThat(settled()).isEqualTo("none");
        assertThat(guessText()).isEqualTo("no digit");
        assertThat(fix.isDisplayed()).isFalse();

        // A sure model shows the digit alone.
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("model"))).selectByValue("tiny");
        draw(PointerInput.Kind.MOUSE, SEVEN_TOP);
        String plain = settled();
        assertThat(result.getDomAttribute("data-sure")).isEqualTo("true");
        assertThat(guessText()).isEqualTo(plain);
    }
}
