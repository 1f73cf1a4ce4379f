package dev.ferry.server.device;

/** Kinds of entries in a device's event log. Stored by {@link #wireName()}. */
public enum DeviceEventType {
    /** An operator provisioned the device through the API. */
    PROVISIONED("provisioned"),
    /** An operator changed its tags or metadata. */
    CHANGED("changed"),
    /** An operator deprovisioned the device; its credentials are gone. */
    DEPROVISIONED("deprovisioned"),
    /** The device registered (or re-registered) over LwM2M. */
    REGISTERED("registered"),
    /** The device sent a registration update. */
    UPDATED("updated"),
    /** The device deregistered, or the server ended its registration. */
    DEREGISTERED("deregistered"),
    /** The registration lifetime passed without an update. */
    EXPIRED("expired"),
    /** A registration or DTLS handshake was refused: unknown, unprovisioned or wrong credentials. */
    REJECTED("rejected"),
    /** A firmware update session changed state; the detail names the session and the state. */
    UPDATE("update"),
    /**
     * A rollout, one of its waves or one of its devices changed state; the detail starts with "rollout &lt;id&gt;".
     * The endpoint is the device's for device transitions, null for those of the rollout or a wave.
     */
    ROLLOUT("rollout"),
    /** A queued command to the device ended (succeeded, failed, expired or cancelled); the detail names it. */
    COMMAND("command");

    private final String wireName;

    DeviceEventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static DeviceEventType fromWireName(String name) {
        for (DeviceEventType type : values()) {
            if (type.wireName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown device event type '" + name + "'");
    }
}
