package dev.ferry.server.rollout;

import java.util.Set;

/** An action or edit that does not apply in the rollout's status; the API answers 409 with the allowed actions. */
public final class RolloutStateException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final RolloutStatus status;

    public RolloutStateException(String message, RolloutStatus status) {
        super(message);
        this.status = status;
    }

    public RolloutStatus status() {
        return status;
    }

    public Set<RolloutAction> allowed() {
        return status.allowed();
    }
}
