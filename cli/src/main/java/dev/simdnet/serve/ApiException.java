package dev.simdnet.serve;

/**
 * A request the server refuses, with the HTTP status (a 4xx, or 507 when the corrections folder is full) and a message that says what was wrong; it
 * becomes {@code {"error": message}}.
 */
public final class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        if ((status < 400 || status > 499) && status != 507) throw new IllegalArgumentException("an API error is a 4xx status or 507, got " + status);
        this.status = status;
    }

    public int status() { return status; }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }
}
