package dev.ferry.image.keys;

/** A key file that cannot be used; {@link #reason()} says why. */
public final class KeyFormatException extends Exception {

    private final KeyFormatError reason;

    public KeyFormatException(KeyFormatError reason, String message) {
        super(message);
        this.reason = reason;
    }

    public KeyFormatException(KeyFormatError reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public KeyFormatError reason() {
        return reason;
    }
}
