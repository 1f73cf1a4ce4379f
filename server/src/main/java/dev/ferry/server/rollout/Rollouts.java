package dev.ferry.server.rollout;

import java.util.List;
import java.util.Optional;

/**
 * The rollouts as the API uses them. Every method blocks on the database (call it from a worker thread) and is
 * one transaction; every change is in the rollout's history with {@code actor}.
 */
public interface Rollouts {

    /** Checks the whole plan ({@link InvalidRolloutException} with every problem) and stores it as a draft. */
    Rollout create(RolloutSpec spec, String actor);

    /** Checks the plan as {@link #create} does and says what starting it now would do; stores nothing. */
    RolloutPreview preview(RolloutSpec spec);

    Optional<Rollout> find(long id);

    /** Newest first; {@code status} empty for all. */
    List<Rollout> list(Optional<RolloutStatus> status, int offset, int limit);

    /** Replaces a draft's plan, checked like {@link #create}; {@link RolloutStateException} when not a draft. */
    Rollout edit(long id, RolloutSpec spec, String actor);

    /** Deletes a draft; {@link RolloutStateException} otherwise. */
    void delete(long id, String actor);

    /**
     * Takes an action ({@link RolloutStateException} when it does not apply). {@code rollback} answers with the
     * rollout now {@code rolling-back}; its reverse rollout is {@link Rollout#rolledBackBy()}.
     */
    Rollout act(long id, RolloutAction action, String actor);

    List<RolloutWave> waves(long id);

    /** In endpoint order after {@code after} (null: from the start); filters empty for all. */
    List<RolloutDevice> devices(long id, Optional<RolloutDeviceState> state, Optional<Integer> wave, String after,
            int limit);

    /** Oldest first, from entry id {@code afterId} (0: from the start). */
    List<RolloutHistoryEntry> history(long id, long afterId, int limit);

    /** The running (or paused, or rolling-back) rollout that holds a device, if any. */
    Optional<Rollout> holding(String endpoint);

    /** How many rollouts are in each status, by its wire name (for the metrics). */
    java.util.Map<String, Long> countByStatus();

    /** How many waves of all rollouts are in each status, by its wire name (for the metrics). */
    java.util.Map<String, Long> wavesByStatus();

    /** Thrown by every method given an id that names no rollout; the API answers 404. */
    final class UnknownRolloutException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UnknownRolloutException(long id) {
            super("no rollout with id " + id + "; list rollouts with GET /api/v1/rollouts");
        }
    }
}
