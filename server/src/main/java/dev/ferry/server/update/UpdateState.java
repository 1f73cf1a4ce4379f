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
    /** The device holds the verified image; the server asks it to install. */
    DOWNLOADED,
    /** The device was told to install and is rebooting into the new image. */
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
