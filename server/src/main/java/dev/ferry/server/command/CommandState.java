package dev.ferry.server.command;

/**
 * Where a queued command is. {@code pending → sent → succeeded | failed}; a pending command may also end
 * {@code expired} (its deadline passed before it could be sent) or {@code cancelled}. A sent command whose
 * outcome stays unknown goes back to pending if its kind is repeatable, else it fails saying so.
 */
public enum CommandState {
    /** Queued: waits for the device to be reachable and for the commands queued before it. */
    PENDING("pending"),
    /** Sent to the device; waiting for its answer. */
    SENT("sent"),
    /** The device answered with a success code. */
    SUCCEEDED("succeeded"),
    /** The device answered with an error, did not answer, or the request could not be made. */
    FAILED("failed"),
    /** Its deadline passed before it was sent. */
    EXPIRED("expired"),
    /** An operator cancelled it before it was sent. */
    CANCELLED("cancelled");

    private final String wireName;

    CommandState(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public boolean isFinal() {
        return this != PENDING && this != SENT;
    }

    public static CommandState fromWireName(String name) {
        for (CommandState state : values()) {
            if (state.wireName.equals(name)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown command state '" + name + "'");
    }
}
