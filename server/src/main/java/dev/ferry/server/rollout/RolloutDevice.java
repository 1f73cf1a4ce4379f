package dev.ferry.server.rollout;

import java.time.OffsetDateTime;

/**
 * One device of a rollout.
 *
 * @param reason a failure reason's wire name ({@code reverted}, {@code timed-out}...) or a skip reason
 *        ({@code already-on-version}, {@code model-mismatch}, {@code security-counter}...); null otherwise
 * @param sessionId the update session of its latest attempt, null before the first
 * @param previousFirmwareId the published image it ran before this rollout reached it (what a rollback
 *        installs), null when not known
 */
public record RolloutDevice(long rolloutId, String endpoint, int wave, RolloutDeviceState state, int attempts,
        String reason, String detail, Long sessionId, String previousVersion, Long previousFirmwareId,
        OffsetDateTime nextAttemptAt, OffsetDateTime updatedAt) {
}
