package dev.ferry.server.update;

import java.util.Locale;

/** Why a session failed: each object 5 Update Result, and each way the server gave up. */
public enum FailureReason {
    NOT_ENOUGH_FLASH("the device reported update result 2 (not enough flash for the image)"),
    OUT_OF_RAM("the device reported update result 3 (out of RAM during the download)"),
    CONNECTION_LOST("the device reported update result 4 (connection lost during the download), or pushing the"
            + " image failed, and the retries were used up"),
    INTEGRITY_CHECK_FAILED("the device reported update result 5 (integrity check failure)"),
    UNSUPPORTED_PACKAGE("the device reported update result 6 (unsupported package type)"),
    INVALID_URI("the device reported update result 7 (invalid URI)"),
    UPDATE_FAILED("the device reported update result 8 (firmware update failed)"),
    UNSUPPORTED_PROTOCOL("the device reported update result 9 (unsupported protocol)"),
    REVERTED("the device came back on the version it ran before the update; with update result 8 its bootloader"
            + " reverted the new image"),
    UNEXPECTED_VERSION("the device runs another version than the one the update installs: a third one, or the"
            + " old one although it reported update result 1 (success)"),
    UNSUPPORTED_DELIVERY("the device does not offer the requested delivery method or protocol (5/0/8, 5/0/9)"),
    REQUEST_REFUSED("the device answered one of the session's requests with an error code (the detail names the"
            + " request and the code)"),
    PACKAGE_DISCARDED("the device acknowledged the whole pushed image but then reported state 0 (idle) without a"
            + " failure result: it did not keep the image"),
    DEVICE_UNREACHABLE("the device did not answer the server's requests, and the retries were used up"),
    DOWNLOAD_TIMEOUT("the device did not report state 2 (downloaded) within the download timeout"),
    INSTALL_TIMEOUT("the device did not report an outcome within the install timeout after it was asked to install"),
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
