package dev.ferry.server.rollout;

import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Map;

/**
 * One wave of a rollout and what its gate decided.
 *
 * @param planned devices the wave was given when it started (0 before)
 * @param gateDetail the last gate decision in words ("97 % of 40 succeeded: next wave"), null before
 */
public record RolloutWave(long rolloutId, int index, Status status, int planned,
        Map<RolloutDeviceState, Integer> counts, String gateDetail, OffsetDateTime startedAt,
        OffsetDateTime endedAt) {

    public enum Status {
        PENDING, RUNNING, AWAITING_PROMOTION, PASSED, FAILED, CANCELLED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
