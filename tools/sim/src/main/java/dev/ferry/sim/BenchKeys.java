package dev.ferry.sim;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Deterministic per-device names and PSKs, so the benchmarks and the baseline server agree without exchanging keys,
 * and the request that provisions such a device in Ferry.
 */
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

    /**
     * POST /api/v1/devices for a benchmark device: its PSK when {@code secure}, else security mode none; with
     * {@code token} as the bearer token unless it is null.
     */
    public static HttpRequest provisioningRequest(String api, String endpoint, boolean secure, Duration timeout,
            String token) {
        String security = secure ? "{\"mode\":\"psk\",\"identity\":\"" + endpoint + "\",\"key\":\""
                + HexFormat.of().formatHex(psk(endpoint)) + "\"}" : "{\"mode\":\"none\"}";
        return dev.ferry.sim.http.ApiToken.authorize(HttpRequest.newBuilder(URI.create(api + "/api/v1/devices")), token)
                .timeout(timeout).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"endpoint\":\"" + endpoint + "\",\"security\":" + security + "}"))
                .build();
    }
}
