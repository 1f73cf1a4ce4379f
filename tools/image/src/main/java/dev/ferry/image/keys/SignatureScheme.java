package dev.ferry.image.keys;

import java.security.SecureRandom;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;

/** One signature algorithm as MCUboot checks it; one implementation per file, like bootutil. */
interface SignatureScheme {

    byte[] sign(AsymmetricKeyParameter privateKey, SignedData data, SecureRandom random);

    /** Never throws on a malformed signature: any such signature simply does not verify. */
    boolean verify(AsymmetricKeyParameter publicKey, SignedData data, byte[] signature);
}
