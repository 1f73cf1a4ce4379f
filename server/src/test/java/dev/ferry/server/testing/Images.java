package dev.ferry.server.testing;

import java.security.SecureRandom;
import java.util.Random;

import dev.ferry.image.ImageVersion;
import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.keys.KeyPem;
import dev.ferry.image.keys.KeyType;
import dev.ferry.image.sign.ImageSigner;
import dev.ferry.image.sign.SignException;
import dev.ferry.image.sign.SignOptions;

/** Real MCUboot images for tests, signed with the project's own signer (byte-compatible with imgtool). */
public final class Images {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Images() {
    }

    public static ImageSigningKey newKey() {
        return ImageSigningKey.generate(KeyType.ECDSA_P256, RANDOM);
    }

    public static String publicPem(ImageSigningKey key) {
        return KeyPem.publicKeyPem(key.publicKey());
    }

    /** A firmware body of pseudo-random bytes (seeded, so the same arguments give the same image body). */
    public static byte[] body(int size, long seed) {
        byte[] body = new byte[size];
        new Random(seed).nextBytes(body);
        return body;
    }

    public static byte[] signed(String version, int bodySize, ImageSigningKey key) {
        return signed(version, bodySize, key, null);
    }

    /** {@code key} null gives an unsigned image carrying only its SHA-256. */
    public static byte[] signed(String version, int bodySize, ImageSigningKey key, Long securityCounter) {
        SignOptions.Builder options = SignOptions.builder(ImageVersion.parse(version), 0x200).padHeader(true);
        if (securityCounter != null) {
            options.securityCounter(securityCounter);
        }
        try {
            return new ImageSigner(RANDOM).sign(body(bodySize, version.hashCode()), options.build(), key);
        } catch (SignException e) {
            throw new IllegalStateException("signing a test image failed: " + e.getMessage(), e);
        }
    }
}
