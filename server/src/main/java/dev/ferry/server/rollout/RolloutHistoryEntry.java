package dev.ferry.server.rollout;

import java.time.OffsetDateTime;

/**
 * One transition of a rollout, of one of its waves, or of one of its devices; each was one database transaction.
 *
 * @param scope {@code rollout}, {@code wave} or {@code device}
 * @param wave the wave's index, for wave and device entries
 * @param endpoint for device entries
 * @param actor the token name that asked for it, or {@code ferry} when the scheduler decided
 */
public record RolloutHistoryEntry(long id, long rolloutId, String scope, Integer wave, String endpoint,
        String from, String to, String detail, String actor, OffsetDateTime occurredAt) {
}
