package dev.ferry.server.events;

import java.time.OffsetDateTime;
import java.util.Set;

/**
 * A receiver of device events.
 *
 * @param types the concrete type names it is sent ({@link EventTypes#parse}); empty for every type but telemetry
 * @param device only events of this device; null for any
 * @param group only events of the devices of this saved group, as it is when the event is queued; null for any
 * @param disabledReason why the server stopped sending to it; null while enabled
 * @param afterEventId the newest device event when it was made: it is told of later ones only
 */
public record Webhook(long id, String url, Set<String> types, String device, String group, boolean enabled,
        String disabledReason, String createdBy, OffsetDateTime createdAt, long afterEventId) {
}
