package dev.ferry.cli.fleet;

import dev.ferry.image.ImageVersion;
import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.keys.KeyPem;
import dev.ferry.image.keys.KeyType;
import dev.ferry.image.sign.ImageSigner;
import dev.ferry.image.sign.SignOptions;
import java.security.SecureRandom;
import java.util.Random;

/** Real MCUboot images for the tests, signed with the image library (as imgtool would sign them). */
final class TestImages {
    private static final SecureRandom RANDOM = new SecureRandom();
    static final int BODY = 8 * 1024;

    private TestImages() {
    }

    static ImageSigningKey newKey() {
        return ImageSigningKey.generate(KeyType.ECDSA_P256, RANDOM);
    }

    static String publicPem(ImageSigningKey key) {
        return KeyPem.publicKeyPem(key.publicKey());
    }

    static byte[] signed(String version, ImageSigningKey key) throws Exception {
        byte[] body = new byte[BODY];
        new Random(version.hashCode()).nextBytes(body);
        return new ImageSigner(RANDOM).sign(body, SignOptions.builder(ImageVersion.parse(version), 0x200)
                .padHeader(true).build(), key);
    }

    /** The image with one byte of its body flipped: its hash no longer matches. */
    static byte[] tampered(byte[] image) {
        byte[] copy = image.clone();
        copy[0x200 + 100] ^= 0x5a;
        return copy;
    }
}
