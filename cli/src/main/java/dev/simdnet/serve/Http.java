package dev.simdnet.serve;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading bodies within a limit, query strings, and JSON answers. */
final class Http {
    /** A refused body is read and thrown away up to this many bytes, so the client sees the answer, not a reset. */
    private static final long DRAIN_LIMIT = 64L << 20;

    /** Writes null values too: {@code {"digit": null}} says "no digit", it must not vanish. */
    private static final JSON WRITER = Json.JSON_POOLED.with(JSON.Feature.WRITE_NULL_PROPERTIES);

    private Http() {}

    /** The whole body, or 413 when it is larger than {@code limit} bytes. */
    static byte[] body(HttpExchange ex, int limit) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        InputStream in = ex.getRequestBody();
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Content-Length is not a number");
            }
            if (n > limit) {
                drain(in);
                throw tooLarge(limit);
            }
            // The stated length, read into an array of that size: readNBytes(limit + 1) gathers 8 KB pieces and
            // copies them (1.6 GB of a 10-second wrk run of single images).
            byte[] buf = in.readNBytes((int) Math.max(0, n));
            if (buf.length < n) throw ApiException.badRequest("the body ended after " + buf.length + " of its " + n + " bytes (Content-Length)");
            return buf;
        }
        byte[] buf = in.readNBytes(limit + 1);
        if (buf.length > limit) {
            drain(in);
            throw tooLarge(limit);
        }
        return buf;
    }

    private static ApiException tooLarge(int limit) {
        return new ApiException(413, "request body larger than the limit of " + limit + " bytes");
    }

    private static void drain(InputStream in) throws IOException {
        long left = DRAIN_LIMIT;
        byte[] sink = new byte[64 * 1024];
        int n;
        while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) left -= n;
    }

    /** The decoded query parameters (the last of repeated names wins). */
    static Map<String, String> query(HttpExchange ex) {
        Map<String, String> m = new LinkedHashMap<>();
        String q = ex.getRequestURI().getRawQuery();
        if (q == null || q.isEmpty()) return m;
        for (String part : q.split("&")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                m.put(k, v);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("malformed query string");
            }
        }
        return m;
    }

    static void json(HttpExchange ex, int status, Object value) throws IOException {
        send(ex, status, "application/json", WRITER.asBytes(value));
    }

    static void error(HttpExchange ex, int status, String message) throws IOException {
        json(ex, status, Map.of("error", message));
    }

    static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Whether the body starts like a PNG or a JPEG file. */
    static boolean looksLikeImage(byte[] b) {
        return startsWith(b, new byte[] {(byte) 0x89, 'P', 'N', 'G'}) || startsWith(b, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});
    }

    static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }
}
