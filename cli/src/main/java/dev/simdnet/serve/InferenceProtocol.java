package dev.simdnet.serve;

import dev.simdnet.data.DigitPreprocessor;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
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

    /**
     * Parses a request with Jackson's streaming parser, reading the pixels straight into a float array: a
     * single image's 784 numbers cost microseconds, where a tree of boxed numbers costs tens of them.
     */
    static Request parse(byte[] body, Limits limits) {
        if (body.length == 0) throw ApiException.badRequest("empty body: send a JSON object");
        try (JsonParser p = Json.JSON_POOLED.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw ApiException.badRequest("body must be a JSON object");
            String id = null;
            Input input = null;
            int inputs = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "id" -> {
                        if (t != JsonToken.VALUE_STRING) throw ApiException.badRequest("'id' must be a string");
                        id = p.getText();
                    }
                    case "inputs" -> {
                        if (t != JsonToken.START_ARRAY) throw ApiException.badRequest("'inputs' must be an array");
                        inputs = 0;
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            if (p.currentToken() != JsonToken.START_OBJECT) throw ApiException.badRequest("'inputs[" + inputs + "]' must be an object");
                            if (inputs++ == 0) input = input(p, limits);
                            else p.skipChildren();
                        }
                    }
                    default -> p.skipChildren(); // parameters, outputs: nothing to choose here
                }
            }
            if (inputs < 0) throw ApiException.badRequest("'inputs' must be an array");
            if (inputs != 1) throw ApiException.badRequest("'inputs' must hold exactly one tensor (the images), got " + inputs);
            return check(id, input, limits);
        } catch (JacksonException e) {
            throw ApiException.badRequest("body is not valid JSON: " + Json.clip(e.getOriginalMessage()));
        } catch (IOException e) {
            throw ApiException.badRequest("body is not valid JSON: " + Json.clip(String.valueOf(e.getMessage())));
        }
    }

    /** One input tensor as sent (its fields come in any order), the data flattened, unchecked. */
    private record Input(String datatype, List<Number> shape, float[] data, int count) {}

    private static Input input(JsonParser p, Limits limits) throws IOException {
        String datatype = null;
        List<Number> shape = null;
        float[] data = null;
        int count = 0;
        int cap = limits.maxBatch() * PIXELS;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "datatype" -> {
                    datatype = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    if (t.isStructStart()) p.skipChildren();
                }
                case "shape" -> {
                    if (t != JsonToken.START_ARRAY) throw ApiException.badRequest("'inputs[0].shape' must be an array");
                    shape = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (!p.currentToken().isNumeric()) throw ApiException.badRequest("'inputs[0].shape' must be whole numbers");
                        shape.add(p.getNumberValue());
                    }
                }
                case "data" -> {
                    if (t != JsonToken.START_ARRAY) throw ApiException.badRequest("'inputs[0].data' must be an array of numbers");
                    data = new float[Math.min(cap, PIXELS)];
                    int depth = 1;
                    while (depth > 0) {
                        JsonToken v = p.nextToken();
                        if (v == JsonToken.START_ARRAY) {
                            if (++depth > 5) throw ApiException.badRequest("'inputs[0].data' is nested too deeply");
                        } else if (v == JsonToken.END_ARRAY) {
                            depth--;
                        } else if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
                            double d = number(p);
                            if (!Double.isFinite(d))
                                throw ApiException.badRequest("'inputs[0].data' holds a value that is not finite (NaN or infinite) at index " + count);
                            if (count == cap) throw ApiException.badRequest("'inputs[0].data' holds more than " + cap + " values (" + limits.maxBatch() + " images)");
                            if (count == data.length) data = Arrays.copyOf(data, (int) Math.min(cap, 2L * data.length));
                            data[count++] = (float) d;
                        } else {
                            throw ApiException.badRequest("'inputs[0].data' must hold only numbers, found " + Json.clip(p.getText()));
                        }
                    }
                }
                default -> p.skipChildren(); // name, parameters
            }
        }
        return new Input(datatype, shape, data, count);
    }

    /** 10^0 to 10^22: the powers of ten a double holds exactly. */
    private static final double[] POWERS_OF_TEN = new double[23];

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
    }

    /**
     * The current number token's value, as {@code getDoubleValue()} gives it. Jackson parses a decimal through a
     * String and {@code Double.parseDouble} (3.4 GB of garbage in a 10-second wrk run: 784 numbers a request); a
     * plain decimal of at most 15 digits, as pixels are sent ({@code 0.4863}), is read here from the parser's own
     * characters: its digits as an integer, exact in a double, divided by an exact power of ten, so the one
     * rounding is IEEE division's, the correctly rounded value {@code Double.parseDouble} returns too. Anything
     * else (exponents, long mantissas) goes to jackson.
     */
    static double number(JsonParser p) throws IOException {
        char[] c = p.getTextCharacters();
        int at = p.getTextOffset(), end = at + p.getTextLength();
        boolean negative = at < end && c[at] == '-';
        if (negative) at++;
        long digits = 0;
        int count = 0, fraction = -1;
        for (int i = at; i < end; i++) {
            char ch = c[i];
            if (ch >= '0' && ch <= '9') {
                if (++count > 15) return p.getDoubleValue();
                digits = digits * 10 + (ch - '0');
                if (fraction >= 0) fraction++;
            } else if (ch == '.' && fraction < 0) {
                fraction = 0;
            } else {
                return p.getDoubleValue(); // an exponent
            }
        }
        if (count == 0) return p.getDoubleValue();
        double d = fraction > 0 ? digits / POWERS_OF_TEN[fraction] : digits;
        return negative ? -d : d;
    }

    /** Checks the tensor against the protocol and the limits; pixels to [0, 1]. */
    private static Request check(String id, Input in, Limits limits) {
        if (in.datatype() == null) throw ApiException.badRequest("'inputs[0].datatype' must be a string: FP32 or UINT8");
        boolean uint8 = switch (in.datatype()) {
            case "FP32" -> false;
            case "UINT8" -> true;
            default -> throw ApiException.badRequest("unsupported datatype '" + Json.clip(in.datatype()) + "': use FP32 (pixels in [0, 1]) or UINT8 (0 to 255)");
        };
        if (in.shape() == null) throw ApiException.badRequest("'inputs[0].shape' must be an array");
        int count = batchSize(in.shape(), limits);
        if (in.data() == null) throw ApiException.badRequest("'inputs[0].data' must be an array of numbers");
        int need = count * PIXELS;
        if (in.count() != need)
            throw ApiException.badRequest("'inputs[0].data' holds " + in.count() + " values but the shape needs " + need);
        float[] px = in.data().length == need ? in.data() : Arrays.copyOf(in.data(), need);
        for (int i = 0; i < need; i++) {
            float v = px[i];
            if (uint8) {
                if (v < 0 || v > 255 || v != Math.rint(v))
                    throw ApiException.badRequest("UINT8 pixels must be whole numbers from 0 to 255, got " + v + " at index " + i);
                px[i] = v / 255f;
            } else if (v < 0 || v > 1) {
                throw ApiException.badRequest("FP32 pixels must be in [0, 1] (white ink on black), got " + v + " at index " + i);
            }
        }
        return new Request(id, px, count);
    }

    /** N of a shape [N, 1, 28, 28] or [N, 784]. */
    private static int batchSize(List<Number> shape, Limits limits) {
        long[] s = new long[shape.size()];
        for (int i = 0; i < s.length; i++) {
            if (!Json.isInteger(shape.get(i)))
                throw ApiException.badRequest("'inputs[0].shape' must be whole numbers, got " + Json.clip(shape.toString()));
            s[i] = shape.get(i).longValue();
        }
        boolean image = s.length == 4 && s[1] == 1 && s[2] == DigitPreprocessor.SIDE && s[3] == DigitPreprocessor.SIDE;
        boolean flat = s.length == 2 && s[1] == PIXELS;
        if (!image && !flat)
            throw ApiException.badRequest("unsupported shape " + Json.clip(shape.toString()) + ": use [N, 1, 28, 28] or [N, 784] (28x28 images)");
        if (s[0] < 1 || s[0] > limits.maxBatch())
            throw ApiException.badRequest("batch size " + s[0] + " is out of range: 1 to " + limits.maxBatch() + " images per request");
        return (int) s[0];
    }

    /**
     * The answer to a request, {@code probs} being {@code (count, classes)}, as JSON bytes: written with jackson's
     * streaming generator on the server's pooled buffers, where jackson-jr's writer of a map took fresh ones each
     * request (1.5 GB of a 13-second wrk run of single images, JFR).
     */
    static byte[] answer(ServedModel m, Request req, float[] probs) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(128 + 16 * probs.length);
        try (com.fasterxml.jackson.core.JsonGenerator g = Json.FACTORY.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("model_name", m.info().name());
            g.writeStringField("model_version", "1");
            if (req.id() != null) g.writeStringField("id", req.id());
            g.writeArrayFieldStart("outputs");
            g.writeStartObject();
            g.writeStringField("name", OUTPUT);
            g.writeArrayFieldStart("shape");
            g.writeNumber(req.count());
            g.writeNumber(m.classes());
            g.writeEndArray();
            g.writeStringField("datatype", "FP32");
            g.writeArrayFieldStart("data");
            for (float p : probs) g.writeNumber(p);
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        }
        return bytes.toByteArray();
    }

    /** {@code GET /v2}. */
    static Map<String, Object> server(String version) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", "simdnet");
        r.put("version", version);
        r.put("extensions", List.of());
        return r;
    }

}
