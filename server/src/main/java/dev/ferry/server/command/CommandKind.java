package dev.ferry.server.command;

/** The LwM2M operations a queued command carries out. Stored by {@link #wireName()}. */
public enum CommandKind {
    /** Read a resource, an object instance or an object; the value read is the outcome. */
    READ("read", true),
    /** Write one resource ({@code value}) or several resources of one instance ({@code values}). */
    WRITE("write", true),
    /** Execute a resource, with optional arguments. Not repeated: a second reboot is not the first one again. */
    EXECUTE("execute", false),
    /** Write notification attributes (pmin, pmax, gt, lt, st) of a path. */
    WRITE_ATTRIBUTES("write-attributes", true),
    /** Observe a path; the first value is the outcome, later notifications go to the observation listeners. */
    OBSERVE("observe", true),
    /** Cancel the server's observation of a path, telling the device. */
    CANCEL_OBSERVE("cancel-observe", true);

    private final String wireName;
    private final boolean repeatable;

    CommandKind(String wireName, boolean repeatable) {
        this.wireName = wireName;
        this.repeatable = repeatable;
    }

    public String wireName() {
        return wireName;
    }

    /**
     * Whether sending it twice leaves the device as sending it once does: such a command is sent again when its
     * first attempt's outcome is unknown (no answer, a server restart while it was in flight).
     */
    public boolean isRepeatable() {
        return repeatable;
    }

    public static CommandKind fromWireName(String name) {
        for (CommandKind kind : values()) {
            if (kind.wireName.equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown command kind '" + name + "'");
    }
}
