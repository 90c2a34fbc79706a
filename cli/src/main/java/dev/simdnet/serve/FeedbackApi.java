package dev.simdnet.serve;

import dev.simdnet.data.DigitPreprocessor;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/feedback}: the page's "wrong? it was: ..." control. The drawing, as {@code /api/predict} takes it
 * (strokes with their canvas, a data URL in {@code image}, or a raw PNG or JPEG body with {@code ?label=}), and
 * {@code label}, the digit it really is (a class name of the model, or its index). The drawing goes through the
 * same preprocessing as a prediction, and both pictures go into the {@link CorrectionStore}. A blank drawing is
 * refused (422): there is nothing to learn from.
 */
final class FeedbackApi {
    private final ModelRegistry models;
    private final PredictApi predict;
    private final CorrectionStore store;

    FeedbackApi(ModelRegistry models, PredictApi predict, CorrectionStore store) {
        this.models = models;
        this.predict = predict;
        this.store = store;
    }

    Map<String, Object> feedback(byte[] body, Map<String, String> query) throws InterruptedException, IOException {
        Object label = query.get("label"), model = query.get("model");
        DigitPreprocessor.Result r;
        byte[] original;
        String ext;
        if (body.length == 0) throw ApiException.badRequest("empty body: send JSON with 'label' and 'strokes' (with 'canvas') or 'image'");
        if (Http.looksLikeImage(body)) {
            r = predict.prepare(body);
            original = body;
            ext = body[0] == (byte) 0x89 ? "png" : "jpg";
        } else if (PredictApi.firstNonSpace(body) == '{') {
            Map<String, Object> req = Json.object(body);
            for (String k : req.keySet())
                if (!List.of("label", "strokes", "canvas", "image", "model").contains(k))
                    throw ApiException.badRequest("unknown field '" + Json.clip(k) + "': send label with strokes and canvas, or with image");
            if (req.containsKey("label")) label = req.get("label");
            if (req.containsKey("model")) model = req.get("model");
            boolean hasImage = req.containsKey("image"), hasStrokes = req.containsKey("strokes");
            if (hasImage == hasStrokes)
                throw ApiException.badRequest("send either 'image' (a data URL) or 'strokes' with 'canvas', not " + (hasImage ? "both" : "neither"));
            if (hasImage) {
                original = PredictApi.dataUrl(req.get("image"));
                r = predict.prepare(original);
                ext = original[0] == (byte) 0x89 ? "png" : "jpg";
            } else {
                if (!req.containsKey("canvas")) throw ApiException.badRequest("'strokes' need 'canvas': [width, height] in pixels");
                BufferedImage drawing = predict.drawing(req.get("strokes"), req.get("canvas"));
                r = predict.process(drawing);
                original = CorrectionStore.png(drawing);
                ext = "png";
            }
        } else {
            throw new ApiException(415, "send JSON with 'label' and 'strokes' (with 'canvas') or 'image' (a data URL), or a PNG or JPEG with ?label=");
        }
        if (model != null && !(model instanceof String)) throw ApiException.badRequest("'model' must be a string");
        ServedModel m = model == null ? models.defaultModel() : models.get((String) model);
        String name = labelOf(label, m.classNames());
        if (!r.isDigit()) throw new ApiException(422, "no digit in the drawing (" + r.reason() + "): nothing stored");
        CorrectionStore.Stored s = store.store(name, r.digit(), original, ext);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stored", true);
        out.put("label", name);
        out.put("input", s.input());
        out.put("original", s.original());
        out.put("corrections", store.corrections());
        return out;
    }

    /** The class name a label means: a name of the model's classes, or a class index (a whole number). */
    private static String labelOf(Object label, List<String> classes) {
        if (label == null) throw ApiException.badRequest("'label' is missing: the digit the drawing really is, e.g. \"label\": 7");
        if (label instanceof String s) {
            if (classes.contains(s)) return s;
            throw ApiException.badRequest("'label' " + Json.clip(s) + " is not one of the model's classes " + classes);
        }
        if (label instanceof Number n && Json.isInteger(n)) {
            double i = n.doubleValue();
            if (i >= 0 && i < classes.size()) return classes.get((int) i);
            throw ApiException.badRequest("'label' " + Json.clip(n.toString()) + " is out of range: 0 to " + (classes.size() - 1));
        }
        throw ApiException.badRequest("'label' must be a class name or a whole number, e.g. \"label\": 7");
    }
}
