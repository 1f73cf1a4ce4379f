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
    /** State (5/0/3) and Update Result (5/0/5) as last reported; null when not reported in the current phase. */
    Long deviceState;
    Long deviceResult;
    boolean stateNotified;
    boolean resultNotified;
    String runningVersion;
    /** The device acknowledged the last block of a pushed image; its State and Result now tell what it made of it. */
    boolean pushedWhole;
    /** When to read object 5 again while a pushed image is still being checked by the device. */
    OffsetDateTime nextRead;
    /** The device answered the Execute of 5/0/2 with an error code. */
    boolean installRefused;

    ActiveSession(UpdateSession session, Firmware image) {
        this.session = session;
        this.image = image;
    }

    /** Forgets what the device reported, so that only what it reports from now on counts. */
    void forgetDeviceState() {
        deviceState = null;
        deviceResult = null;
        stateNotified = false;
        resultNotified = false;
    }
}
