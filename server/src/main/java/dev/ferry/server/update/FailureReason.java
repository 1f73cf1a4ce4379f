package dev.ferry.server.update;

import java.util.Locale;

/** Why a session failed: each object 5 Update Result, and each way the server gave up. */
public enum FailureReason {
    NOT_ENOUGH_FLASH("the device has not enough flash for the image (update result 2)"),
    OUT_OF_RAM("the device ran out of RAM while downloading (update result 3)"),
    CONNECTION_LOST("the connection was lost during the download, and retries were used up (update result 4)"),
    INTEGRITY_CHECK_FAILED("the device found the image corrupt or wrongly signed (update result 5)"),
    UNSUPPORTED_PACKAGE("the device does not support this package type (update result 6)"),
    INVALID_URI("the device could not use the package URI (update result 7)"),
    UPDATE_FAILED("the device reports the update failed (update result 8)"),
    UNSUPPORTED_PROTOCOL("the device does not support the delivery protocol (update result 9)"),
    REVERTED("the device came back on its previous firmware: the new image failed its health check and the"
            + " bootloader rolled it back"),
    UNEXPECTED_VERSION("the device came back on a version that is neither the old nor the new one"),
    UNSUPPORTED_DELIVERY("the device does not offer the requested delivery method or protocol"),
    DEVICE_UNREACHABLE("the device did not answer the server's requests, and retries were used up"),
    DOWNLOAD_TIMEOUT("the device did not finish downloading in time"),
    INSTALL_TIMEOUT("the device did not come back with a verdict on the new image in time"),
    DEADLINE_EXPIRED("the session's deadline passed before the update finished"),
    DEVICE_REMOVED("the device was deprovisioned");

    private final String description;

    FailureReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The failure an object 5 Update Result stands for, or null for 0 (initial) and 1 (success). */
    public static FailureReason ofUpdateResult(long result) {
        return switch ((int) result) {
        case 2 -> NOT_ENOUGH_FLASH;
        case 3 -> OUT_OF_RAM;
        case 4 -> CONNECTION_LOST;
        case 5 -> INTEGRITY_CHECK_FAILED;
        case 6 -> UNSUPPORTED_PACKAGE;
        case 7 -> INVALID_URI;
        case 8 -> UPDATE_FAILED;
        case 9 -> UNSUPPORTED_PROTOCOL;
        default -> null;
        };
    }

    public static FailureReason fromWireName(String name) {
        return name == null ? null : valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
