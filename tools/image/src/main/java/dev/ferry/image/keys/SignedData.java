package dev.ferry.image.keys;

/**
 * What a signature covers. MCUboot's schemes differ: ECDSA and RSA-PSS sign the hashed region
 * with SHA-256; Ed25519 signs the image digest, or the region itself for a "pure" signature.
 *
 * @param hashedRegion header, body and protected TLVs: what MCUboot hashes
 * @param digest the image hash, as stored in the SHA TLV
 * @param pure true when the image carries SIG_PURE
 */
public record SignedData(byte[] hashedRegion, byte[] digest, boolean pure) {
}
