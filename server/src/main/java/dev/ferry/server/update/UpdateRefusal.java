package dev.ferry.server.update;

import java.util.Locale;

/**
 * Why a session was not created although the request was well-formed; the wire name is the problem document's
 * {@code reason} (HTTP 422).
 */
public enum UpdateRefusal {
    /** No firmware record has the requested id. */
    UNKNOWN_FIRMWARE,
    /** The firmware record exists but is not published. */
    NOT_PUBLISHED,
    /** The deadline is outside the allowed range. */
    INVALID_DEADLINE,
    /** The image is built for another model than the one the device reported (3/0/1). */
    MODEL_MISMATCH,
    /** The device has not reported its model yet, so the image's model cannot be checked. */
    MODEL_UNKNOWN,
    /** The image is larger than the slot of the device's model. */
    TOO_LARGE_FOR_SLOT,
    /** The image's version is lower than the one the device runs. */
    DOWNGRADE,
    /** The image's MCUboot security counter is lower than that of the image the device runs. */
    SECURITY_COUNTER_ROLLBACK,
    /** The delivery needs credentials the device was not provisioned with (pull-coaps without DTLS). */
    DELIVERY_NEEDS_DTLS;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
