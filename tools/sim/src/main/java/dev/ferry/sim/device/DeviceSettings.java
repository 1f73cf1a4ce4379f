package dev.ferry.sim.device;

import dev.ferry.image.verify.TrustedKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

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
}
