package dev.simdnet.track;

import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonReaderTest {

    @Test
    void readsWhatTheJsonLibraryWritesAndReadsTheSame() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a \"quoted\" \\ path/with\ttab and \n line and é and \u0001");
        m.put("i", 42);
        m.put("neg", -7);
        m.put("l", 1L << 40);
        m.put("d", 0.1);
        m.put("e", 1.5e-7);
        m.put("t", true);
        m.put("f", false);
        m.put("n", null);
        m.put("list", List.of(1, 2.5, "x", List.of(), Map.of()));
        m.put("nested", Map.of("k", List.of(Map.of("a", 1))));
        for (String text : new String[] {RecordFiles.toJsonLine(m), RecordFiles.toJson(m)}) {
            assertThat(JsonReader.parse(text)).isEqualTo(m).isEqualTo(JSON.std.anyFrom(text));
        }
        assertThat(JsonReader.parse(" [ ] ")).isEqualTo(List.of());
        assertThat(JsonReader.parse("\"\\u00e9\"")).isEqualTo("é");
    }

    @Test
    void malformedTextIsOneMessageWithThePlace() {
        for (String bad : Arrays.asList("", "{", "{\"a\" 1}", "{\"a\": 1,}", "[1 2]", "{\"a\": tru}", "\"open", "{a: 1}", "1 2", "{\"a\": 01.2.3}")) {
            assertThatThrownBy(() -> JsonReader.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("line 1, column");
        }
        assertThatThrownBy(() -> JsonReader.parse("{\n  \"a\": 1\n  \"b\": 2\n}")).hasMessageContaining("expected ',' or '}' at line 3, column 3");
    }
}
