package dev.ferry.server.firmware;

import java.util.Locale;

/** Why the repository refused an image; the wire name appears in the problem document as {@code reason}. */
public enum RejectionReason {
    /** The bytes are not a well-formed MCUboot image (the message names the exact defect). */
    MALFORMED_IMAGE,
    /** Encrypted images cannot be verified by the server. */
    ENCRYPTED_IMAGE,
    /** No signature TLV, or no hash TLV to sign. */
    UNSIGNED,
    /** Signed by a key that is not among the trusted signing keys. */
    UNKNOWN_KEY,
    /** The hash in the image does not match its contents: it was changed after signing. */
    TAMPERED,
    /** The signature does not verify with the key the image names. */
    BAD_SIGNATURE,
    /** The same model already has an image with this version. */
    DUPLICATE_VERSION,
    /** The image's security counter is lower than the newest published image's for the model. */
    SECURITY_COUNTER_ROLLBACK,
    /** The image does not fit the model's slot. */
    TOO_LARGE_FOR_SLOT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
