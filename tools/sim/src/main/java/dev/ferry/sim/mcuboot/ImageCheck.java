package dev.ferry.sim.mcuboot;

import dev.ferry.image.ImageFormatError;
import dev.ferry.image.ImageFormatException;
import dev.ferry.image.McubootImage;
import dev.ferry.image.verify.ImageVerifier;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.image.verify.VerificationFailure;
import dev.ferry.image.verify.VerificationResult;

/**
 * The check both the device (before asking for a swap) and MCUboot (before swapping) make: the bytes
 * must parse as an MCUboot image, its hash must match, and a trusted key must have signed it. With no
 * trusted keys only the hash is checked, like a device built without signature checking.
 */
public final class ImageCheck {

    /** Why an image is refused; the device maps each to one Update Result. */
    public enum Failure {
        /** The bytes do not start with the MCUboot image magic. */
        NOT_AN_IMAGE,
        /** The image is encrypted; this device installs only plain images. */
        UNSUPPORTED,
        /** The image is malformed, damaged (hash mismatch) or not signed by a trusted key. */
        NOT_TRUSTED
    }

    /** The image when {@link #failure()} is null; otherwise why not, and a message saying what was wrong. */
    public record Outcome(McubootImage image, Failure failure, String message) {
        public boolean isOk() {
            return failure == null;
        }
    }

    private ImageCheck() {
    }

    public static Outcome check(byte[] bytes, TrustedKeys trustedKeys) {
        McubootImage image;
        try {
            image = McubootImage.parse(bytes);
        } catch (ImageFormatException e) {
            Failure failure = e.reason() == ImageFormatError.BAD_MAGIC ? Failure.NOT_AN_IMAGE : Failure.NOT_TRUSTED;
            return new Outcome(null, failure, e.getMessage());
        }
        VerificationResult result = trustedKeys.isEmpty()
                ? ImageVerifier.checkHash(image) : ImageVerifier.verify(image, trustedKeys);
        if (result.isOk()) {
            return new Outcome(image, null, result.message());
        }
        Failure failure = result.failure().orElseThrow() == VerificationFailure.ENCRYPTED_IMAGE
                ? Failure.UNSUPPORTED : Failure.NOT_TRUSTED;
        return new Outcome(null, failure, result.message());
    }
}
