package dev.simdnet.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of bytes and files, lower-case hex. */
public final class Checksums {
    private Checksums() {}

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    public static String sha256(Path file) {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e, e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Throws unless {@code bytes} hash to {@code expected}; the message names the file and both hashes. */
    public static void verify(byte[] bytes, String expected, String what) {
        String actual = sha256(bytes);
        if (!actual.equalsIgnoreCase(expected))
            throw new DataException(what + " is corrupt, truncated or not the expected file: SHA-256 is " + actual
                    + ", expected " + expected + "; delete it and download it again");
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
