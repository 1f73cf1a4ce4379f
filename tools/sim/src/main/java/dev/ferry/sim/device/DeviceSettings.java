package dev.ferry.sim.device;

import dev.ferry.image.verify.TrustedKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Locale;

/** A device's fixed configuration, as {@link SimDevice.Builder} assembled it. */
record DeviceSettings(
        String endpoint,
        URI serverUri,
        String pskIdentity,
        byte[] pskKey,
        TrustedKeys trustedKeys,
        int slotSize,
        long lifetimeSeconds,
        boolean queueMode,
        Faults faults,
        HealthCheck healthCheck,
        int coapBlockSize,
        Duration rebootDelay,
        Duration confirmDeadline,
        Duration healthCheckDelay,
        int downloadRetries,
        Duration retryDelay,
        Duration ackTimeout,
        int maxRetransmit,
        int persistInterval,
        Duration powerOffTime,
        long seed,
        String model,
        String packageName,
        HttpClient httpClient) {

    /** @throws IllegalStateException naming what is missing or inconsistent */
    DeviceSettings {
        require(serverUri != null, "a server URI is required: server(\"coap://127.0.0.1:5683\")");
        String scheme = String.valueOf(serverUri.getScheme()).toLowerCase(Locale.ROOT);
        require(scheme.equals("coap") || scheme.equals("coaps"), "the server URI must be coap:// or coaps://, not "
                + serverUri);
        require(serverUri.getHost() != null, "the server URI " + serverUri + " names no host");
        require(!scheme.equals("coaps") || pskKey != null, "a coaps server needs psk(identity, key)");
        require(Integer.bitCount(coapBlockSize) == 1 && coapBlockSize >= 16 && coapBlockSize <= 1024,
                "the CoAP block size must be a power of two from 16 to 1024, not " + coapBlockSize);
        require(slotSize >= 64, "the slot size must be at least 64 bytes");
        require(persistInterval > 0, "the persist interval must be positive");
        require(downloadRetries >= 0, "download retries must not be negative");
        require(lifetimeSeconds > 0, "the lifetime must be positive");
        require(faults.sleepPeriod() == null || faults.sleepPeriod().toSeconds() < lifetimeSeconds,
                "a sleeping device must wake (every " + faults.sleepPeriod() + ") within its lifetime");
    }

    /** The HTTP client devices share unless given one; made on first use. */
    static HttpClient sharedHttpClient() {
        return SharedHttp.CLIENT;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private static final class SharedHttp {
        static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }
}
