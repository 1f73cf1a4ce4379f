package dev.ferry.server.command;

import java.time.OffsetDateTime;

import io.vertx.core.json.JsonObject;

/**
 * One queued command as stored.
 *
 * @param jobId the fleet command job that made it, or null
 * @param payload what the kind needs besides the path: {@code value}, {@code values}, {@code arguments} or
 *        {@code attributes}
 * @param responseCode the device's CoAP response code name (e.g. {@code CONTENT}), null before it answered
 * @param result the value the device returned (JSON), or null
 * @param error what went wrong, for people, or null
 */
public record Command(long id, String endpoint, Long jobId, CommandKind kind, String path, JsonObject payload,
        CommandState state, int attempts, String responseCode, Object result, String error, OffsetDateTime deadline,
        String createdBy, OffsetDateTime createdAt, OffsetDateTime sentAt, OffsetDateTime finishedAt) {
}
