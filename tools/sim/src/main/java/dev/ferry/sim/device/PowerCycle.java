package dev.ferry.sim.device;

import dev.ferry.image.ImageVersion;
import dev.ferry.sim.mcuboot.BootOutcome;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Power, boots and registration: each boot lets MCUboot decide, then starts a fresh LwM2M client that registers;
 * a reset or power cut makes that client vanish without deregistering. Boots are numbered ({@link #generation()})
 * so that work scheduled in an earlier boot recognises it is stale. Lifecycle changes run one at a time on the
 * lifecycle executor.
 */
final class PowerCycle {
    private static final Logger LOG = LoggerFactory.getLogger(SimDevice.class);

    private final DeviceParts parts;

    // Guarded by the device's lock.
    private boolean powered;
    private boolean closed;
    private int generation;
    private ImageVersion running;
    private LeshanClient client;
    private FirmwareObject firmwareObject;
    private boolean registered;
    private boolean rebootScheduled;
    private int crashScheduledIn;

    PowerCycle(DeviceParts parts, ImageVersion running) {
        this.parts = parts;
        this.running = running;
    }

    boolean isPowered() {
        synchronized (parts.lock()) {
            return powered;
        }
    }

    boolean isRegistered() {
        synchronized (parts.lock()) {
            return registered;
        }
    }

    ImageVersion running() {
        synchronized (parts.lock()) {
            return running;
        }
    }

    /** The number of the current boot; call under the lock to act on it. */
    int generation() {
        synchronized (parts.lock()) {
            return generation;
        }
    }

    /** The current boot's object 5, or null between boots. */
    FirmwareObject firmwareObject() {
        synchronized (parts.lock()) {
            return firmwareObject;
        }
    }

    /** No later power-on will do anything. */
    void markClosed() {
        synchronized (parts.lock()) {
            closed = true;
        }
    }

    /**
     * From any thread, once closed: the current client is destroyed without waiting for the lifecycle, for a
     * device whose lifecycle is stuck behind a blocked task when it is closed.
     */
    void abandon() {
        synchronized (parts.lock()) {
            powered = false;
        }
        parts.link().setUp(false);
        stopClient();
    }

    CompletableFuture<Void> onLifecycle(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        parts.lifecycle().execute(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                LOG.warn("{}: {}", parts.settings().endpoint(), e.getMessage(), e);
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** Runs {@code task} on the lifecycle executor after {@code delay}. */
    void later(Duration delay, Runnable task) {
        schedule(delay, () -> parts.lifecycle().execute(task));
    }

    /** Runs {@code task} on the device's threads after {@code delay}; dropped once they are gone. */
    Future<?> schedule(Duration delay, Runnable task) {
        try {
            return parts.scheduler().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            return CompletableFuture.completedFuture(null);
        }
    }

    void doPowerOn() {
        synchronized (parts.lock()) {
            if (powered || closed) {
                return;
            }
            powered = true;
            generation++;
        }
        parts.link().setUp(true);
        parts.events().publish(DeviceEvent.Type.POWERED_ON, -1, "");
        boot();
    }

    void doPowerOff(String reason) {
        synchronized (parts.lock()) {
            if (!powered) {
                return;
            }
            powered = false;
        }
        parts.link().setUp(false);
        stopClient();
        parts.events().publish(DeviceEvent.Type.POWERED_OFF, -1, reason);
    }

    /** A fault cuts power now, from any thread; power returns after the configured off time. */
    void cutPower(String reason) {
        parts.link().setUp(false); // nothing more leaves the device, not even the answer being sent
        parts.lifecycle().execute(() -> {
            doPowerOff(reason);
            later(parts.settings().powerOffTime(), this::doPowerOn);
        });
    }

    /**
     * The radio dies now, from any thread: nothing leaves or reaches the device until it is powered off and on;
     * the device itself runs on.
     */
    void goSilent(String reason) {
        parts.link().setUp(false);
        synchronized (parts.lock()) {
            if (!powered) {
                return;
            }
        }
        parts.events().publish(DeviceEvent.Type.WENT_SILENT, -1, reason);
    }

    /**
     * Under no lock, in boot {@code bootGeneration}: if the running image is to crash, it does so after the crash
     * loop's up time, once per boot.
     */
    void crashLater(int bootGeneration) {
        synchronized (parts.lock()) {
            if (!parts.faultState().crashesLeft() || crashScheduledIn == bootGeneration) {
                return;
            }
            crashScheduledIn = bootGeneration;
        }
        later(parts.settings().faults().crashLoopUpTime(), () -> {
            synchronized (parts.lock()) {
                if (bootGeneration != generation || !powered || !parts.faultState().takeCrash()) {
                    return;
                }
            }
            doReboot(bootGeneration, "the image crashed (injected fault)");
        });
    }

    /** Reboots after the reboot delay, leaving time to answer the request that caused it. */
    void rebootSoon(String reason) {
        int current;
        synchronized (parts.lock()) {
            if (rebootScheduled || !powered) {
                return;
            }
            rebootScheduled = true;
            current = generation;
        }
        later(parts.settings().rebootDelay(), () -> doReboot(current, reason));
    }

    void doReboot(int bootGeneration, String reason) {
        synchronized (parts.lock()) {
            if (bootGeneration != generation || !powered) {
                return;
            }
        }
        parts.events().publish(DeviceEvent.Type.REBOOTING, -1, reason);
        stopClient();
        boot();
    }

    /** The client vanishes without deregistering, like a device that resets; RAM is lost. */
    private void stopClient() {
        LeshanClient old;
        DownloadJob job;
        synchronized (parts.lock()) {
            generation++;
            old = client;
            client = null;
            firmwareObject = null;
            registered = false;
            job = parts.downloads().forget();
            parts.trial().end();
            parts.machine().powerLost();
        }
        if (job != null) {
            job.cancel();
            parts.link().releaseAwake();
        }
        if (old != null) {
            try {
                old.destroy(false);
            } catch (RuntimeException e) {
                LOG.debug("{}: stopping the client: {}", parts.settings().endpoint(), e.toString());
            }
        }
    }

    /** MCUboot decides, the update record is restored, a fresh client starts. */
    private void boot() {
        int bootGeneration;
        synchronized (parts.lock()) {
            generation++;
            bootGeneration = generation;
            BootOutcome outcome;
            try {
                outcome = parts.bootloader().boot();
            } catch (IllegalStateException e) {
                powered = false;
                parts.link().setUp(false);
                parts.events().publish(DeviceEvent.Type.POWERED_OFF, -1, "bricked: " + e.getMessage());
                return;
            }
            running = parts.bootloader().running().version();
            parts.events().publish(DeviceEvent.Type.BOOTED, -1, outcome.name());
            if (outcome == BootOutcome.REVERT) {
                parts.events().publish(DeviceEvent.Type.REVERTED, -1, "MCUboot reverted to " + running);
            }
            UpdateMachine.BootAction action = parts.machine().restore(running, parts.bootloader().isConfirmed());
            parts.downloads().resumeAfterRegistering(action == UpdateMachine.BootAction.RESUME_PULL);
            rebootScheduled = false;
            registered = false;
            parts.trial().begin(action == UpdateMachine.BootAction.TRIAL, bootGeneration);
        }
        FirmwareObject firmware = new FirmwareObject(parts.firmware());
        LeshanClient fresh = ClientFactory.create(parts.settings(), parts.link(), parts.scheduler(),
                new DeviceObject(parts.device(), parts.settings().model()), firmware, new Observer(bootGeneration));
        synchronized (parts.lock()) {
            if (bootGeneration != generation) {
                return;
            }
            client = fresh;
            firmwareObject = firmware;
        }
        try {
            fresh.start();
        } catch (RuntimeException e) {
            LOG.warn("{}: the LwM2M client does not start: {}", parts.settings().endpoint(), e.getMessage());
        }
    }

    private void registeredIn(int bootGeneration) {
        boolean checkHealth;
        boolean resume;
        synchronized (parts.lock()) {
            if (bootGeneration != generation || !powered) {
                return;
            }
            registered = true;
            checkHealth = parts.trial().startHealthCheck();
            resume = parts.downloads().takeResume();
            parts.events().publish(DeviceEvent.Type.REGISTERED, -1, "");
        }
        if (resume) {
            parts.downloads().startPull(true);
        }
        if (checkHealth) {
            later(parts.settings().healthCheckDelay(), () -> parts.trial().checkHealth(bootGeneration));
        }
        crashLater(bootGeneration);
    }

    private void registrationFailed(int bootGeneration, String detail) {
        synchronized (parts.lock()) {
            if (bootGeneration == generation) {
                parts.events().publish(DeviceEvent.Type.REGISTRATION_FAILED, -1, detail);
            }
        }
    }

    private final class Observer extends LwM2mClientObserverAdapter {
        private final int bootGeneration;

        Observer(int bootGeneration) {
            this.bootGeneration = bootGeneration;
        }

        @Override
        public void onRegistrationSuccess(LwM2mServer server, RegisterRequest request, String registrationId) {
            registeredIn(bootGeneration);
        }

        @Override
        public void onRegistrationFailure(LwM2mServer server, RegisterRequest request, ResponseCode code,
                String errorMessage, Exception cause) {
            registrationFailed(bootGeneration, "refused: " + code + (errorMessage == null ? "" : " " + errorMessage)
                    + (cause == null ? "" : " " + cause.getMessage()));
        }

        @Override
        public void onRegistrationTimeout(LwM2mServer server, RegisterRequest request) {
            registrationFailed(bootGeneration, "timed out");
        }
    }
}
