package dev.ferry.server.device;

import java.time.OffsetDateTime;

/**
 * A saved group: a named {@link DeviceFilter}. Its members are the devices the filter matches when asked.
 *
 * @param name follows the rules of endpoint names ({@link Names#ENDPOINT})
 * @param description free text for operators, may be null
 * @param createdBy the name of the API token that created it (null when made by the server itself)
 */
public record DeviceGroup(String name, String description, DeviceFilter filter, String createdBy,
        OffsetDateTime createdAt, OffsetDateTime updatedAt) {
}
