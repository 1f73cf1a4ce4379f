package dev.ferry.image.sign;

/** Signing failed because of the input or the options; {@link #reason()} says which rule. */
public final class SignException extends Exception {

    private final SignError reason;

    public SignException(SignError reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SignError reason() {
        return reason;
    }
}
