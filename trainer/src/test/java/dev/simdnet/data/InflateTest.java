package dev.simdnet.data;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** simdnet's deflate decoder against the JDK's zlib: what zlib compresses, it inflates to the same bytes. */
class InflateTest {
    /** Raw deflate (no zlib header), as a PNG's image data is after its first two bytes. */
    private static byte[] deflate(byte[] data, int level, int strategy) {
        Deflater d = new Deflater(level, true);
        d.setStrategy(strategy);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return out.toByteArray();
    }

    /** Data of several kinds: noise, runs, periodic rows (as PNG rows are), and skewed bytes (long Huffman codes). */
    private static byte[] data(int kind, int n, SplittableRandom rng) {
        byte[] b = new byte[n];
        switch (kind) {
            case 0 -> rng.nextBytes(b);
            case 1 -> { // runs of random length, as a blank canvas with strokes
                for (int i = 0; i < n; ) {
                    int run = 1 + rng.nextInt(rng.nextBoolean() ? 4 : 400);
                    byte v = (byte) rng.nextInt(256);
                    for (int k = 0; k < run && i < n; k++) b[i++] = v;
                }
            }
            case 2 -> { // a row of random period repeated with small changes: matches at every distance
                int period = 1 + rng.nextInt(900);
                for (int i = 0; i < n; i++) b[i] = i < period || rng.nextInt(50) == 0 ? (byte) rng.nextInt(256) : b[i - period];
            }
            default -> { // geometric: a few bytes very common, many rare, so codes up to 15 bits long
                for (int i = 0; i < n; i++) {
                    int v = 0;
                    while (v < 255 && rng.nextInt(10) < 7) v++;
                    b[i] = (byte) v;
                }
            }
        }
        return b;
    }

    @Test
    void inflatesWhatZlibDeflatesAtEveryLevelAndStrategy() throws Exception {
        SplittableRandom rng = new SplittableRandom(1);
        int[] sizes = {0, 1, 2, 3, 7, 258, 259, 1000, 32_768, 32_769, 70_001, 300_000};
        int cases = 0;
        for (int size : sizes)
            for (int kind = 0; kind < 4; kind++)
                for (int level : new int[] {0, 1, 6, 9})
                    for (int strategy : new int[] {Deflater.DEFAULT_STRATEGY, Deflater.FILTERED, Deflater.HUFFMAN_ONLY}) {
                        byte[] data = data(kind, size, rng);
                        byte[] z = deflate(data, level, strategy);
                        byte[] out = new byte[size + 16];
                        int start = 16 - kind; // output may start anywhere in its array
                        int got = Inflate.inflate(z, 0, z.length, out, start, start + size);
                        String what = "size " + size + ", kind " + kind + ", level " + level + ", strategy " + strategy;
                        assertThat(got).as(what).isEqualTo(start + size);
                        assertThat(Arrays.copyOfRange(out, start, start + size)).as(what).isEqualTo(data);
                        cases++;
                    }
        assertThat(cases).isEqualTo(sizes.length * 4 * 4 * 3);
    }

    @Test
    void stopsWhenTheOutputIsFullAndSaysWhereAShortStreamEnded() throws Exception {
        byte[] data = data(2, 50_000, new SplittableRandom(2));
        byte[] z = deflate(data, 6, Deflater.DEFAULT_STRATEGY);
        byte[] part = new byte[12_345];
        assertThat(Inflate.inflate(z, 0, z.length, part, 0, part.length)).isEqualTo(part.length);
        assertThat(part).isEqualTo(Arrays.copyOf(data, part.length));
        byte[] more = new byte[60_000];
        assertThat(Inflate.inflate(z, 0, z.length, more, 0, more.length)).as("the stream ends first").isEqualTo(data.length);
    }

    @Test
    void aMatchBeforeTheStartOfTheOutputIsRefused() {
        // A fixed-Huffman block: literal 'a', then length 3 at distance 2 (one byte back too far), then end of block.
        // Bits, least significant first: BFINAL 1, BTYPE 01; 'a' = 0x61 is code 0x30 + 0x61 (8 bits); length 3 is
        // symbol 257 (7 bits, 0000001); distance 2 is code 1 (5 bits, 00001).
        BitWriter w = new BitWriter();
        w.bits(1, 1).bits(1, 2).code(0x30 + 0x61, 8).code(1, 7).code(1, 5).code(0, 7);
        byte[] z = w.bytes();
        byte[] out = new byte[4];
        assertThatThrownBy(() -> Inflate.inflate(z, 0, z.length, out, 0, 4)).isInstanceOf(Inflate.Malformed.class)
                .hasMessageContaining("before the start");
        // The same stream with distance 1 is valid: "aaaa".
        BitWriter ok = new BitWriter();
        ok.bits(1, 1).bits(1, 2).code(0x30 + 0x61, 8).code(1, 7).code(0, 5).code(0, 7);
        byte[] z2 = ok.bytes();
        try {
            assertThat(Inflate.inflate(z2, 0, z2.length, out, 0, 4)).isEqualTo(4);
        } catch (Inflate.Malformed e) {
            fail("valid stream refused", e);
        }
        assertThat(new String(out, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("aaaa");
    }

    @Test
    void truncatedOrDamagedStreamsEndInAnErrorOrShortNeverAnotherException() {
        SplittableRandom rng = new SplittableRandom(3);
        byte[] data = data(1, 20_000, rng);
        byte[] z = deflate(data, 9, Deflater.DEFAULT_STRATEGY);
        byte[] out = new byte[data.length];
        int errors = 0;
        for (int cut = 0; cut < z.length; cut += 1 + cut / 50) {
            try {
                // Short, unless the bytes cut off held nothing but the end-of-block code: then all is there.
                if (Inflate.inflate(z, 0, cut, out, 0, out.length) == out.length) assertThat(out).as("cut at " + cut).isEqualTo(data);
            } catch (Inflate.Malformed e) {
                errors++;
            }
        }
        assertThat(errors).as("most truncations are noticed inside a block").isPositive();
        for (int trial = 0; trial < 3000; trial++) {
            byte[] bad = trial % 2 == 0 ? z.clone() : new byte[1 + rng.nextInt(200)];
            if (trial % 2 == 0) for (int f = 0; f < 1 + rng.nextInt(4); f++) bad[rng.nextInt(bad.length)] ^= (byte) (1 << rng.nextInt(8));
            else rng.nextBytes(bad);
            try {
                Inflate.inflate(bad, 0, bad.length, out, 0, out.length);
            } catch (Inflate.Malformed e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void storedBlocksCheckTheirLength() {
        byte[] data = data(0, 100, new SplittableRandom(4));
        byte[] z = deflate(data, 0, Deflater.DEFAULT_STRATEGY); // one stored block: header byte, LEN, NLEN, the bytes
        byte[] bad = z.clone();
        bad[3] ^= 1; // NLEN no longer the complement of LEN
        assertThatThrownBy(() -> Inflate.inflate(bad, 0, bad.length, new byte[100], 0, 100)).isInstanceOf(Inflate.Malformed.class)
                .hasMessageContaining("complement");
        assertThatThrownBy(() -> Inflate.inflate(z, 0, 50, new byte[100], 0, 100)).isInstanceOf(Inflate.Malformed.class)
                .hasMessageContaining("truncated");
    }

    /** Deflate's bit order: fields least significant bit first, Huffman codes most significant bit first. */
    private static final class BitWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int acc, n;

        BitWriter bits(int value, int count) {
            for (int i = 0; i < count; i++) put((value >> i) & 1);
            return this;
        }

        BitWriter code(int code, int length) {
            for (int i = length - 1; i >= 0; i--) put((code >> i) & 1);
            return this;
        }

        private void put(int bit) {
            acc |= bit << n;
            if (++n == 8) {
                out.write(acc);
                acc = n = 0;
            }
        }

        byte[] bytes() {
            if (n > 0) out.write(acc);
            return out.toByteArray();
        }
    }
}
