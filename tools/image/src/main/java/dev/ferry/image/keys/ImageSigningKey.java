package dev.ferry.image.keys;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/** A private key that signs MCUboot images. Keep it out of logs: it has no {@code toString} secret. */
public final class ImageSigningKey {

    /** Fixed by imgtool and MCUboot: RSA keys use the public exponent 65537. */
    private static final BigInteger RSA_PUBLIC_EXPONENT = BigInteger.valueOf(65537);

    private final KeyType type;
    private final AsymmetricKeyParameter key;
    private final ImagePublicKey publicKey;

    ImageSigningKey(KeyType type, AsymmetricKeyParameter key) {
        this.type = type;
        this.key = key;
        this.publicKey = new ImagePublicKey(type, derivePublic(key));
    }

    /** A fresh key of the given type, as {@code imgtool keygen} would make. */
    public static ImageSigningKey generate(KeyType type, SecureRandom random) {
        AsymmetricKeyParameter privateKey = switch (type) {
            case ED25519 -> new Ed25519PrivateKeyParameters(random);
            case ECDSA_P256 -> {
                ECKeyPairGenerator generator = new ECKeyPairGenerator();
                generator.init(new ECKeyGenerationParameters(Curves.P256, random));
                yield generator.generateKeyPair().getPrivate();
            }
            case RSA_2048, RSA_3072 -> {
                RSAKeyPairGenerator generator = new RSAKeyPairGenerator();
                int bits = type == KeyType.RSA_2048 ? 2048 : 3072;
                generator.init(new RSAKeyGenerationParameters(RSA_PUBLIC_EXPONENT, random, bits, 144));
                AsymmetricCipherKeyPair pair = generator.generateKeyPair();
                yield pair.getPrivate();
            }
        };
        return new ImageSigningKey(type, privateKey);
    }

    public KeyType type() {
        return type;
    }

    public ImagePublicKey publicKey() {
        return publicKey;
    }

    AsymmetricKeyParameter parameters() {
        return key;
    }

    /** Signs what MCUboot will verify; see {@link SignedData} for what each key type covers. */
    public byte[] sign(SignedData data, SecureRandom random) {
        return type.scheme().sign(key, data, random);
    }

    @Override
    public String toString() {
        return type.cliName() + " signing key for " + publicKey;
    }

    private static AsymmetricKeyParameter derivePublic(AsymmetricKeyParameter key) {
        if (key instanceof Ed25519PrivateKeyParameters ed) {
            return ed.generatePublicKey();
        }
        if (key instanceof ECPrivateKeyParameters ec) {
            return new ECPublicKeyParameters(
                    new FixedPointCombMultiplier().multiply(ec.getParameters().getG(), ec.getD()).normalize(),
                    ec.getParameters());
        }
        if (key instanceof RSAPrivateCrtKeyParameters rsa) {
            return new RSAKeyParameters(false, rsa.getModulus(), rsa.getPublicExponent());
        }
        throw new IllegalArgumentException("not a private key of a supported type: " + key.getClass().getSimpleName());
    }
}
