package dev.ferry.image;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The TLV types MCUboot defines ({@code IMAGE_TLV_*} in {@code image.h}).
 *
 * <p>Fixed format: the codes are read by bootloaders in the field. A TLV whose type is not
 * listed here is not an error: it is kept byte for byte and reported as unknown.
 */
public enum TlvType {
    KEYHASH(0x01, "hash of the signing public key"),
    PUBKEY(0x02, "signing public key"),
    SHA256(0x10, "SHA-256 of header, body and protected TLVs"),
    SHA384(0x11, "SHA-384 of header, body and protected TLVs"),
    SHA512(0x12, "SHA-512 of header, body and protected TLVs"),
    RSA2048_PSS(0x20, "RSA-2048 PSS signature"),
    ECDSA224(0x21, "ECDSA P-224 signature (no longer supported by MCUboot)"),
    ECDSA_SIG(0x22, "ECDSA signature"),
    RSA3072_PSS(0x23, "RSA-3072 PSS signature"),
    ED25519(0x24, "Ed25519 signature"),
    SIG_PURE(0x25, "signature is over the image, not its hash"),
    ENC_RSA2048(0x30, "AES key encrypted with RSA-OAEP-2048"),
    ENC_KW(0x31, "AES key wrapped with AES-KW"),
    ENC_EC256(0x32, "AES key encrypted with ECIES-P256"),
    ENC_X25519(0x33, "AES key encrypted with ECIES-X25519"),
    ENC_X25519_SHA512(0x34, "AES key encrypted with ECIES-X25519 and SHA-512"),
    DEPENDENCY(0x40, "dependency on another image"),
    SEC_CNT(0x50, "security counter"),
    BOOT_RECORD(0x60, "measured boot record (CBOR)"),
    DECOMP_SIZE(0x70, "decompressed image size"),
    DECOMP_SHA(0x71, "decompressed image hash"),
    DECOMP_SIGNATURE(0x72, "decompressed image signature"),
    COMP_DEC_SIZE(0x73, "compressed decrypted image size"),
    UUID_VID(0x74, "vendor UUID"),
    UUID_CID(0x75, "image class UUID");

    private static final Map<Integer, TlvType> BY_CODE = new HashMap<>();

    static {
        for (TlvType type : values()) {
            BY_CODE.put(type.code, type);
        }
    }

    private final int code;
    private final String description;

    TlvType(int code, String description) {
        this.code = code;
        this.description = description;
    }

    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    public static Optional<TlvType> fromCode(int code) {
        return Optional.ofNullable(BY_CODE.get(code));
    }

    /** True for the signature TLVs MCUboot checks against a key. */
    public boolean isSignature() {
        return this == RSA2048_PSS || this == ECDSA224 || this == ECDSA_SIG
                || this == RSA3072_PSS || this == ED25519;
    }

    /** True for the hash TLVs ({@code EXPECTED_HASH_TLV} candidates). */
    public boolean isHash() {
        return this == SHA256 || this == SHA384 || this == SHA512;
    }

    /**
     * True for TLVs whose value only means something when the signature covers it. MCUboot
     * reads them from the protected area only, so an unprotected copy is a forgery risk.
     */
    public boolean mustBeProtected() {
        return this == SEC_CNT || this == DEPENDENCY || this == BOOT_RECORD
                || this == UUID_VID || this == UUID_CID || this == DECOMP_SIZE
                || this == DECOMP_SHA || this == DECOMP_SIGNATURE || this == COMP_DEC_SIZE;
    }
}
