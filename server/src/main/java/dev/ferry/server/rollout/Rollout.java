package dev.ferry.server.rollout;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * A rollout as stored and shown.
 *
 * @param firmwareId the image every device gets; null for a reverse rollout, where each device gets its own
 *        previous image
 * @param currentWave index (from 0) of the wave running or last run; null before the first
 * @param waveCount waves planned so far (a dynamic target can add devices to later waves, not waves)
 * @param counts devices per state, over all waves; every state present, zeros included
 * @param rollbackOf the rollout this one reverses, or null
 * @param rolledBackBy the reverse rollout of this one, or null
 */
public record Rollout(long id, String name, Long firmwareId, RolloutSpec spec, RolloutStatus status,
        String statusDetail, Integer currentWave, int waveCount, Map<RolloutDeviceState, Integer> counts,
        Long rollbackOf, Long rolledBackBy, String createdBy, OffsetDateTime createdAt, OffsetDateTime updatedAt,
        OffsetDateTime startedAt, OffsetDateTime finishedAt) {
}
