package dev.ferry.server.device;

/** A group request that cannot be carried out as it stands; {@link #kind()} says why. */
public final class GroupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why: no such group, the name is taken, or a rollout uses the group. */
    public enum Kind { UNKNOWN, EXISTS, IN_USE }

    private final Kind kind;

    public GroupException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
