package dev.ferry.server.device;

import java.time.OffsetDateTime;
import java.util.List;

/** A provisioned device as the registry knows it. {@code metadata} is a JSON object in text form. */
public record Device(
        String endpoint,
        SecurityMode securityMode,
        String pskIdentity,
        String manufacturer,
        String model,
        String serialNumber,
        String firmwareVersion,
        String lwm2mVersion,
        String bindingMode,
        boolean queueMode,
        String supportedObjects,
        String registrationId,
        String peerAddress,
        Long lifetimeSeconds,
        boolean online,
        OffsetDateTime lastSeen,
        Integer firmwareState,
        Integer firmwareResult,
        String metadata,
        List<String> tags,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {
}
