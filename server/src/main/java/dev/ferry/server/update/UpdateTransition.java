package dev.ferry.server.update;

import java.time.OffsetDateTime;

/** One step of a session's history. */
public record UpdateTransition(long sessionId, UpdateState state, String detail, OffsetDateTime occurredAt) {
}
