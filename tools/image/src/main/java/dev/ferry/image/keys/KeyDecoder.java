package dev.ferry.image.keys;

import static dev.ferry.image.keys.KeyFormatError.MALFORMED_KEY;
import static dev.ferry.image.keys.KeyFormatError.UNSUPPORTED_KEY_TYPE;

import java.io.IOException;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/** Turns decoded ASN.1 key structures into keys of a {@link KeyType}, refusing anything else. */
final class KeyDecoder {

    private KeyDecoder() {
    }

    static ImageSigningKey signingKey(PrivateKeyInfo info) throws KeyFormatException {
        KeyType type = typeOf(info.getPrivateKeyAlgorithm());
        AsymmetricKeyParameter key;
        try {
            key = PrivateKeyFactory.createKey(info);
        } catch (IOException | RuntimeException e) {
            throw new KeyFormatException(MALFORMED_KEY, "the private key is malformed: " + e.getMessage(), e);
        }
        if (type == KeyType.ECDSA_P256) {
            key = new ECPrivateKeyParameters(((ECPrivateKeyParameters) key).getD(), Curves.P256);
        }
        if (key instanceof RSAKeyParameters rsa) {
            type = rsaType(rsa);
            if (!(key instanceof RSAPrivateCrtKeyParameters)) {
                throw new KeyFormatException(UNSUPPORTED_KEY_TYPE, "RSA private keys without CRT parameters are not supported");
            }
        }
        return new ImageSigningKey(type, key);
    }

    static ImagePublicKey publicKey(SubjectPublicKeyInfo info) throws KeyFormatException {
        KeyType type = typeOf(info.getAlgorithm());
        AsymmetricKeyParameter key;
        try {
            key = PublicKeyFactory.createKey(info);
        } catch (IOException | RuntimeException e) {
            throw new KeyFormatException(MALFORMED_KEY, "the public key is malformed: " + e.getMessage(), e);
        }
        if (type == KeyType.ECDSA_P256) {
            key = new ECPublicKeyParameters(((ECPublicKeyParameters) key).getQ(), Curves.P256);
        }
        if (key instanceof RSAKeyParameters rsa) {
            type = rsaType(rsa);
        }
        return new ImagePublicKey(type, key);
    }

    private static KeyType typeOf(AlgorithmIdentifier algorithm) throws KeyFormatException {
        ASN1ObjectIdentifier oid = algorithm.getAlgorithm();
        if (EdECObjectIdentifiers.id_Ed25519.equals(oid)) {
            return KeyType.ED25519;
        }
        if (PKCSObjectIdentifiers.rsaEncryption.equals(oid)) {
            return KeyType.RSA_2048; // refined by modulus size once decoded
        }
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
            if (Curves.P256.getName().equals(algorithm.getParameters())) {
                return KeyType.ECDSA_P256;
            }
            throw new KeyFormatException(UNSUPPORTED_KEY_TYPE, "only the P-256 (secp256r1) curve is supported, not "
                    + algorithm.getParameters() + "; generate a key with 'ferry image keygen --type ecdsa-p256'");
        }
        throw new KeyFormatException(UNSUPPORTED_KEY_TYPE, "keys of algorithm " + oid
                + " cannot sign MCUboot images; use one of: " + KeyType.cliNames());
    }

    private static KeyType rsaType(RSAKeyParameters rsa) throws KeyFormatException {
        int bits = rsa.getModulus().bitLength();
        if (bits == 2048) {
            return KeyType.RSA_2048;
        }
        if (bits == 3072) {
            return KeyType.RSA_3072;
        }
        throw new KeyFormatException(UNSUPPORTED_KEY_TYPE,
                "RSA-" + bits + " keys are not supported by MCUboot; use rsa-2048 or rsa-3072");
    }
}
