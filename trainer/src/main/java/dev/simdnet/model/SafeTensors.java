package dev.simdnet.model;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The safetensors file format (Hugging Face), F32 tensors only:
 * <pre>
 *   8 bytes        N, the header length, unsigned little-endian
 *   N bytes        UTF-8 JSON {"__metadata__": {string: string},
 *                              "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}
 *                  padded with spaces so the data starts at a multiple of 8
 *   rest           the tensors' bytes, little-endian, offsets relative to the start of this part
 * </pre>
 * Reading is strict: the data must be covered exactly by the tensors' byte ranges, in order, with no gap or
 * overlap, and every problem is reported as a {@link SafeTensorsException} naming the file.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** The largest header accepted, as in the reference implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final String METADATA = "__metadata__";
    /** Element sizes of the dtypes the format defines; only F32 can be read here. */
    private static final Map<String, Integer> KNOWN_DTYPES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E5M2", 1),
            Map.entry("F8_E4M3", 1), Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2),
            Map.entry("BF16", 2), Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
            Map.entry("F64", 8), Map.entry("I64", 8), Map.entry("U64", 8));

    /** A file's tensors in the order of their data, and its metadata. */
    public record Contents(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {
        public Contents {
            tensors = new LinkedHashMap<>(tensors);
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /** A safetensors file that cannot be read or written. */
    public static final class SafeTensorsException extends RuntimeException {
        public SafeTensorsException(String message) {
            super(message);
        }

        public SafeTensorsException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Writes {@code tensors} (in iteration order) and {@code metadata} to {@code file} atomically: a temporary
     * file in the same folder is written, flushed to disk, then renamed over {@code file}, so an existing file
     * is either left whole or replaced whole.
     */
    public static void write(Path file, LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {
        byte[] bytes = encode(tensors, metadata);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new SafeTensorsException("cannot write " + file + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover .tmp is harmless; the target file is untouched
                }
            }
        }
    }

    /** The bytes of a safetensors file holding {@code tensors} and {@code metadata}. */
    public static byte[] encode(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            Map<String, Object> meta = new LinkedHashMap<>();
            metadata.forEach((k, v) -> meta.put(Objects.requireNonNull(k, "metadata key"),
                    Objects.requireNonNull(v, () -> "metadata value of " + k)));
            header.put(METADATA, meta);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "tensor name");
            if (name.equals(METADATA)) throw new IllegalArgumentException("a tensor cannot be named " + METADATA);
            Tensor t = Objects.requireNonNull(e.getValue(), () -> "tensor " + name);
            long bytes = 4L * t.size();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", "F32");
            List<Integer> shape = new ArrayList<>();
            for (int d : t.shape()) shape.add(d);
            entry.put("shape", shape);
            entry.put("data_offsets", List.of(offset, offset + bytes));
            header.put(name, entry);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.std.asString(header).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SafeTensorsException("cannot encode the safetensors header: " + e, e);
        }
        int padded = (json.length + 7) & ~7;
        if (offset + padded + 8 > Integer.MAX_VALUE - 16)
            throw new SafeTensorsException("tensors too large for one file: " + offset + " bytes");
        ByteBuffer out = ByteBuffer.allocate(8 + padded + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded);
        out.put(json);
        for (int i = json.length; i < padded; i++) out.put((byte) ' ');
        for (Tensor t : tensors.values()) {
            float[] d = t.data();
            for (int i = 0, o = t.offset(); i < t.size(); i++) out.putFloat(d[o + i]);
        }
        return out.array();
    }

    /** Reads a safetensors file of F32 tensors. */
    public static Contents read(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size < 8)
                throw new SafeTensorsException(file + " is not a safetensors file: only " + size + " bytes");
            if (size > Integer.MAX_VALUE - 16)
                throw new SafeTensorsException(file + " is too large to read (" + size + " bytes)");
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SafeTensorsException("cannot read " + file + ": " + e, e);
        }
        return decode(bytes, file.toString());
    }

    /** Parses the bytes of a safetensors file; {@code what} names it in errors. */
    public static Contents decode(byte[] bytes, String what) {
        if (bytes.length < 8) throw new SafeTensorsException(what + " is not a safetensors file: only " + bytes.length + " bytes");
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong(0);
        if (n < 2 || n > MAX_HEADER_BYTES)
            throw new SafeTensorsException(what + " is not a safetensors file: header length " + Long.toUnsignedString(n)
                    + " is absurd (must be 2.." + MAX_HEADER_BYTES + ")");
        if (8 + n > bytes.length)
            throw new SafeTensorsException(what + " is truncated: its header needs " + n + " bytes but the file has "
                    + (bytes.length - 8) + " after the length");
        int dataStart = 8 + (int) n;
        if (bytes[8] != '{')
            throw new SafeTensorsException(what + " is not a safetensors file: the header does not start with '{'");
        String json = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        Map<String, Object> header;
        try {
            header = JSON.std.mapFrom(json);
        } catch (IOException | RuntimeException e) {
            throw new SafeTensorsException(what + " has a header that is not valid JSON: " + e.getMessage(), e);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        record Entry(String name, int[] shape, long begin, long end) {}
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            String name = e.getKey();
            if (name.equals(METADATA)) {
                if (!(e.getValue() instanceof Map<?, ?> m))
                    throw new SafeTensorsException(what + ": __metadata__ must be an object of strings");
                for (Map.Entry<?, ?> me : m.entrySet()) {
                    if (!(me.getValue() instanceof String s))
                        throw new SafeTensorsException(what + ": metadata value of '" + me.getKey() + "' is not a string");
                    metadata.put(String.valueOf(me.getKey()), s);
                }
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> info))
                throw new SafeTensorsException(what + ": the header entry of tensor '" + name + "' is not an object");
            if (!(info.get("dtype") instanceof String dtype))
                throw new SafeTensorsException(what + ": tensor '" + name + "' has no dtype");
            if (!KNOWN_DTYPES.containsKey(dtype))
                throw new SafeTensorsException(what + ": tensor '" + name + "' has unknown dtype " + dtype);
            if (!dtype.equals("F32"))
                throw new SafeTensorsException(what + ": tensor '" + name + "' is " + dtype + "; only F32 is supported");
            long[] shapeL = longs(info.get("shape"), -1, what, name, "shape");
            long[] offs = longs(info.get("data_offsets"), 2, what, name, "data_offsets");
            int[] shape = new int[shapeL.length];
            long count = 1;
            for (int i = 0; i < shapeL.length; i++) {
                if (shapeL[i] < 0 || shapeL[i] > Integer.MAX_VALUE)
                    throw new SafeTensorsException(what + ": tensor '" + name + "' has a bad dimension " + shapeL[i]);
                shape[i] = (int) shapeL[i];
                count *= shapeL[i];
                if (count > Integer.MAX_VALUE)
                    throw new SafeTensorsException(what + ": tensor '" + name + "' is too large");
            }
            if (offs[0] < 0 || offs[1] < offs[0])
                throw new SafeTensorsException(what + ": tensor '" + name + "' has bad data_offsets [" + offs[0] + ", " + offs[1] + "]");
            if (offs[1] - offs[0] != 4 * count)
                throw new SafeTensorsException(what + ": tensor '" + name + "' of shape " + Arrays.toString(shape)
                        + " needs " + 4 * count + " bytes but its data_offsets span " + (offs[1] - offs[0]));
            entries.add(new Entry(name, shape, offs[0], offs[1]));
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long dataLength = bytes.length - (long) dataStart;
        long expected = 0;
        for (Entry en : entries) {
            if (en.begin() < expected)
                throw new SafeTensorsException(what + ": tensor '" + en.name() + "' overlaps the tensor before it (offset "
                        + en.begin() + " < " + expected + ")");
            if (en.begin() > expected)
                throw new SafeTensorsException(what + ": gap in the data before tensor '" + en.name() + "' (offset "
                        + en.begin() + ", expected " + expected + ")");
            if (en.end() > dataLength)
                throw new SafeTensorsException(what + " is truncated: tensor '" + en.name() + "' ends at data byte " + en.end()
                        + " but the file holds only " + dataLength);
            expected = en.end();
        }
        if (expected != dataLength)
            throw new SafeTensorsException(what + ": " + (dataLength - expected) + " bytes after the last tensor's data");
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry en : entries) {
            int count = (int) ((en.end() - en.begin()) / 4);
            float[] data = new float[count];
            buf.position(dataStart + (int) en.begin());
            buf.asFloatBuffer().get(data);
            tensors.put(en.name(), Tensor.of(data, en.shape()));
        }
        return new Contents(tensors, metadata);
    }

    private static long[] longs(Object value, int wantLength, String what, String name, String field) {
        if (!(value instanceof List<?> list) || (wantLength >= 0 && list.size() != wantLength))
            throw new SafeTensorsException(what + ": tensor '" + name + "' has a bad " + field + ": " + value);
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object o = list.get(i);
            if (!(o instanceof Integer || o instanceof Long) || ((Number) o).longValue() < 0)
                throw new SafeTensorsException(what + ": tensor '" + name + "' has a bad " + field + ": " + value);
            out[i] = ((Number) o).longValue();
        }
        return out;
    }
}
