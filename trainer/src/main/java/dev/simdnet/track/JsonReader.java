package dev.simdnet.track;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader (RFC 8259) into LinkedHashMap, ArrayList, String, Integer / Long / Double, Boolean and
 * null. Why not the JSON library: {@code runs list} parses some 4,000 small files in a fresh JVM, and this
 * handful of methods is compiled after a few hundred calls, where the library's deep call chains stay
 * interpreted for most of the listing (measured: 3x faster cold).
 */
final class JsonReader {
    private final String s;
    private int i;

    private JsonReader(String s) {
        this.s = s;
    }

    /** Parses one JSON value filling the whole text; a syntax error is an IllegalArgumentException with line and column. */
    static Object parse(String text) {
        JsonReader r = new JsonReader(text);
        r.space();
        Object v = r.value();
        r.space();
        if (r.i < text.length()) throw r.error("unexpected text after the value");
        return v;
    }

    private Object value() {
        if (i >= s.length()) throw error("unexpected end of input");
        char c = s.charAt(i);
        switch (c) {
            case '{': return object();
            case '[': return array();
            case '"': return string();
            case 't': return word("true", Boolean.TRUE);
            case 'f': return word("false", Boolean.FALSE);
            case 'n': return word("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                throw error("unexpected character '" + c + "'");
        }
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;                                                            // {
        space();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            space();
            if (peek() != '"') throw error("expected a quoted key");
            String k = string();
            space();
            if (peek() != ':') throw error("expected ':' after the key \"" + k + "\"");
            i++;
            space();
            m.put(k, value());
            space();
            char c = peek();
            i++;
            if (c == '}') return m;
            if (c != ',') throw error("expected ',' or '}'", i - 1);
        }
    }

    private List<Object> array() {
        List<Object> l = new ArrayList<>();
        i++;                                                            // [
        space();
        if (peek() == ']') {
            i++;
            return l;
        }
        while (true) {
            space();
            l.add(value());
            space();
            char c = peek();
            i++;
            if (c == ']') return l;
            if (c != ',') throw error("expected ',' or ']'", i - 1);
        }
    }

    private String string() {
        int start = ++i;                                                // after the opening quote
        StringBuilder sb = null;
        while (true) {
            if (i >= s.length()) throw error("unterminated string", start - 1);
            char c = s.charAt(i);
            if (c == '"') {
                String out = sb == null ? s.substring(start, i) : sb.append(s, start, i).toString();
                i++;
                return out;
            }
            if (c < 0x20) throw error("control character in a string");
            if (c == '\\') {
                if (sb == null) sb = new StringBuilder();
                sb.append(s, start, i);
                if (i + 1 >= s.length()) throw error("unterminated string");
                char e = s.charAt(i + 1);
                i += 2;
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) throw error("bad \\u escape");
                        try {
                            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        i += 4;
                    }
                    default -> throw error("bad escape '\\" + e + "'", i - 2);
                }
                start = i;
            } else {
                i++;
            }
        }
    }

    private Object number() {
        int start = i;
        boolean fraction = false;
        if (peek() == '-') i++;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') i++;
            else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                fraction = true;
                i++;
            } else break;
        }
        String t = s.substring(start, i);
        try {
            if (!fraction) {
                long v = Long.parseLong(t);
                return v == (int) v ? (Object) (int) v : (Object) v;
            }
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw error("bad number '" + t + "'", start);
        }
    }

    private Object word(String w, Object v) {
        if (!s.startsWith(w, i)) throw error("unexpected character '" + s.charAt(i) + "'");
        i += w.length();
        return v;
    }

    private void space() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
            i++;
        }
    }

    private char peek() {
        if (i >= s.length()) throw error("unexpected end of input");
        return s.charAt(i);
    }

    private IllegalArgumentException error(String what) {
        return error(what, i);
    }

    private IllegalArgumentException error(String what, int at) {
        int line = 1, col = 1;
        for (int k = 0; k < Math.min(at, s.length()); k++) {
            if (s.charAt(k) == '\n') {
                line++;
                col = 1;
            } else col++;
        }
        return new IllegalArgumentException(what + " at line " + line + ", column " + col);
    }
}
