package dev.ferry.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/** Deterministic per-device PSKs, so the benchmark and the baseline server agree without exchanging keys. */
public final class BenchKeys {
    private BenchKeys() {
    }

    public static String endpoint(String prefix, int index) {
        return prefix + "-" + index;
    }

    public static byte[] psk(String endpoint) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("ferry-bench-psk:" + endpoint).getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(digest, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
