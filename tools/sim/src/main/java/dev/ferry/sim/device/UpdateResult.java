package dev.ferry.sim.device;

/**
 * Object 5 Update Result (5/0/5), LwM2M 1.1 appendix E.6. Each failure the simulated device can
 * run into maps to exactly one of these, the same way Ferry's Zephyr module maps errors.
 */
public enum UpdateResult {
    /** Initial value, and the value while a new download or update is under way. */
    INITIAL(0),
    /** The new image booted, passed its health check and was confirmed. */
    SUCCESS(1),
    /** The package (or the image its header announces) is larger than the secondary slot. */
    NOT_ENOUGH_FLASH(2),
    /** Out of RAM during download; the simulator never reports it. */
    OUT_OF_RAM(3),
    /** The download failed and resuming it failed too, every retry; or a push was cut by a power loss. */
    CONNECTION_LOST(4),
    /** The image is malformed, its hash does not match, or no trusted key signed it; found before any reboot. */
    INTEGRITY_CHECK_FAILURE(5),
    /** Not an MCUboot image at all (wrong magic), or an encrypted one this device cannot install. */
    UNSUPPORTED_PACKAGE_TYPE(6),
    /** The Package URI cannot be used: malformed, or the server answered Not Found. */
    INVALID_URI(7),
    /** The update failed after Update was executed: MCUboot refused or reverted the image. */
    UPDATE_FAILED(8),
    /** The Package URI's scheme is not one this device pulls with (coap, coaps, http). */
    UNSUPPORTED_PROTOCOL(9);

    private final int code;

    UpdateResult(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @throws IllegalArgumentException for a code LwM2M does not define */
    public static UpdateResult fromCode(int code) {
        for (UpdateResult result : values()) {
            if (result.code == code) {
                return result;
            }
        }
        throw new IllegalArgumentException("no firmware update result " + code + "; LwM2M 1.1 defines 0..9");
    }

    /** True for the results that end an update attempt in failure. */
    public boolean isFailure() {
        return this != INITIAL && this != SUCCESS;
    }
}
