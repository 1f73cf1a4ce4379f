package dev.ferry.server.events;

import java.time.Instant;

import io.vertx.core.json.JsonObject;

/**
 * One event as the stream and webhooks send it.
 *
 * @param id the device event log's id, the resume cursor; null for telemetry, which is not kept in the log and so
 *        cannot be resumed (the telemetry query answers what a client missed)
 * @param type the event's type name ({@link EventTypes})
 * @param endpoint the device it is about; null for events of no one device (a rollout's own transitions)
 * @param data the JSON the stream sends as the event's data and webhooks as the CloudEvent's data
 */
public record StreamEvent(Long id, String type, String endpoint, Instant at, JsonObject data) {
}
