package dev.ferry.sim.testing;

import dev.ferry.image.ImageVersion;
import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.keys.KeyType;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.sim.device.FirmwareImages;
import java.security.SecureRandom;

/** Signed images shared by the tests: made once, with one ECDSA P-256 key. */
public final class TestFirmware {
    public static final ImageSigningKey KEY = ImageSigningKey.generate(KeyType.ECDSA_P256, new SecureRandom());
    public static final TrustedKeys TRUSTED = TrustedKeys.of(KEY.publicKey());
    public static final ImageVersion OLD_VERSION = new ImageVersion(1, 0, 0, 0);
    public static final ImageVersion NEW_VERSION = new ImageVersion(1, 1, 0, 7);
    /** The image devices start with. */
    public static final byte[] OLD = FirmwareImages.signed(OLD_VERSION, 12_000, KEY);
    /** The image they update to: 20 KB, several CoAP blocks at any size. */
    public static final byte[] NEW = FirmwareImages.signed(NEW_VERSION, 20_000, KEY);

    private TestFirmware() {
    }
}
