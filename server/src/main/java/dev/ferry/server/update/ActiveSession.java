package dev.ferry.server.update;

import java.time.OffsetDateTime;

import dev.ferry.server.firmware.Firmware;

/**
 * The engine's working copy of a session: the stored session plus what it knows of the device now. Touched only
 * on the engine's thread.
 */
final class ActiveSession {
    UpdateSession session;
    final Firmware image;
    boolean busy;
    boolean synced;
    boolean resyncedIdle;
    OffsetDateTime nextSync;
    String registrationId;
    String registrationAtInstall;
    Long deviceState;
    Long deviceResult;
    boolean stateNotified;
    boolean resultNotified;
    String runningVersion;

    ActiveSession(UpdateSession session, Firmware image) {
        this.session = session;
        this.image = image;
    }
}
