package dev.ferry.server.firmware;

import java.time.OffsetDateTime;

/** What the server knows about a device model's hardware; a null slot size means unknown (not checked). */
public record DeviceModel(String name, Long slotSize, OffsetDateTime updatedAt) {
}
