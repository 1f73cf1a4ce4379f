package dev.ferry.image.keys;

import java.security.SecureRandom;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Ed25519 as imgtool signs it: over the image digest (imgtool's {@code sign_digest}), or over the
 * hashed region when the image is marked SIG_PURE. Deterministic, so our output equals imgtool's.
 */
final class Ed25519Scheme implements SignatureScheme {

    /** Fixed format: an Ed25519 signature TLV is exactly 64 bytes. */
    private static final int SIGNATURE_LENGTH = 64;

    @Override
    public byte[] sign(AsymmetricKeyParameter privateKey, SignedData data, SecureRandom random) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        byte[] message = message(data);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    @Override
    public boolean verify(AsymmetricKeyParameter publicKey, SignedData data, byte[] signature) {
        if (signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, publicKey);
        byte[] message = message(data);
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    private static byte[] message(SignedData data) {
        return data.pure() ? data.hashedRegion() : data.digest();
    }
}
