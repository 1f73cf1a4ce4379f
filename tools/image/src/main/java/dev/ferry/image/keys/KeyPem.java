package dev.ferry.image.keys;

import static dev.ferry.image.keys.KeyFormatError.ENCRYPTED_KEY;
import static dev.ferry.image.keys.KeyFormatError.MALFORMED_KEY;
import static dev.ferry.image.keys.KeyFormatError.NOT_PEM;
import static dev.ferry.image.keys.KeyFormatError.PUBLIC_KEY_ONLY;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads and writes keys as PEM, the way imgtool does: private keys as unencrypted PKCS#8
 * ({@code BEGIN PRIVATE KEY}, imgtool's {@code export_private} for every key type), public
 * keys as SubjectPublicKeyInfo ({@code BEGIN PUBLIC KEY}). Traditional OpenSSL private keys
 * ({@code BEGIN EC PRIVATE KEY}, {@code BEGIN RSA PRIVATE KEY}) are read too.
 */
public final class KeyPem {

    private KeyPem() {
    }

    public static ImageSigningKey readSigningKey(Path file) throws IOException, KeyFormatException {
        return readSigningKey(Files.readString(file, StandardCharsets.US_ASCII));
    }

    public static ImageSigningKey readSigningKey(String pem) throws KeyFormatException {
        Object parsed = readPemObject(pem);
        if (parsed instanceof SubjectPublicKeyInfo) {
            throw new KeyFormatException(PUBLIC_KEY_ONLY,
                    "this file holds only a public key; signing needs the private key made by 'ferry image keygen'");
        }
        return KeyDecoder.signingKey(privateKeyInfo(parsed));
    }

    /** Reads a public key, or derives it from a private key, as imgtool's {@code getpub} accepts both. */
    public static ImagePublicKey readPublicKey(Path file) throws IOException, KeyFormatException {
        return readPublicKey(Files.readString(file, StandardCharsets.US_ASCII));
    }

    public static ImagePublicKey readPublicKey(String pem) throws KeyFormatException {
        Object parsed = readPemObject(pem);
        if (parsed instanceof SubjectPublicKeyInfo spki) {
            return KeyDecoder.publicKey(spki);
        }
        return KeyDecoder.signingKey(privateKeyInfo(parsed)).publicKey();
    }

    /** The private key as unencrypted PKCS#8 PEM, byte for byte what imgtool's keygen writes. */
    public static String privateKeyPem(ImageSigningKey key) {
        return pem("PRIVATE KEY", pkcs8(key));
    }

    /** The public key as SubjectPublicKeyInfo PEM, what {@code imgtool getpub --encoding pem} prints. */
    public static String publicKeyPem(ImagePublicKey key) {
        return pem("PUBLIC KEY", key.subjectPublicKeyInfo());
    }

    private static byte[] pkcs8(ImageSigningKey key) {
        try {
            PrivateKeyInfo info;
            if (key.parameters() instanceof Ed25519PrivateKeyParameters ed) {
                // Without the optional public key: imgtool writes PKCS#8 v1, BouncyCastle's factory v2.
                info = new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                        new DEROctetString(ed.getEncoded()));
            } else if (key.parameters() instanceof ECPrivateKeyParameters ec) {
                // With the public point but without the curve repeated inside, as OpenSSL writes PKCS#8.
                byte[] point = ((ECPublicKeyParameters) key.publicKey().parameters()).getQ().getEncoded(false);
                info = new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                        Curves.P256.getName()), new ECPrivateKey(256, ec.getD(), new DERBitString(point), null));
            } else {
                info = PrivateKeyInfoFactory.createPrivateKeyInfo((RSAPrivateCrtKeyParameters) key.parameters());
            }
            return info.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("encoding a private key in memory failed", e);
        }
    }

    private static String pem(String label, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label + "-----\n";
    }

    private static Object readPemObject(String pem) throws KeyFormatException {
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            parsed = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new KeyFormatException(MALFORMED_KEY, "the PEM key could not be decoded: " + e.getMessage(), e);
        }
        if (parsed == null) {
            throw new KeyFormatException(NOT_PEM,
                    "no PEM key found; expected a '-----BEGIN PRIVATE KEY-----' or '-----BEGIN PUBLIC KEY-----' block");
        }
        if (parsed instanceof PKCS8EncryptedPrivateKeyInfo || parsed instanceof PEMEncryptedKeyPair) {
            throw new KeyFormatException(ENCRYPTED_KEY,
                    "the key is password-protected; export it without a password (openssl pkcs8 -nocrypt)");
        }
        return parsed;
    }

    private static PrivateKeyInfo privateKeyInfo(Object parsed) throws KeyFormatException {
        if (parsed instanceof PrivateKeyInfo info) {
            return info;
        }
        if (parsed instanceof PEMKeyPair pair && pair.getPrivateKeyInfo() != null) {
            return pair.getPrivateKeyInfo();
        }
        throw new KeyFormatException(MALFORMED_KEY, "the PEM block is a " + parsed.getClass().getSimpleName()
                + ", not a private or public key");
    }
}
