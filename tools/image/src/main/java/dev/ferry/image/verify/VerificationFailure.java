package dev.ferry.image.verify;

/** Why an image that parsed fine is still not to be trusted. */
public enum VerificationFailure {
    /** The body is encrypted and its hash covers the plaintext, which we cannot see. */
    ENCRYPTED_IMAGE,
    /** No SHA256/SHA384/SHA512 TLV: MCUboot refuses an image without one. */
    MISSING_HASH,
    /** The hash TLV does not match header, body and protected TLVs: the image was altered or damaged. */
    HASH_MISMATCH,
    /** No signature TLV at all: the image was signed without a key. */
    MISSING_SIGNATURE,
    /** Signatures exist but none is announced by a KEYHASH or PUBKEY of a trusted key. */
    UNKNOWN_KEY,
    /** A trusted key is announced but the signature that follows is of another key type. */
    KEY_TYPE_MISMATCH,
    /** A trusted key is announced but its signature does not verify. */
    BAD_SIGNATURE
}
