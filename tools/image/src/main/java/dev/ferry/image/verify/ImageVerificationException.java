package dev.ferry.image.verify;

/** An image that is well-formed but not trusted; {@link #reason()} says why. */
public final class ImageVerificationException extends Exception {

    private final VerificationFailure reason;

    public ImageVerificationException(VerificationFailure reason, String message) {
        super(message);
        this.reason = reason;
    }

    public VerificationFailure reason() {
        return reason;
    }
}
