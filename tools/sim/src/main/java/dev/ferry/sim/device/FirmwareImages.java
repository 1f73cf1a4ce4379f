package dev.ferry.sim.device;

import dev.ferry.image.ImageVersion;
import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.sign.ImageSigner;
import dev.ferry.image.sign.SignException;
import dev.ferry.image.sign.SignOptions;
import java.util.Random;

/**
 * Made-up firmware for simulated devices: MCUboot images with a deterministic body, signed like
 * {@code imgtool sign --pad-header --header-size 0x200}. For tests, demos and benchmarks.
 */
public final class FirmwareImages {
    /** The header area Zephyr's MCUboot images reserve. */
    public static final int HEADER_SIZE = 0x200;

    private FirmwareImages() {
    }

    /** An image of {@code version} with a body of {@code bodySize} bytes, signed by {@code key}. */
    public static byte[] signed(ImageVersion version, int bodySize, ImageSigningKey key) {
        return sign(version, bodySize, key);
    }

    /** An image with only its SHA-256: what a device without trusted keys accepts. */
    public static byte[] unsigned(ImageVersion version, int bodySize) {
        return sign(version, bodySize, null);
    }

    private static byte[] sign(ImageVersion version, int bodySize, ImageSigningKey key) {
        byte[] body = new byte[bodySize];
        new Random(version.hashCode() * 31L + bodySize).nextBytes(body);
        try {
            return new ImageSigner().sign(body, SignOptions.builder(version, HEADER_SIZE).padHeader(true).build(), key);
        } catch (SignException e) {
            throw new IllegalArgumentException("cannot make an image of " + version + ": " + e.getMessage(), e);
        }
    }
}
