package dev.ferry.sim.device;

import dev.ferry.image.ImageVersion;
import java.time.Instant;

/**
 * Something that happened to a simulated device, with the device's state right after it.
 *
 * @param type what happened
 * @param endpoint the device's LwM2M endpoint name
 * @param time when it happened
 * @param running the version of the image running (after a boot: the image booted)
 * @param state object 5 State after the event
 * @param result object 5 Update Result after the event
 * @param bytes for download events, the bytes of the package the device holds; otherwise -1
 * @param detail a human-readable explanation (a URI, a reason, a boot outcome), never null
 */
public record DeviceEvent(Type type, String endpoint, Instant time, ImageVersion running, FirmwareState state,
        UpdateResult result, long bytes, String detail) {

    /** The kinds of events, in the order an update usually produces them. */
    public enum Type {
        /** Power came on; a boot follows. */
        POWERED_ON,
        /** MCUboot ran; {@code detail} is the {@code BootOutcome} (NORMAL, TEST_SWAP, REVERT...). */
        BOOTED,
        /** The LwM2M registration succeeded (after every boot, and after a sleeping device's re-registration). */
        REGISTERED,
        /** The registration was refused or timed out; Leshan retries. */
        REGISTRATION_FAILED,
        /** Object 5 State or Update Result changed. */
        STATE_CHANGED,
        /** A pull began ({@code detail} is the URI) or a push arrived ({@code detail} is "push"). */
        DOWNLOAD_STARTED,
        /** A pull lost its connection or was cut; {@code bytes} is what the device kept. */
        DOWNLOAD_INTERRUPTED,
        /** A pull continues from {@code bytes} after an interruption or a reboot. */
        DOWNLOAD_RESUMED,
        /** A download ended; {@code result} says how (INITIAL with state DOWNLOADED for a verified package). */
        DOWNLOAD_FINISHED,
        /** The device is about to reboot; {@code detail} says why. */
        REBOOTING,
        /** A new image passed its health check and was confirmed. */
        CONFIRMED,
        /** A new image failed its health check; a reboot (and revert) follows. */
        HEALTH_CHECK_FAILED,
        /** MCUboot reverted to the previous image at this boot. */
        REVERTED,
        /** A sleeping device turned its radio off; what the server sends now is lost. */
        FELL_ASLEEP,
        /** A sleeping device woke to send something. */
        WOKE_UP,
        /** Power went off ({@code detail}: requested, or the fault that cut it). */
        POWERED_OFF,
        /** The radio died (a fault, or {@code goSilent()}): the device runs on, but nothing leaves or reaches it. */
        WENT_SILENT
    }

    /** True when this event ends an update attempt: object 5 is back to Idle with a final result. */
    public boolean isUpdateOutcome() {
        return type == Type.STATE_CHANGED && state == FirmwareState.IDLE && result != UpdateResult.INITIAL;
    }

    @Override
    public String toString() {
        return endpoint + " " + type + " running " + running + ", state " + state + ", result " + result
                + (bytes >= 0 ? ", " + bytes + " bytes" : "") + (detail.isEmpty() ? "" : ": " + detail);
    }
}
