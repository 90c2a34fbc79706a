package dev.simdnet.serve;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.data.DigitPreprocessor;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol (KServe V2 REST) for digit models: one input tensor of FP32 pixels in [0, 1] or
 * UINT8 pixels 0..255, shaped {@code [N, 1, 28, 28]} or {@code [N, 784]}, MNIST polarity, already 28x28;
 * one output, the {@code [N, 10]} FP32 probabilities.
 */
final class InferenceProtocol {
    static final int PIXELS = DigitPreprocessor.SIDE * DigitPreprocessor.SIDE;
    static final String OUTPUT = "probabilities";

    private InferenceProtocol() {}

    /** A parsed request: {@code count} images as [0, 1] floats, and the request's id (or null). */
    record Request(String id, float[] pixels, int count) {}

    /** {@code GET /v2/models/{name}}. */
    static Map<String, Object> metadata(ServedModel m) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", m.info().name());
        r.put("versions", List.of("1"));
        r.put("platform", "simdnet");
        r.put("inputs", List.of(Map.of("name", "input", "datatype", "FP32", "shape", List.of(-1, 1, DigitPreprocessor.SIDE, DigitPreprocessor.SIDE))));
        r.put("outputs", List.of(Map.of("name", OUTPUT, "datatype", "FP32", "shape", List.of(-1, m.classes()))));
        return r;
    }

    static Request parse(byte[] body, Limits limits) {
        Map<String, Object> root = Json.object(body);
        Object idValue = root.get("id");
        if (idValue != null && !(idValue instanceof String)) throw ApiException.badRequest("'id' must be a string");
        List<?> inputs = Json.list(root.get("inputs"), "'inputs'");
        if (inputs.size() != 1)
            throw ApiException.badRequest("'inputs' must hold exactly one tensor (the images), got " + inputs.size());
        if (!(inputs.getFirst() instanceof Map<?, ?> input)) throw ApiException.badRequest("'inputs[0]' must be an object");

        Object dt = input.get("datatype");
        if (!(dt instanceof String datatype)) throw ApiException.badRequest("'inputs[0].datatype' must be a string: FP32 or UINT8");
        boolean uint8 = switch (datatype) {
            case "FP32" -> false;
            case "UINT8" -> true;
            default -> throw ApiException.badRequest("unsupported datatype '" + Json.clip(datatype) + "': use FP32 (pixels in [0, 1]) or UINT8 (0 to 255)");
        };
        int count = batchSize(Json.list(input.get("shape"), "'inputs[0].shape'"), limits);

        float[] px = new float[count * PIXELS];
        int n = flatten(input.get("data"), px, 0, uint8, 0);
        if (n != px.length)
            throw ApiException.badRequest("'inputs[0].data' holds " + n + " values but the shape needs " + px.length);
        return new Request((String) idValue, px, count);
    }

    /** N of a shape [N, 1, 28, 28] or [N, 784]. */
    private static int batchSize(List<?> shape, Limits limits) {
        long[] s = new long[shape.size()];
        for (int i = 0; i < s.length; i++) {
            if (!(shape.get(i) instanceof Number num) || !Json.isInteger(num))
                throw ApiException.badRequest("'inputs[0].shape' must be whole numbers, got " + Json.clip(shape.toString()));
            s[i] = num.longValue();
        }
        boolean image = s.length == 4 && s[1] == 1 && s[2] == DigitPreprocessor.SIDE && s[3] == DigitPreprocessor.SIDE;
        boolean flat = s.length == 2 && s[1] == PIXELS;
        if (!image && !flat)
            throw ApiException.badRequest("unsupported shape " + Json.clip(shape.toString()) + ": use [N, 1, 28, 28] or [N, 784] (28x28 images)");
        if (s[0] < 1 || s[0] > limits.maxBatch())
            throw ApiException.badRequest("batch size " + s[0] + " is out of range: 1 to " + limits.maxBatch() + " images per request");
        return (int) s[0];
    }

    /** Copies the (possibly nested) list {@code data} into {@code out} from {@code at}; returns the new position. */
    private static int flatten(Object data, float[] out, int at, boolean uint8, int depth) {
        if (!(data instanceof List<?> list))
            throw ApiException.badRequest("'inputs[0].data' must be an array of numbers");
        if (depth > 4) throw ApiException.badRequest("'inputs[0].data' is nested too deeply");
        for (Object v : list) {
            if (v instanceof List<?>) {
                at = flatten(v, out, at, uint8, depth + 1);
                continue;
            }
            if (!(v instanceof Number num)) throw ApiException.badRequest("'inputs[0].data' must hold only numbers, found " + Json.clip(String.valueOf(v)));
            if (at >= out.length) { // too many values: count them for the caller's message
                at++;
                continue;
            }
            double d = num.doubleValue();
            if (!Double.isFinite(d)) throw ApiException.badRequest("'inputs[0].data' holds a value that is not finite (NaN or infinite) at index " + at);
            if (uint8) {
                if (!Json.isInteger(num) || d < 0 || d > 255)
                    throw ApiException.badRequest("UINT8 pixels must be whole numbers from 0 to 255, got " + num + " at index " + at);
                out[at++] = (float) (d / 255.0);
            } else {
                if (d < 0 || d > 1)
                    throw ApiException.badRequest("FP32 pixels must be in [0, 1] (white ink on black), got " + num + " at index " + at);
                out[at++] = (float) d;
            }
        }
        return at;
    }

    /** The answer to a request, {@code probs} being {@code (count, classes)}. */
    static Map<String, Object> answer(ServedModel m, Request req, float[] probs) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", OUTPUT);
        out.put("shape", List.of(req.count(), m.classes()));
        out.put("datatype", "FP32");
        out.put("data", probs);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model_name", m.info().name());
        r.put("model_version", "1");
        if (req.id() != null) r.put("id", req.id());
        r.put("outputs", List.of(out));
        return r;
    }

    /** {@code GET /v2}. */
    static Map<String, Object> server(String version) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", "simdnet");
        r.put("version", version);
        r.put("extensions", List.of());
        return r;
    }

    /** For tests: the answer's JSON. */
    static String toJson(Object o) throws IOException {
        return JSON.std.asString(o);
    }
}
