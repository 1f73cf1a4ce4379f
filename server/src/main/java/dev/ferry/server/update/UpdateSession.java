package dev.ferry.server.update;

import java.time.OffsetDateTime;

/**
 * A session as stored. The engine keeps its own working copy ({@link ActiveSession}); this is what the API and the
 * database see.
 */
public record UpdateSession(long id, String endpoint, long firmwareId, Delivery delivery, UpdateState state,
        FailureReason failureReason, String detail, String previousVersion, int attempts, OffsetDateTime deadlineAt,
        OffsetDateTime phaseStartedAt, OffsetDateTime nextAttemptAt, OffsetDateTime createdAt,
        OffsetDateTime updatedAt, OffsetDateTime finishedAt) {

    UpdateSession moved(UpdateState to, FailureReason reason, String why, OffsetDateTime now) {
        return new UpdateSession(id, endpoint, firmwareId, delivery, to, reason, why, previousVersion, attempts,
                deadlineAt, to == state ? phaseStartedAt : now, nextAttemptAt, createdAt, now,
                to.isFinal() ? now : null);
    }

    UpdateSession withAttempt(int attempt, OffsetDateTime retryAt) {
        return new UpdateSession(id, endpoint, firmwareId, delivery, state, failureReason, detail, previousVersion,
                attempt, deadlineAt, phaseStartedAt, retryAt, createdAt, updatedAt, finishedAt);
    }

    UpdateSession withPreviousVersion(String version) {
        return new UpdateSession(id, endpoint, firmwareId, delivery, state, failureReason, detail, version,
                attempts, deadlineAt, phaseStartedAt, nextAttemptAt, createdAt, updatedAt, finishedAt);
    }
}
