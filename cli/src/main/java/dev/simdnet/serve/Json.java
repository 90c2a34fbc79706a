package dev.simdnet.serve;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Parsing request bodies with jackson-jr into maps and lists, with 400s that say what is wrong. */
final class Json {
    private Json() {}

    /**
     * The server's jackson: its buffers come from one shared pool. Jackson's default pool keeps them per thread,
     * and every request here runs on a new virtual thread, so each request allocated fresh 8 KB byte and 2 KB char
     * buffers for its parser and its answer (1.1 GB of a 10-second wrk run, JFR).
     */
    static final com.fasterxml.jackson.core.JsonFactory FACTORY = com.fasterxml.jackson.core.JsonFactory.builder()
            .recyclerPool(com.fasterxml.jackson.core.util.JsonRecyclerPools.sharedConcurrentDequePool()).build();
    static final JSON JSON_POOLED = JSON.std.with(FACTORY);

    static Map<String, Object> object(byte[] body) {
        if (body.length == 0) throw ApiException.badRequest("empty body: send a JSON object");
        Object root;
        try {
            root = JSON_POOLED.anyFrom(body);
        } catch (IOException | RuntimeException e) {
            throw ApiException.badRequest("body is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (!(root instanceof Map<?, ?> map)) throw ApiException.badRequest("body must be a JSON object");
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) map;
        return m;
    }

    static List<?> list(Object v, String what) {
        if (!(v instanceof List<?> l)) throw ApiException.badRequest(what + " must be an array");
        return l;
    }

    static boolean isInteger(Number n) {
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) return true;
        if (n instanceof java.math.BigInteger) return true;
        double d = n.doubleValue();
        return Double.isFinite(d) && d == Math.rint(d);
    }

    static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    private static String firstLine(String m) {
        if (m == null) return "unreadable";
        int nl = m.indexOf('\n');
        return clip(nl < 0 ? m : m.substring(0, nl));
    }
}
