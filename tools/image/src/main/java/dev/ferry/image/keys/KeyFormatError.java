package dev.ferry.image.keys;

/** Why a key file could not be used. */
public enum KeyFormatError {
    /** The text holds no PEM block we can read. */
    NOT_PEM,
    /** The key is password-protected; Ferry reads unencrypted PEM keys only. */
    ENCRYPTED_KEY,
    /** The key is of a type or size MCUboot cannot verify (e.g. RSA-1024, P-384, X25519). */
    UNSUPPORTED_KEY_TYPE,
    /** A private key was needed (to sign) but the file holds only a public key. */
    PUBLIC_KEY_ONLY,
    /** The PEM block decodes but its contents are not a valid key. */
    MALFORMED_KEY
}
