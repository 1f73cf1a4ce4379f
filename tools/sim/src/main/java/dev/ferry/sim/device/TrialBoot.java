package dev.ferry.sim.device;

import dev.ferry.image.ImageVersion;
import java.util.concurrent.Future;

/**
 * A new image on trial: after a test swap it must register and pass its health check within the confirm
 * deadline, or the device reboots and MCUboot reverts to the old image.
 */
final class TrialBoot {
    private final DeviceParts parts;

    // Guarded by the device's lock.
    private boolean onTrial;
    private boolean healthCheckStarted;
    private Future<?> confirmDeadline;

    TrialBoot(DeviceParts parts) {
        this.parts = parts;
    }

    /** At boot, under the lock: a trial starts when MCUboot booted an unconfirmed image. */
    void begin(boolean trial, int bootGeneration) {
        onTrial = trial;
        healthCheckStarted = false;
        if (onTrial) {
            confirmDeadline = parts.power().schedule(parts.settings().confirmDeadline(),
                    () -> parts.lifecycle().execute(() -> deadlinePassed(bootGeneration)));
        }
    }

    /** The boot ended (reset, power off), under the lock: RAM forgets the trial, MCUboot does not. */
    void end() {
        onTrial = false;
        cancelDeadline();
    }

    /** Under the lock, once registered: true the first time a health check is due in this boot. */
    boolean startHealthCheck() {
        if (onTrial && !healthCheckStarted) {
            healthCheckStarted = true;
            return true;
        }
        return false;
    }

    void checkHealth(int bootGeneration) {
        ImageVersion version;
        synchronized (parts.lock()) {
            if (bootGeneration != parts.power().generation() || !onTrial) {
                return;
            }
            version = parts.power().running();
        }
        if (parts.faultState().takePowerLossBeforeConfirm()) {
            parts.power().cutPower("power lost before " + version + " was confirmed (injected fault)");
            return;
        }
        boolean healthy = !parts.settings().faults().failsHealthCheck()
                && parts.settings().healthCheck().passes(parts.device(), version);
        synchronized (parts.lock()) {
            if (bootGeneration != parts.power().generation() || !onTrial) {
                return;
            }
            if (healthy) {
                parts.bootloader().confirm();
                onTrial = false;
                cancelDeadline();
                parts.events().publish(DeviceEvent.Type.CONFIRMED, -1, version + " passed its health check");
                parts.machine().confirmed();
                if (!parts.faultState().armCrashLoop()) {
                    return;
                }
            } else {
                parts.events().publish(DeviceEvent.Type.HEALTH_CHECK_FAILED, -1, version + " failed its health check");
            }
        }
        if (healthy) {
            parts.power().crashLater(bootGeneration);
            return;
        }
        parts.power().rebootSoon("the new image failed its health check");
    }

    private void deadlinePassed(int bootGeneration) {
        synchronized (parts.lock()) {
            if (bootGeneration != parts.power().generation() || !onTrial) {
                return;
            }
            parts.events().publish(DeviceEvent.Type.HEALTH_CHECK_FAILED, -1, parts.power().running()
                    + " was not healthy within " + parts.settings().confirmDeadline().toMillis() + " ms");
        }
        parts.power().rebootSoon("the new image was not confirmed in time");
    }

    private void cancelDeadline() {
        if (confirmDeadline != null) {
            confirmDeadline.cancel(false);
            confirmDeadline = null;
        }
    }
}
