package dev.ferry.server.update;

import java.time.Duration;
import java.util.Optional;

/**
 * What an operator asks for: an image, optionally a delivery and a deadline, and the two explicit overrides of
 * the install checks ({@link InstallChecks}).
 *
 * @param deadline null for none
 * @param allowModelMismatch install although the image's model is not the device's, or the device's is unknown
 * @param allowDowngrade install although the image's version is lower than the one the device runs
 */
public record UpdateRequest(long firmwareId, Optional<Delivery> delivery, Duration deadline,
        boolean allowModelMismatch, boolean allowDowngrade) {

    public static UpdateRequest of(long firmwareId) {
        return new UpdateRequest(firmwareId, Optional.empty(), null, false, false);
    }
}
