package dev.ferry.server.update;

import java.util.Locale;

/** Where an update session is. The last three are final. */
public enum UpdateState {
    /** Waiting for the device to be reachable, for a download slot, or for a retry. */
    PENDING,
    /** Observing object 5 and checking what the device supports. */
    STARTING,
    /** The device is fetching (pull) or receiving (push) the image. */
    DOWNLOADING,
    /** The device reported state 2 (downloaded); the server asks it to install. */
    DOWNLOADED,
    /** The server executed 5/0/2 (update) and waits for what the device reports. */
    UPDATING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UpdateState fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
