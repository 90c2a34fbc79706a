package dev.simdnet.data;

/**
 * A deflate decoder (RFC 1951) into an array of known size, for {@link PngDecoder}: a PNG's pixels are one deflate
 * stream whose inflated size the header gives, so the whole image can be inflated in one array and every
 * back-reference copied with {@code System.arraycopy}. Drawn digits are mostly runs (a white row is a run of 255s,
 * a row like the one above is a match 1 row back): on the 7,494 rendered pen digits (280 x 280 RGB, 5 KB a file,
 * 235 KB inflated) this takes a third of the time of the JDK's zlib ({@code java.util.zip.Inflater}), whose inner
 * loop copies a match a byte at a time.
 *
 * <p>The structure is zlib's {@code puff.c}: a canonical Huffman decoder per table, with a 10-bit lookup for the
 * common short codes in front of it. Bits are read least significant first from a 64-bit buffer, refilled to at
 * least 48 bits (the most one length-distance pair takes) once per symbol. Bytes read past the end of the input
 * read as zeros and are counted, so a truncated stream ends with an error instead of reading out of bounds.
 */
final class Inflate {
    /** Invalid or truncated deflate data; the message says which. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    private static final int FAST_BITS = 10, FAST_MASK = (1 << FAST_BITS) - 1, MAX_BITS = 15;
    private static final int[] LENGTH_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    private static final int[] LENGTH_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    private static final int[] DIST_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
            4097, 6145, 8193, 12289, 16385, 24577};
    private static final int[] DIST_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
    /** The order in which a dynamic block lists the code lengths of its code-length code. */
    private static final int[] CLEN_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    private static final Huffman FIXED_LITERALS, FIXED_DISTANCES;

    static {
        byte[] l = new byte[288];
        java.util.Arrays.fill(l, 0, 144, (byte) 8);
        java.util.Arrays.fill(l, 144, 256, (byte) 9);
        java.util.Arrays.fill(l, 256, 280, (byte) 7);
        java.util.Arrays.fill(l, 280, 288, (byte) 8);
        byte[] d = new byte[30];
        java.util.Arrays.fill(d, (byte) 5);
        try {
            FIXED_LITERALS = new Huffman(288).build(l, 0, 288);
            FIXED_DISTANCES = new Huffman(30).build(d, 0, 30);
        } catch (Malformed e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final byte[] in, out;
    private final int inEnd, start, end;
    private int inPos, pos, count; // count: valid bits in `bits`
    private long bits;
    private Huffman literals, distances; // a dynamic block's, made once per stream and rebuilt per block
    private final byte[] lengths = new byte[286 + 30];

    private Inflate(byte[] in, int from, int to, byte[] out, int start, int end) {
        this.in = in;
        this.inPos = from;
        this.inEnd = to;
        this.out = out;
        this.start = start;
        this.pos = start;
        this.end = end;
    }

    /**
     * Inflates the raw deflate data {@code in[from, to)} into {@code out[start, end)}, stopping when that is full
     * (whatever follows is not read) or when the stream ends. Returns where the output ended: {@code end}, or less
     * when the stream ended first.
     */
    static int inflate(byte[] in, int from, int to, byte[] out, int start, int end) throws Malformed {
        return new Inflate(in, from, to, out, start, end).run();
    }

    private int run() throws Malformed {
        boolean last;
        do {
            checkNotPastEnd();
            last = take(1) == 1;
            switch (take(2)) {
                case 0 -> stored();
                case 1 -> codes(FIXED_LITERALS, FIXED_DISTANCES);
                case 2 -> {
                    dynamic();
                    codes(literals, distances);
                }
                default -> throw new Malformed("a block of type 3, which deflate does not have");
            }
        } while (!last && pos < end);
        checkNotPastEnd();
        return pos;
    }

    /** Bytes read as zeros past the end of the input, and used: the stream was cut short. */
    private void checkNotPastEnd() throws Malformed {
        if (inPos > inEnd && (inPos - inEnd) * 8L > count) throw new Malformed("the data ends inside its last block (truncated?)");
    }

    /** Fills the bit buffer to more than 56 bits. */
    private void refill() {
        while (count <= 56) {
            bits |= (long) (inPos < inEnd ? in[inPos] & 0xff : 0) << count;
            inPos++;
            count += 8;
        }
    }

    /** The next {@code n} bits (n at most 16), least significant first. */
    private int take(int n) {
        if (count < n) refill();
        int v = (int) bits & ((1 << n) - 1);
        bits >>>= n;
        count -= n;
        return v;
    }

    /** A stored block: its length, its complement, then the bytes as they are. */
    private void stored() throws Malformed {
        inPos -= count >> 3; // give back the whole bytes still buffered; the partial one is the header's padding
        bits = 0;
        count = 0;
        checkNotPastEnd();
        if (inEnd - inPos < 4) throw new Malformed("the data ends inside a stored block's header (truncated?)");
        int length = (in[inPos] & 0xff) | (in[inPos + 1] & 0xff) << 8, check = (in[inPos + 2] & 0xff) | (in[inPos + 3] & 0xff) << 8;
        inPos += 4;
        if (length != (~check & 0xffff)) throw new Malformed("a stored block's length and its complement disagree");
        int n = Math.min(length, end - pos);
        if (inEnd - inPos < n) throw new Malformed("the data ends inside a stored block (truncated?)");
        System.arraycopy(in, inPos, out, pos, n);
        inPos += n;
        pos += n;
    }

    /** A dynamic block's header: its code-length code, then the literal/length and distance codes' lengths. */
    private void dynamic() throws Malformed {
        int nlen = take(5) + 257, ndist = take(5) + 1, ncode = take(4) + 4;
        if (nlen > 286 || ndist > 30) throw new Malformed("a dynamic block with too many codes (" + nlen + ", " + ndist + ")");
        byte[] clen = new byte[19];
        for (int i = 0; i < ncode; i++) clen[CLEN_ORDER[i]] = (byte) take(3);
        Huffman code = new Huffman(19).build(clen, 0, 19);
        for (int i = 0; i < nlen + ndist; ) {
            if (count < 16) refill();
            int sym = decode(code), repeat;
            byte value = 0;
            if (sym < 16) {
                lengths[i++] = (byte) sym;
                continue;
            } else if (sym == 16) {
                if (i == 0) throw new Malformed("a code length repeated before any was given");
                value = lengths[i - 1];
                repeat = 3 + take(2);
            } else if (sym == 17) {
                repeat = 3 + take(3);
            } else {
                repeat = 11 + take(7);
            }
            if (i + repeat > nlen + ndist) throw new Malformed("code lengths past the number of codes");
            java.util.Arrays.fill(lengths, i, i + repeat, value);
            i += repeat;
        }
        if (lengths[256] == 0) throw new Malformed("a dynamic block without an end-of-block code");
        if (literals == null) {
            literals = new Huffman(286);
            distances = new Huffman(30);
        }
        literals.build(lengths, 0, nlen);
        distances.build(lengths, nlen, ndist);
    }

    /** A block's literals and matches, up to its end-of-block code or until the output is full. */
    private void codes(Huffman lit, Huffman dist) throws Malformed {
        byte[] out = this.out;
        while (true) {
            if (count < 48) refill();
            int sym = decode(lit);
            if (sym < 256) {
                if (pos == end) return;
                out[pos++] = (byte) sym;
                continue;
            }
            if (sym == 256) return;
            sym -= 257;
            if (sym >= 29) throw new Malformed("an invalid length code");
            int length = LENGTH_BASE[sym] + take(LENGTH_EXTRA[sym]);
            int d = decode(dist);
            if (d >= 30) throw new Malformed("an invalid distance code");
            int distance = DIST_BASE[d] + take(DIST_EXTRA[d]);
            if (distance > pos - start) throw new Malformed("a match reaching back before the start of the data");
            length = Math.min(length, end - pos);
            int from = pos - distance;
            if (length <= 16 && distance >= length) {
                for (int k = 0; k < length; k++) out[pos + k] = out[from + k];
                pos += length;
            } else {
                // An overlapping match repeats the last `distance` bytes: each copy doubles what can be copied next.
                while (length > 0) {
                    int n = Math.min(length, pos - from);
                    System.arraycopy(out, from, out, pos, n);
                    pos += n;
                    length -= n;
                }
            }
            if (pos == end) return;
        }
    }

    /** The next symbol of a code: a table lookup for codes of up to 10 bits, puff's canonical walk for longer ones. */
    private int decode(Huffman h) throws Malformed {
        int e = h.fast[(int) bits & FAST_MASK];
        if (e != 0) {
            int n = e & 15;
            bits >>>= n;
            count -= n;
            return e >>> 4;
        }
        int code = 0, first = 0, index = 0;
        for (int len = 1; len <= MAX_BITS; len++) {
            code |= (int) bits & 1;
            bits >>>= 1;
            count--;
            int c = h.counts[len];
            if (code - c < first) return h.symbols[index + (code - first)];
            index += c;
            first = (first + c) << 1;
            code <<= 1;
        }
        throw new Malformed("a code that is not in its block's table");
    }

    /** A canonical Huffman code: how many codes of each length, the symbols in code order, and the short codes' table. */
    private static final class Huffman {
        final int[] counts = new int[MAX_BITS + 1];
        final int[] symbols;
        final int[] fast = new int[1 << FAST_BITS]; // (symbol << 4) | length for codes of up to FAST_BITS bits, else 0
        private final int[] offsets = new int[MAX_BITS + 2];

        Huffman(int n) {
            symbols = new int[n];
        }

        /** The code of the {@code n} lengths at {@code lengths[off]}; an over-subscribed set of lengths is invalid. */
        Huffman build(byte[] lengths, int off, int n) throws Malformed {
            java.util.Arrays.fill(counts, 0);
            for (int i = 0; i < n; i++) counts[lengths[off + i]]++;
            counts[0] = 0;
            int left = 1;
            for (int len = 1; len <= MAX_BITS; len++) {
                left = (left << 1) - counts[len];
                if (left < 0) throw new Malformed("an over-subscribed Huffman code");
            }
            offsets[1] = 0;
            for (int len = 1; len <= MAX_BITS; len++) offsets[len + 1] = offsets[len] + counts[len];
            for (int i = 0; i < n; i++) if (lengths[off + i] != 0) symbols[offsets[lengths[off + i]]++] = i;
            // The table: each code of up to FAST_BITS bits, bit-reversed (deflate sends codes most significant bit
            // first into a stream read least significant first), at every index that starts with it.
            java.util.Arrays.fill(fast, 0);
            int code = 0, k = 0;
            for (int len = 1; len <= FAST_BITS; len++) {
                for (int j = 0; j < counts[len]; j++, k++, code++) {
                    int reversed = Integer.reverse(code) >>> (32 - len);
                    for (int i = reversed; i <= FAST_MASK; i += 1 << len) fast[i] = symbols[k] << 4 | len;
                }
                code <<= 1;
            }
            return this;
        }
    }
}
