package dev.simdnet.data;

/**
 * Something is wrong with a data file, an image or a download. The message says what is wrong and, where
 * there is one, what to do about it; callers (the CLI) print it as is.
 */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
