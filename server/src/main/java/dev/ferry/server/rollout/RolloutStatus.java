package dev.ferry.server.rollout;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where a rollout is. The state machine, with the actions that move it ({@link #allowed()}):
 *
 * <pre>
 * draft --start--> scheduled --(start time reached)--> running --(last wave's gate passed)--> completed
 * draft --start (no start time, or it passed)--> running
 * running --pause, or a gate's pause action--> paused --resume / promote--> running
 * draft, scheduled, running, paused --cancel, or a gate's cancel action--> cancelled
 * running, paused, completed, cancelled --rollback, or a gate's rollback action--> rolling-back --> rolled-back
 * </pre>
 *
 * Only a draft can be edited or deleted.
 */
public enum RolloutStatus {
    /** Created, not started: every field can still be edited; no device is touched. */
    DRAFT(EnumSet.of(RolloutAction.START, RolloutAction.CANCEL)),
    /** Started with a start time in the future; the first wave begins at that time. */
    SCHEDULED(EnumSet.of(RolloutAction.PAUSE, RolloutAction.CANCEL)),
    /** Waves are being started and judged by their gates. */
    RUNNING(EnumSet.of(RolloutAction.PAUSE, RolloutAction.CANCEL, RolloutAction.ROLLBACK, RolloutAction.PROMOTE)),
    /**
     * No new update session starts; running sessions finish and are counted. Entered by the pause action or a
     * gate (a wave waiting to be promoted, or an error condition whose action is pause).
     */
    PAUSED(EnumSet.of(RolloutAction.RESUME, RolloutAction.PROMOTE, RolloutAction.CANCEL, RolloutAction.ROLLBACK)),
    /** Every wave ran and passed its gate. Final, but its updates can still be rolled back. */
    COMPLETED(EnumSet.of(RolloutAction.ROLLBACK)),
    /** Stopped for good: unfinished sessions were cancelled where object 5 allows. Updates can be rolled back. */
    CANCELLED(EnumSet.of(RolloutAction.ROLLBACK)),
    /** Its reverse rollout is putting the devices it updated back on their previous firmware. */
    ROLLING_BACK(EnumSet.noneOf(RolloutAction.class)),
    /** The reverse rollout ended; final. */
    ROLLED_BACK(EnumSet.noneOf(RolloutAction.class));

    private final Set<RolloutAction> allowed;

    RolloutStatus(Set<RolloutAction> allowed) {
        this.allowed = allowed;
    }

    /** The actions that apply in this status; any other is answered 409 with this list. */
    public Set<RolloutAction> allowed() {
        return allowed;
    }

    public boolean isFinal() {
        return this == COMPLETED || this == CANCELLED || this == ROLLED_BACK;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static RolloutStatus fromWireName(String name) {
        for (RolloutStatus status : values()) {
            if (status.wireName().equals(name)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown rollout status '" + name + "'");
    }
}
