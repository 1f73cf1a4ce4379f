package dev.ferry.image.verify;

import dev.ferry.image.keys.ImagePublicKey;
import java.util.Optional;

/**
 * The outcome of checking an image: trusted (with the key that signed it, if any), or one
 * {@link VerificationFailure} with a message saying what was wrong.
 */
public final class VerificationResult {

    private final VerificationFailure failure;
    private final String message;
    private final ImagePublicKey signer;

    private VerificationResult(VerificationFailure failure, String message, ImagePublicKey signer) {
        this.failure = failure;
        this.message = message;
        this.signer = signer;
    }

    static VerificationResult ok(ImagePublicKey signer, String message) {
        return new VerificationResult(null, message, signer);
    }

    static VerificationResult failed(VerificationFailure failure, String message) {
        return new VerificationResult(failure, message, null);
    }

    public boolean isOk() {
        return failure == null;
    }

    /** Empty when the image is trusted. */
    public Optional<VerificationFailure> failure() {
        return Optional.ofNullable(failure);
    }

    /** What was checked, or what was wrong and what to do about it. */
    public String message() {
        return message;
    }

    /** The trusted key whose signature verified; empty for a hash-only check or a failure. */
    public Optional<ImagePublicKey> signer() {
        return Optional.ofNullable(signer);
    }

    /** For callers that prefer exceptions: returns this result when trusted, throws otherwise. */
    public VerificationResult orThrow() throws ImageVerificationException {
        if (failure != null) {
            throw new ImageVerificationException(failure, message);
        }
        return this;
    }

    @Override
    public String toString() {
        return isOk() ? "OK: " + message : failure + ": " + message;
    }
}
