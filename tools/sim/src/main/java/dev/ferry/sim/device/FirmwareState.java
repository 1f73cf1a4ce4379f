package dev.ferry.sim.device;

/**
 * Object 5 State (5/0/3), LwM2M 1.1 appendix E.6. The codes are the resource's values on the wire.
 */
public enum FirmwareState {
    /** No package, or the last one was handled (see the Update Result for how). */
    IDLE(0),
    /** A package is being written to the secondary slot. */
    DOWNLOADING(1),
    /** The package is complete and verified; the server may execute Update (5/0/2). */
    DOWNLOADED(2),
    /** The test swap was requested; the device reboots into the new image and proves it healthy. */
    UPDATING(3);

    private final int code;

    FirmwareState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @throws IllegalArgumentException for a code LwM2M does not define */
    public static FirmwareState fromCode(int code) {
        for (FirmwareState state : values()) {
            if (state.code == code) {
                return state;
            }
        }
        throw new IllegalArgumentException("no firmware update state " + code + "; LwM2M defines 0..3");
    }

    /** The transitions of LwM2M 1.1 figure E.6.1-1; every other change is refused. */
    boolean mayBecome(FirmwareState next) {
        return switch (this) {
            case IDLE -> next == IDLE || next == DOWNLOADING;
            case DOWNLOADING -> next == IDLE || next == DOWNLOADED;
            case DOWNLOADED -> next == IDLE || next == UPDATING;
            case UPDATING -> next == IDLE || next == DOWNLOADED;
        };
    }
}
