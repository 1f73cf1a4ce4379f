package dev.ferry.server.device;

import java.time.OffsetDateTime;

/**
 * One entry of the device event log. {@code endpoint} is null when the device could not be identified (for
 * example a DTLS handshake with an unknown PSK identity).
 */
public record DeviceEvent(long id, String endpoint, DeviceEventType type, String detail, String peerAddress,
        OffsetDateTime occurredAt) {
}
