package dev.ferry.server.rollout;

import java.util.Locale;

/** Where one device of a rollout is. The last six are final for the rollout (a retry goes back to pending). */
public enum RolloutDeviceState {
    /** In a wave that started; waiting for a free slot (concurrency limit), the window, or its retry time. */
    PENDING,
    /** Its update session is unfinished. */
    UPDATING,
    /** Its session succeeded; it must stay healthy for the gate's soak period. */
    SOAKING,
    SUCCEEDED,
    /** Its session failed and is not (or no longer) retried; the reason is the session's failure reason. */
    FAILED,
    /** No outcome within the gate's device timeout. */
    TIMED_OUT,
    /** Crash-looped or went offline during the soak period. */
    UNHEALTHY,
    /** Matched the target but was never updated: the reason says why (already on the version, other model...). */
    SKIPPED,
    /** The rollout was cancelled before this device finished. */
    CANCELLED;

    public boolean isFinal() {
        return ordinal() >= SUCCEEDED.ordinal();
    }

    /** Counted against the error condition of its wave's gate. */
    public boolean isFailure() {
        return this == FAILED || this == TIMED_OUT || this == UNHEALTHY;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static RolloutDeviceState fromWireName(String name) {
        for (RolloutDeviceState state : values()) {
            if (state.wireName().equals(name)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown rollout device state '" + name + "'");
    }
}
