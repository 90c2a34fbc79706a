package dev.simdnet.serve;

import dev.simdnet.data.DigitPreprocessor;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /api/predict}: a PNG or JPEG (raw body, or a data URL in {@code {"image": ...}}) or strokes
 * ({@code {"strokes": [[[x, y], ...], ...], "canvas": [w, h]}}) through MNIST's preprocessing
 * ({@link DigitPreprocessor}) and the model. Options in the JSON body or the query string: {@code model} (a name),
 * {@code features} (true: also the conv feature maps).
 */
final class PredictApi {
    private final ModelRegistry models;
    private final Limits limits;
    private final DigitPreprocessor prep = new DigitPreprocessor();
    /**
     * Pixels being decoded and preprocessed at once, at most one largest image's worth: a picture costs about
     * 10 bytes a pixel while it is prepared, so concurrent large uploads queue here instead of exhausting the heap.
     */
    private final Semaphore pixelBudget;
    private final int budget;

    PredictApi(ModelRegistry models, Limits limits) {
        this.models = models;
        this.limits = limits;
        this.budget = (int) Math.min(Integer.MAX_VALUE, (long) limits.maxImageSide() * limits.maxImageSide());
        this.pixelBudget = new Semaphore(budget, true);
    }

    Map<String, Object> predict(byte[] body, Map<String, String> query) throws InterruptedException {
        String modelName = query.get("model");
        boolean features = "1".equals(query.get("features")) || "true".equals(query.get("features"));
        DigitPreprocessor.Result r;
        if (Http.looksLikeImage(body)) {
            r = prepare(body);
        } else if (firstNonSpace(body) == '{') {
            Map<String, Object> req = Json.object(body);
            Object m = req.get("model");
            if (m != null) {
                if (!(m instanceof String s)) throw ApiException.badRequest("'model' must be a string");
                modelName = s;
            }
            Object f = req.get("features");
            if (f != null) {
                if (!(f instanceof Boolean b)) throw ApiException.badRequest("'features' must be true or false");
                features = b;
            }
            boolean hasImage = req.containsKey("image"), hasStrokes = req.containsKey("strokes");
            if (hasImage == hasStrokes)
                throw ApiException.badRequest("send either 'image' (a data URL) or 'strokes' with 'canvas', not " + (hasImage ? "both" : "neither"));
            r = hasImage ? prepare(dataUrl(req.get("image"))) : strokes(req.get("strokes"), req.get("canvas"));
        } else {
            throw new ApiException(415, "send a PNG or JPEG image, or JSON with 'image' (a data URL) or 'strokes'");
        }
        ServedModel model = modelName == null ? models.defaultModel() : models.get(modelName);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model.info().name());
        if (!r.isDigit()) {
            out.put("digit", null);
            out.put("reason", "no digit");
            out.put("detail", r.reason());
            return out;
        }
        float[] probs;
        List<Map<String, Object>> maps = null;
        if (features) {
            ServedModel.Analysis a = model.analyze(r.digit());
            probs = a.probabilities();
            maps = new ArrayList<>();
            for (ServedModel.FeatureMap fm : a.featureMaps()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("layer", fm.layer());
                m.put("height", fm.height());
                m.put("width", fm.width());
                m.put("channels", fm.channels());
                m.put("data", Base64.getEncoder().encodeToString(fm.pixels())); // uint8, (channels, height, width)
                maps.add(m);
            }
        } else {
            probs = model.probabilities(r.digit(), 1);
        }
        int best = 0;
        for (int i = 1; i < probs.length; i++) if (probs[i] > probs[best]) best = i;
        // Under the calibrated threshold the answer is "not sure": "digit" keeps the top guess, "sure" says so.
        int second = best == 0 ? 1 : 0;
        for (int i = 0; i < probs.length; i++) if (i != best && probs[i] > probs[second]) second = i;
        out.put("digit", best);
        out.put("class", model.classNames().get(best));
        out.put("sure", model.calibration().sure(probs[best]));
        out.put("second", second);
        out.put("probabilities", probs);
        out.put("input", r.digit());
        if (maps != null) out.put("features", maps);
        return out;
    }

    static int firstNonSpace(byte[] b) {
        for (byte x : b) if (!Character.isWhitespace(x)) return x;
        return -1;
    }

    static byte[] dataUrl(Object v) {
        if (!(v instanceof String s)) throw ApiException.badRequest("'image' must be a data URL string: data:image/png;base64,...");
        int comma = s.indexOf(',');
        String head = comma < 0 ? "" : s.substring(0, comma);
        if (!(head.equals("data:image/png;base64") || head.equals("data:image/jpeg;base64")))
            throw ApiException.badRequest("'image' must be a data URL of a PNG or JPEG: data:image/png;base64,... or data:image/jpeg;base64,...");
        try {
            return Base64.getMimeDecoder().decode(s.substring(comma + 1));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'image' is not valid base64: " + e.getMessage());
        }
    }

    /**
     * Decodes a PNG or JPEG after checking its size from the header, so a huge image is never decoded. (Not
     * DigitPreprocessor.readImage(InputStream): ImageIO.read closes the stream it is given, and closing it again
     * there fails with "closed".)
     */
    DigitPreprocessor.Result prepare(byte[] bytes) throws InterruptedException {
        if (!Http.looksLikeImage(bytes)) throw new ApiException(415, "the image must be a PNG or a JPEG");
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw ApiException.badRequest("the image cannot be read (not a PNG or JPEG)");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0), h = reader.getHeight(0);
                if (w < 1 || h < 1 || w > limits.maxImageSide() || h > limits.maxImageSide())
                    throw new ApiException(413, "image is " + w + "x" + h + " pixels: the limit is " + limits.maxImageSide() + " on each side");
                int permits = (int) Math.min(budget, (long) w * h);
                pixelBudget.acquire(permits);
                try {
                    BufferedImage img = reader.read(0);
                    if (img == null) throw ApiException.badRequest("the image cannot be read");
                    return prep.process(img);
                } finally {
                    pixelBudget.release(permits);
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException a) throw a;
            throw ApiException.badRequest("the image cannot be read: " + e.getMessage());
        }
    }

    private DigitPreprocessor.Result strokes(Object strokesValue, Object canvasValue) throws InterruptedException {
        return process(drawing(strokesValue, canvasValue));
    }

    /** The preprocessing of a drawing already rendered, within the pixel budget. */
    DigitPreprocessor.Result process(BufferedImage drawing) throws InterruptedException {
        int permits = (int) Math.min(budget, (long) drawing.getWidth() * drawing.getHeight());
        pixelBudget.acquire(permits);
        try {
            return prep.process(drawing);
        } finally {
            pixelBudget.release(permits);
        }
    }

    /** Strokes and canvas checked against the limits and drawn as the page draws them (StrokeRenderer). */
    BufferedImage drawing(Object strokesValue, Object canvasValue) throws InterruptedException {
        List<?> canvas = Json.list(canvasValue, "'canvas' ([width, height] in pixels)");
        if (canvas.size() != 2 || !(canvas.get(0) instanceof Number cw) || !(canvas.get(1) instanceof Number ch)
                || !Json.isInteger(cw) || !Json.isInteger(ch))
            throw ApiException.badRequest("'canvas' must be [width, height], two whole numbers of pixels");
        long w = cw.longValue(), h = ch.longValue();
        if (w < 1 || h < 1 || w > limits.maxCanvasSide() || h > limits.maxCanvasSide())
            throw ApiException.badRequest("canvas " + w + "x" + h + " is out of range: 1 to " + limits.maxCanvasSide() + " pixels on each side");
        List<?> list = Json.list(strokesValue, "'strokes'");
        if (list.size() > limits.maxStrokes())
            throw new ApiException(413, list.size() + " strokes: the limit is " + limits.maxStrokes());
        List<StrokeRenderer.Stroke> strokes = new ArrayList<>(list.size());
        int total = 0;
        for (int s = 0; s < list.size(); s++) {
            List<?> pts = Json.list(list.get(s), "'strokes[" + s + "]'");
            if (pts.isEmpty()) continue;
            total += pts.size();
            if (total > limits.maxPoints())
                throw new ApiException(413, "more than " + limits.maxPoints() + " points in the drawing");
            float[] xs = new float[pts.size()], ys = new float[pts.size()];
            for (int i = 0; i < pts.size(); i++) {
                if (!(pts.get(i) instanceof List<?> p) || p.size() != 2 || !(p.get(0) instanceof Number x) || !(p.get(1) instanceof Number y))
                    throw ApiException.badRequest("'strokes[" + s + "][" + i + "]' must be a point [x, y]");
                double dx = x.doubleValue(), dy = y.doubleValue();
                if (!Double.isFinite(dx) || !Double.isFinite(dy))
                    throw ApiException.badRequest("'strokes[" + s + "][" + i + "]' is not finite");
                // Far outside the canvas is drawn nowhere; clamping keeps Java2D away from huge coordinates.
                xs[i] = (float) Math.clamp(dx, -w, 2.0 * w);
                ys[i] = (float) Math.clamp(dy, -h, 2.0 * h);
            }
            strokes.add(new StrokeRenderer.Stroke(xs, ys));
        }
        int permits = (int) Math.min(budget, w * h);
        pixelBudget.acquire(permits);
        try {
            return StrokeRenderer.render(strokes, (int) w, (int) h);
        } finally {
            pixelBudget.release(permits);
        }
    }
}
