package dev.ferry.image.keys;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.signers.DSADigestSigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

/**
 * ECDSA P-256 with SHA-256 over the hashed region, DER-encoded, as imgtool's {@code ECDSA256P1}
 * signs it. We pick the nonce per RFC 6979, so signing the same input twice gives the same bytes.
 */
final class EcdsaP256Scheme implements SignatureScheme {

    @Override
    public byte[] sign(AsymmetricKeyParameter privateKey, SignedData data, SecureRandom random) {
        DSADigestSigner signer = signer();
        signer.init(true, privateKey);
        signer.update(data.hashedRegion(), 0, data.hashedRegion().length);
        return signer.generateSignature();
    }

    @Override
    public boolean verify(AsymmetricKeyParameter publicKey, SignedData data, byte[] signature) {
        byte[] der = withoutLegacyPadding(signature);
        if (der == null) {
            return false;
        }
        DSADigestSigner verifier = signer();
        verifier.init(false, publicKey);
        verifier.update(data.hashedRegion(), 0, data.hashedRegion().length);
        return verifier.verifySignature(der);
    }

    /**
     * imgtool's {@code --pad-sig} pads the DER signature with zeros to 72 bytes for MCUboot
     * before 1.5; imgtool's own verify strips to the DER length ({@code sig[1] + 2}), and so do we.
     */
    private static byte[] withoutLegacyPadding(byte[] signature) {
        if (signature.length < 2 || signature[0] != 0x30 || (signature[1] & 0x80) != 0) {
            return null;
        }
        int length = signature[1] + 2;
        return length > signature.length ? null : Arrays.copyOf(signature, length);
    }

    private static DSADigestSigner signer() {
        return new DSADigestSigner(new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest())), new SHA256Digest());
    }
}
