package dev.ferry.image.keys;

import dev.ferry.image.ImageHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

/** A public key that can verify MCUboot image signatures. */
public final class ImagePublicKey {

    private final KeyType type;
    private final AsymmetricKeyParameter key;

    ImagePublicKey(KeyType type, AsymmetricKeyParameter key) {
        this.type = type;
        this.key = key;
    }

    public KeyType type() {
        return type;
    }

    AsymmetricKeyParameter parameters() {
        return key;
    }

    /**
     * The bytes MCUboot embeds in the bootloader and imgtool hashes for the KEYHASH TLV:
     * the DER SubjectPublicKeyInfo for ECDSA and Ed25519, but the bare PKCS#1 RSAPublicKey for RSA
     * (imgtool's {@code get_public_bytes}).
     */
    public byte[] mcubootEncoding() {
        try {
            if (key instanceof RSAKeyParameters rsa) {
                return new RSAPublicKey(rsa.getModulus(), rsa.getExponent()).getEncoded(ASN1Encoding.DER);
            }
            return subjectPublicKeyInfo();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a public key in memory failed", e);
        }
    }

    /** The DER SubjectPublicKeyInfo, the body of a {@code PUBLIC KEY} PEM block for every type. */
    public byte[] subjectPublicKeyInfo() {
        try {
            return SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a public key in memory failed", e);
        }
    }

    /** SHA-256 of {@link #mcubootEncoding()}: the KEYHASH TLV value and what MCUboot's key lookup compares. */
    public byte[] keyHash() {
        return keyHash(ImageHash.SHA256);
    }

    /** The key hash as imgtool computes it for an image hashed with {@code hash}. */
    public byte[] keyHash(ImageHash hash) {
        return hash.compute(mcubootEncoding());
    }

    /** True when {@code signature} is valid for {@code data} under this key; never throws on bad input. */
    public boolean verify(SignedData data, byte[] signature) {
        try {
            return type.scheme().verify(key, data, signature);
        } catch (RuntimeException e) {
            return false; // a malformed signature is a signature that does not verify
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImagePublicKey other && type == other.type
                && Arrays.equals(mcubootEncoding(), other.mcubootEncoding());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mcubootEncoding());
    }

    @Override
    public String toString() {
        return type.cliName() + " key " + HexFormat.of().formatHex(keyHash());
    }
}
