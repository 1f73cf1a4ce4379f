package dev.ferry.image.sign;

/** How the signing key is named in the image, as imgtool's {@code --public-key-format}. */
public enum PublicKeyFormat {
    /** A KEYHASH TLV with the SHA-256 of the key; the bootloader holds the key itself. */
    HASH,
    /** A PUBKEY TLV with the whole key; the bootloader holds only its hash. */
    FULL
}
