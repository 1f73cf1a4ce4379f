package dev.ferry.image.keys;

import dev.ferry.image.TlvType;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The signing key types MCUboot verifies, named as imgtool's {@code keygen --type} names them. */
public enum KeyType {
    ECDSA_P256("ecdsa-p256", "ecdsa", TlvType.ECDSA_SIG, new EcdsaP256Scheme()),
    ED25519("ed25519", "ed25519", TlvType.ED25519, new Ed25519Scheme()),
    RSA_2048("rsa-2048", "rsa", TlvType.RSA2048_PSS, new RsaPssScheme(2048)),
    RSA_3072("rsa-3072", "rsa", TlvType.RSA3072_PSS, new RsaPssScheme(3072));

    private final String cliName;
    private final String shortName;
    private final TlvType signatureTlv;
    private final SignatureScheme scheme;

    KeyType(String cliName, String shortName, TlvType signatureTlv, SignatureScheme scheme) {
        this.cliName = cliName;
        this.shortName = shortName;
        this.signatureTlv = signatureTlv;
        this.scheme = scheme;
    }

    /** The name on the command line, e.g. {@code ecdsa-p256}. */
    public String cliName() {
        return cliName;
    }

    /** imgtool's {@code shortname()}, used in the C symbol {@code <shortname>_pub_key}. */
    public String shortName() {
        return shortName;
    }

    /** The TLV that carries this key type's signature. */
    public TlvType signatureTlv() {
        return signatureTlv;
    }

    SignatureScheme scheme() {
        return scheme;
    }

    public static Optional<KeyType> fromCliName(String name) {
        return Arrays.stream(values()).filter(t -> t.cliName.equalsIgnoreCase(name)).findFirst();
    }

    public static String cliNames() {
        return Arrays.stream(values()).map(KeyType::cliName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
