package dev.simdnet.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The pixel reader's own number parsing against Double.parseDouble, bit for bit. */
class InferenceProtocolTest {
    @Test
    void numbersReadAsDoubleParseDoubleReadsThem() throws Exception {
        SplittableRandom rng = new SplittableRandom(5);
        List<String> texts = new ArrayList<>(List.of("0", "-0", "1", "255", "0.5", "1.0", "0.1", "0.3", "0.30000000000000004",
                "123456789012345", "1234567890123456", "0.000000000000001", "0.1234567890123456789", "1e-3", "2.5E2", "-0.0",
                "0.9999999999999999", "99999999999999.9", "1.7976931348623157e308", "4.9e-324"));
        for (int i = 0; i < 20_000; i++) {
            StringBuilder t = new StringBuilder();
            if (rng.nextInt(4) == 0) t.append('-');
            int whole = rng.nextInt(3) == 0 ? 0 : rng.nextInt(1, 9), frac = rng.nextInt(0, 18); // 0: "0.xxx", as pixels are
            if (whole == 0) t.append('0');
            else t.append(1 + rng.nextInt(9));                     // JSON: no leading zeros
            for (int k = 1; k < whole; k++) t.append(rng.nextInt(10));
            if (frac > 0) {
                t.append('.');
                for (int k = 0; k < frac; k++) t.append(rng.nextInt(10));
            }
            if (rng.nextInt(10) == 0) t.append('e').append(rng.nextInt(-30, 30));
            texts.add(t.toString());
        }
        String json = "[" + String.join(",", texts) + "]";
        int checked = 0;
        try (JsonParser p = Json.JSON_POOLED.createParser(json)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_ARRAY);
            for (String t : texts) {
                JsonToken token = p.nextToken();
                assertThat(token.isNumeric()).as(t).isTrue();
                assertThat(Double.doubleToRawLongBits(InferenceProtocol.number(p))).as(t)
                        .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(t)));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(texts.size());
    }
}
