package dev.ferry.sim.fleet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * How one simulated device authenticates: a PSK identity and key, or nothing (plain CoAP).
 *
 * @param identity the PSK identity, null without a PSK
 * @param key the PSK, null without one
 */
public record DeviceCredentials(String identity, byte[] key) {

    public static final DeviceCredentials NONE = new DeviceCredentials(null, null);

    public DeviceCredentials {
        if ((identity == null) != (key == null)) {
            throw new IllegalArgumentException("a PSK needs both an identity and a key");
        }
        key = key == null ? null : key.clone();
    }

    @Override
    public byte[] key() {
        return key == null ? null : key.clone();
    }

    public boolean hasPsk() {
        return key != null;
    }

    /**
     * A 128-bit PSK derived from the endpoint name alone, so a re-run finds the same key without storing it.
     * Anyone who knows the name can derive it: for simulated devices only.
     */
    public static DeviceCredentials derivedPsk(String endpoint) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("ferry-sim-psk:" + endpoint).getBytes(StandardCharsets.UTF_8));
            return new DeviceCredentials(endpoint, Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return hasPsk() ? "PSK identity " + identity : "no security";
    }
}
