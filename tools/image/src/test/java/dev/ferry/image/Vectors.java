package dev.ferry.image;

import dev.ferry.image.keys.ImagePublicKey;
import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.keys.KeyPem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The imgtool reference files under {@code src/test/resources/imgtool-vectors}. */
public final class Vectors {

    private Vectors() {
    }

    public static byte[] bytes(String name) {
        try (InputStream in = Vectors.class.getResourceAsStream("/imgtool-vectors/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test vector " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.US_ASCII);
    }

    /** One of the imgtool test keys: ed25519, ecdsa-p256, rsa-2048, rsa-3072. Not for production. */
    public static ImageSigningKey signingKey(String type) {
        try {
            return KeyPem.readSigningKey(text("test-" + type + ".pem"));
        } catch (Exception e) {
            throw new IllegalStateException("test key " + type + " does not load", e);
        }
    }

    public static ImagePublicKey publicKey(String type) {
        return signingKey(type).publicKey();
    }

    /** The length of a valid image's header, body and TLVs, without slot padding. */
    public static int imageLength(byte[] bytes) {
        try {
            return McubootImage.parse(bytes).imageLength();
        } catch (ImageFormatException e) {
            throw new IllegalStateException("not a valid image: " + e.getMessage(), e);
        }
    }

    public static McubootImage image(String name) {
        try {
            return McubootImage.parse(bytes(name));
        } catch (ImageFormatException e) {
            throw new IllegalStateException("vector " + name + " does not parse: " + e.getMessage(), e);
        }
    }
}
