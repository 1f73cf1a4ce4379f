package dev.ferry.image.keys;

import java.security.SecureRandom;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.PSSSigner;

/** RSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt: the only parameters MCUboot accepts. */
final class RsaPssScheme implements SignatureScheme {

    /** Fixed format: MCUboot's {@code PSS_SLEN}. */
    private static final int SALT_LENGTH = 32;

    private final int bits;

    RsaPssScheme(int bits) {
        this.bits = bits;
    }

    @Override
    public byte[] sign(AsymmetricKeyParameter privateKey, SignedData data, SecureRandom random) {
        PSSSigner signer = signer();
        signer.init(true, new ParametersWithRandom(privateKey, random));
        signer.update(data.hashedRegion(), 0, data.hashedRegion().length);
        try {
            return signer.generateSignature();
        } catch (org.bouncycastle.crypto.CryptoException e) {
            throw new IllegalStateException("RSA-PSS signing failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean verify(AsymmetricKeyParameter publicKey, SignedData data, byte[] signature) {
        if (signature.length != bits / 8) {
            return false; // MCUboot's EXPECTED_SIG_LEN
        }
        PSSSigner verifier = signer();
        verifier.init(false, publicKey);
        verifier.update(data.hashedRegion(), 0, data.hashedRegion().length);
        try {
            return verifier.verifySignature(signature);
        } catch (RuntimeException e) {
            return false; // a signature not below the modulus is just a bad signature
        }
    }

    private static PSSSigner signer() {
        return new PSSSigner(new RSABlindedEngine(), new SHA256Digest(), SALT_LENGTH);
    }
}
