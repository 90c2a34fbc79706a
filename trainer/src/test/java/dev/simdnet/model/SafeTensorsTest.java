package dev.simdnet.model;

import static dev.simdnet.testing.SameBits.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.simdnet.tensor.Tensor;
import dev.simdnet.model.SafeTensors.SafeTensorsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    private static LinkedHashMap<String, Tensor> tiny() {
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
        t.put("a", Tensor.of(new float[] {1f, -2f}, new int[] {2}));
        t.put("b", Tensor.of(new float[] {0.5f}, new int[] {1, 1}));
        return t;
    }

    @Test
    void goldenBytesFollowTheFormat() {
        byte[] bytes = SafeTensors.encode(tiny(), Map.of("format", "pt"));
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]}}";
        int n = (json.length() + 7) / 8 * 8;
        ByteBuffer expected = ByteBuffer.allocate(8 + n + 12).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(n).put((json + " ".repeat(n - json.length())).getBytes(StandardCharsets.US_ASCII));
        // 1.0f = 0x3F800000, -2.0f = 0xC0000000, 0.5f = 0x3F000000, little-endian
        expected.put(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0, 0, 0, 0, 0x3F});
        assertThat(bytes).isEqualTo(expected.array());
        assertThat((8 + n) % 8).isZero();
    }

    @Test
    void roundTripKeepsOrderShapesValuesAndMetadata(@TempDir Path dir) {
        SplittableRandom rng = new SplittableRandom(3);
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        int[][] shapes = {{5, 5, 1, 20}, {20}, {}, {0, 3}, {7, 13}};
        String[] names = {"conv1.weight", "conv1.bias", "scalar", "empty", "fc.weight"};
        for (int i = 0; i < shapes.length; i++) {
            Tensor t = Tensor.zeros(shapes[i]);
            for (int k = 0; k < t.size(); k++) t.set(k, (float) rng.nextGaussian());
            tensors.put(names[i], t);
        }
        // a view with an offset is written from its offset
        float[] backing = {9f, 1f, 2f, 3f};
        tensors.put("view", Tensor.view(backing, 1, 3));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("model", "fast");
        meta.put("note", "ünïcödé \"quoted\"");
        Path file = dir.resolve("m.safetensors");
        SafeTensors.write(file, tensors, meta);
        SafeTensors.Contents back = SafeTensors.read(file);
        assertThat(back.tensors().keySet()).containsExactly("conv1.weight", "conv1.bias", "scalar", "empty", "fc.weight", "view");
        for (String name : tensors.keySet()) {
            assertThat(back.tensors().get(name).shape()).containsExactly(tensors.get(name).shape());
            assertSameBits(name, back.tensors().get(name).toArray(), tensors.get(name).toArray());
        }
        assertThat(back.metadata()).containsExactlyEntriesOf(meta);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file); // no temporary file left behind
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void overwritingReplacesTheFileWhole(@TempDir Path dir) {
        Path file = dir.resolve("m.safetensors");
        SafeTensors.write(file, tiny(), Map.of());
        LinkedHashMap<String, Tensor> other = new LinkedHashMap<>();
        other.put("z", Tensor.of(new float[] {4f, 5f, 6f}, new int[] {3}));
        SafeTensors.write(file, other, Map.of("step", "2"));
        SafeTensors.Contents back = SafeTensors.read(file);
        assertThat(back.tensors().keySet()).containsExactly("z");
        assertThat(back.metadata()).containsEntry("step", "2");
    }

    private static void assertRejected(Path dir, byte[] bytes, String message) throws IOException {
        Path f = Files.write(dir.resolve("bad.safetensors"), bytes);
        assertThatThrownBy(() -> SafeTensors.read(f))
                .isInstanceOf(SafeTensorsException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining(message);
    }

    /** A file with the given header JSON (padded) and {@code dataBytes} zero bytes of data. */
    private static byte[] withHeader(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    @Test
    void corruptFilesAreRejectedWithClearErrors(@TempDir Path dir) throws IOException {
        byte[] good = SafeTensors.encode(tiny(), Map.of("format", "pt"));
        assertRejected(dir, Arrays.copyOf(good, good.length - 1), "truncated");
        assertRejected(dir, Arrays.copyOf(good, 5), "not a safetensors file");
        assertRejected(dir, Arrays.copyOf(good, 40), "truncated");
        assertRejected(dir, "PK\u0003\u0004 this is a zip file, not weights".getBytes(StandardCharsets.ISO_8859_1),
                "header length");
        byte[] absurd = good.clone();
        ByteBuffer.wrap(absurd).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        assertRejected(dir, absurd, "is absurd");
        assertRejected(dir, withHeader("[1,2,3]", 0), "does not start with '{'");
        assertRejected(dir, withHeader("{\"a\": {\"dtype\"", 0), "not valid JSON");
        assertRejected(dir, withHeader("{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "unknown dtype Q7");
        assertRejected(dir, withHeader("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "only F32");
        assertRejected(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "needs 8 bytes");
        assertRejected(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "overlaps");
        assertRejected(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "gap");
        assertRejected(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 2), "truncated");
        assertRejected(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12), "bytes after");
        assertRejected(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "bad shape");
        assertRejected(dir, withHeader("{\"__metadata__\":{\"k\":3}}", 0), "not a string");
    }
}
