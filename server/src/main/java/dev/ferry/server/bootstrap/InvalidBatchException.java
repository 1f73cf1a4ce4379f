package dev.ferry.server.bootstrap;

/**
 * A batch that cannot be created as asked. {@code unprocessable} is true for well-formed input that makes no
 * sense (an expiry in the past), answered 422; malformed input is answered 400.
 */
public final class InvalidBatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean unprocessable;

    public InvalidBatchException(String message, boolean unprocessable) {
        super(message);
        this.unprocessable = unprocessable;
    }

    public boolean unprocessable() {
        return unprocessable;
    }
}
