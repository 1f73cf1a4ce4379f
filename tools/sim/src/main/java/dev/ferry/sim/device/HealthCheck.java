package dev.ferry.sim.device;

import dev.ferry.image.ImageVersion;

/**
 * The application's self-test a new image must pass, after it registered again, before it confirms
 * itself. Runs on the device's executor; keep it quick.
 */
@FunctionalInterface
public interface HealthCheck {

    /** @return true when the image {@code running} on {@code device} is healthy */
    boolean passes(SimDevice device, ImageVersion running);

    /** The default: registering again is proof enough. */
    static HealthCheck registrationSuffices() {
        return (device, running) -> true;
    }
}
