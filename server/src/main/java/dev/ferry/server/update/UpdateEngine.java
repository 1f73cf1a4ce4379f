package dev.ferry.server.update;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.eclipse.leshan.server.registration.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventBus;
import dev.ferry.server.device.RegistryChange;
import dev.ferry.server.firmware.BlobStore;
import dev.ferry.server.firmware.Firmware;
import dev.ferry.server.firmware.FirmwareRepository;

/**
 * Drives every active update session through object 5: one thread owns all sessions, and everything that happens
 * (API calls, registrations, wake-ups, notifications, responses, timers) is queued to it, so a session never sees
 * two things at once and Leshan's threads never wait. Each transition is stored (session, history, device event)
 * before the next request goes out, so a restarted server picks up where it stopped.
 */
public final class UpdateEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpdateEngine.class);
    private static final Duration TICK = Duration.ofMillis(250);
    private static final Duration SYNC_RETRY = Duration.ofSeconds(2);

    private final UpdateRepository sessions;
    private final FirmwareRepository firmware;
    private final BlobStore blobs;
    private final Object5Link link;
    private final DeviceEventBus events;
    private final UpdateSettings settings;
    private final Supplier<PackageUris> packageUris;
    private final Consumer<RegistryChange> registry;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ferry-updates");
        t.setDaemon(true);
        return t;
    });
    private final ActiveSessions active = new ActiveSessions();

    UpdateEngine(UpdateRepository sessions, FirmwareRepository firmware, BlobStore blobs, Object5Link link,
            DeviceEventBus events, UpdateSettings settings, Supplier<PackageUris> packageUris,
            Consumer<RegistryChange> registry) {
        this.sessions = sessions;
        this.firmware = firmware;
        this.blobs = blobs;
        this.link = link;
        this.events = events;
        this.settings = settings;
        this.packageUris = packageUris;
        this.registry = registry;
    }

    /** Loads the sessions a previous run left unfinished and starts the clock. */
    void start() {
        List<UpdateSession> unfinished = sessions.active();
        for (UpdateSession session : unfinished) {
            Optional<Firmware> image = firmware.find(session.firmwareId());
            image.ifPresent(f -> active.add(new ActiveSession(session, f)));
        }
        if (!unfinished.isEmpty()) {
            LOG.info("Resuming {} unfinished update session(s); each continues when its device is reachable",
                    unfinished.size());
        }
        thread.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Takes a session that was just stored; called from any thread. */
    void adopt(UpdateSession session, Firmware image) {
        post(() -> {
            ActiveSession a = new ActiveSession(session, image);
            active.add(a);
            advance(a);
        });
    }

    /** Cancels on the engine's thread; completes with the stored session, or fails with why it cannot. */
    CompletableFuture<UpdateSession> cancel(long id) {
        CompletableFuture<UpdateSession> result = new CompletableFuture<>();
        post(() -> {
            ActiveSession a = active.get(id);
            if (a == null) {
                result.completeExceptionally(new UpdateConflictException("update " + id + " is already finished"));
                return;
            }
            if (a.session.state() == UpdateState.UPDATING) {
                result.completeExceptionally(new UpdateConflictException("update " + id + " cannot be cancelled:"
                        + " the device is installing the image; wait for the outcome"));
                return;
            }
            resetDevice(a);
            move(a, UpdateState.CANCELLED, null, "cancelled by an operator");
            result.complete(a.session);
        });
        return result;
    }

    /**
     * Claims the device for a new session installing {@code firmwareId}; false if it already has an unfinished one.
     * Callable from any thread; a claim that does not become a session must be {@link #release released}.
     */
    boolean reserve(String endpoint, long firmwareId) {
        return active.reserve(endpoint, firmwareId);
    }

    void release(String endpoint, long firmwareId) {
        active.release(endpoint, firmwareId);
    }

    /** The device (re-)registered: its observations are gone and its object 5 may have changed. */
    void registered(String endpoint) {
        post(() -> forEndpoint(endpoint, a -> {
            a.synced = false;
            advance(a);
        }));
    }

    /** The device is reachable again (woke up or updated its registration). */
    void reachable(String endpoint) {
        post(() -> forEndpoint(endpoint, this::advance));
    }

    void deviceRemoved(String endpoint) {
        post(() -> forEndpoint(endpoint, a -> move(a, UpdateState.FAILED, FailureReason.DEVICE_REMOVED,
                "the device was deprovisioned during the update")));
    }

    /** A notification of 5/0/3 (State) or 5/0/5 (Update Result). */
    void notified(String endpoint, int resource, long value) {
        post(() -> forEndpoint(endpoint, a -> {
            if (resource == 3) {
                a.deviceState = value;
                a.stateNotified = true;
            } else if (resource == 5) {
                a.deviceResult = value;
                a.resultNotified = true;
            }
            advance(a);
        }));
    }

    private void tick() {
        for (ActiveSession a : active.inOrder()) {
            advance(a);
        }
    }

    private void forEndpoint(String endpoint, Consumer<ActiveSession> action) {
        ActiveSession a = active.ofEndpoint(endpoint);
        if (a != null) {
            action.accept(a);
        }
    }

    private void post(Runnable work) {
        thread.execute(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.error("Update engine step failed", e);
            }
        });
    }

    /** Runs a device request's completion back on the engine's thread. */
    private <T> void then(ActiveSession a, CompletableFuture<T> request, java.util.function.BiConsumer<T, Throwable> step) {
        a.busy = true;
        request.whenComplete((value, error) -> post(() -> {
            a.busy = false;
            if (!a.session.state().isFinal()) {
                step.accept(value, error == null ? null : Object5Link.unwrap(error));
            }
        }));
    }

    private void advance(ActiveSession a) {
        UpdateSession s = a.session;
        if (s.state().isFinal()) {
            active.remove(s);
            return;
        }
        if (a.busy) {
            return;
        }
        OffsetDateTime now = OffsetDateTime.now();
        if (s.deadlineAt() != null && now.isAfter(s.deadlineAt())) {
            fail(a, FailureReason.DEADLINE_EXPIRED, "deadline " + s.deadlineAt() + " passed in state "
                    + s.state().wireName());
            return;
        }
        if (s.state() == UpdateState.DOWNLOADING && elapsed(s, now).compareTo(settings.downloadTimeout()) > 0) {
            fail(a, FailureReason.DOWNLOAD_TIMEOUT, "no complete download within " + settings.downloadTimeout());
            return;
        }
        if (s.state() == UpdateState.UPDATING && elapsed(s, now).compareTo(settings.installTimeout()) > 0) {
            fail(a, FailureReason.INSTALL_TIMEOUT, "no verdict within " + settings.installTimeout()
                    + " of asking the device to install");
            return;
        }
        Registration registration = link.registration(s.endpoint());
        if (registration == null || !link.isReachable(registration)) {
            return; // Offline or asleep: the session waits, its deadline still runs.
        }
        if (!a.synced || !registration.getId().equals(a.registrationId)) {
            if (a.nextSync == null || now.isAfter(a.nextSync)) {
                sync(a, registration);
            }
            return;
        }
        switch (s.state()) {
        case PENDING -> {
            if ((s.nextAttemptAt() == null || now.isAfter(s.nextAttemptAt()))
                    && active.downloading() < settings.maxConcurrentDownloads()) {
                begin(a, registration);
            }
        }
        case STARTING -> move(a, UpdateState.PENDING, null, "starting again after an interruption");
        case DOWNLOADING -> watchDownload(a, registration);
        case DOWNLOADED -> install(a, registration);
        case UPDATING -> {
            if (!registration.getId().equals(a.registrationAtInstall)) {
                verify(a);
            }
        }
        default -> {
        }
        }
    }

    /** Observes State and Update Result and reads the running version, for a new registration. */
    private void sync(ActiveSession a, Registration registration) {
        a.stateNotified = false;
        a.resultNotified = false;
        CompletableFuture<Long> state = link.observe(registration, 3);
        CompletableFuture<Long> result = state.thenCompose(v -> link.observe(registration, 5));
        CompletableFuture<String> version = result.thenCompose(v -> link.readString(registration, 3, 3));
        then(a, version, (running, error) -> {
            if (error != null) {
                a.nextSync = OffsetDateTime.now().plus(SYNC_RETRY);
                LOG.debug("Update {}: cannot read object 5 of {} yet: {}", a.session.id(), a.session.endpoint(),
                        error.getMessage());
                return;
            }
            // A notification that arrived while syncing is newer than what the observe request answered.
            if (!a.stateNotified) {
                a.deviceState = state.join();
            }
            if (!a.resultNotified) {
                a.deviceResult = result.join();
            }
            // The registration's own read may predate these values (a new image confirms itself quickly).
            registry.accept(new RegistryChange.FirmwareStateRead(a.session.endpoint(),
                    a.deviceState == null ? null : a.deviceState.intValue(),
                    a.deviceResult == null ? null : a.deviceResult.intValue(), OffsetDateTime.now()));
            a.runningVersion = running;
            a.registrationId = registration.getId();
            a.resyncedIdle = a.session.state() == UpdateState.DOWNLOADING && a.deviceState == 0;
            a.synced = true;
            a.nextSync = null;
            advance(a);
        });
    }

    private void begin(ActiveSession a, Registration registration) {
        if (!registration.getSupportedObject().containsKey(Object5Link.FIRMWARE)) {
            fail(a, FailureReason.UNSUPPORTED_DELIVERY, "the device does not declare object 5 (firmware update)");
            return;
        }
        if (a.session.previousVersion() == null && a.runningVersion != null) {
            a.session = a.session.withPreviousVersion(a.runningVersion);
        }
        move(a, UpdateState.STARTING, null, "checking the device's object 5 (running " + a.runningVersion + ")");
        CompletableFuture<List<Long>> protocols = link.readIntegers(registration, 8);
        CompletableFuture<List<Long>> methods = protocols.thenCompose(p -> link.readIntegers(registration, 9));
        then(a, methods, (deliveryMethods, error) -> {
            if (error != null) {
                retryOrFail(a, FailureReason.DEVICE_UNREACHABLE, "reading 5/0/8 and 5/0/9: " + error.getMessage(),
                        error);
                return;
            }
            String unsupported = Object5Rules.unsupported(a.session.delivery(), protocols.join(), deliveryMethods);
            if (unsupported != null) {
                fail(a, FailureReason.UNSUPPORTED_DELIVERY, unsupported);
                return;
            }
            deliver(a, registration);
        });
    }

    private void deliver(ActiveSession a, Registration registration) {
        if (a.session.delivery().isPull()) {
            String uri = packageUris.get().of(a.session.delivery(), a.image);
            move(a, UpdateState.DOWNLOADING, null, "package URI " + uri + " written; the device is downloading");
            boolean busyDevice = a.deviceState != null && a.deviceState != 0;
            a.deviceState = null;
            a.deviceResult = null;
            CompletableFuture<Void> reset = busyDevice ? link.writePackageUri(registration, "")
                    : CompletableFuture.completedFuture(null);
            then(a, reset.thenCompose(v -> link.writePackageUri(registration, uri)), (ok, error) -> {
                if (error != null) {
                    retryOrFail(a, FailureReason.DEVICE_UNREACHABLE, "writing the package URI: " + error.getMessage(),
                            error);
                } else {
                    advance(a);
                }
            });
        } else {
            byte[] image = blobs.read(a.image.sha256());
            move(a, UpdateState.DOWNLOADING, null, "pushing " + image.length + " bytes into 5/0/0 block-wise");
            a.deviceState = null;
            a.deviceResult = null;
            then(a, link.writePackage(registration, image, settings.downloadTimeout()), (ok, error) -> {
                if (error != null) {
                    retryOrFail(a, FailureReason.CONNECTION_LOST, "pushing the image: " + error.getMessage(), error);
                } else {
                    a.deviceState = a.deviceState == null ? 2L : a.deviceState;
                    advance(a);
                }
            });
        }
    }

    private void watchDownload(ActiveSession a, Registration registration) {
        FailureReason failure = a.deviceResult == null ? null : FailureReason.ofUpdateResult(a.deviceResult);
        if (failure != null) {
            retryOrFail(a, failure, "the device reports update result " + a.deviceResult, null);
        } else if (a.deviceState != null && a.deviceState == 2) {
            move(a, UpdateState.DOWNLOADED, null, "the device holds the verified image");
            advance(a);
        } else if (a.deviceState != null && a.deviceState == 0 && a.resyncedIdle) {
            // Re-registered idle mid-download (power loss, or a server restart lost the observation): ask again;
            // the device resumes from what it already wrote.
            a.resyncedIdle = false;
            deliver(a, registration);
        }
    }

    private void install(ActiveSession a, Registration registration) {
        a.registrationAtInstall = registration.getId();
        move(a, UpdateState.UPDATING, null, "asked the device to install (execute 5/0/2)");
        then(a, link.executeUpdate(registration), (ok, error) -> {
            // A device may reboot before its answer leaves; only its next registration tells the outcome.
            if (error != null) {
                LOG.debug("Update {}: execute 5/0/2 got no answer ({}); waiting for the device to come back",
                        a.session.id(), error.getMessage());
            }
            advance(a);
        });
    }

    private void verify(ActiveSession a) {
        Object5Rules.Verdict verdict = Object5Rules.verdict(a.runningVersion, a.image.version().toString(),
                a.session.previousVersion(), a.deviceResult);
        // No verdict: the device runs the new image and is still proving itself; the result notification will come.
        if (verdict != null) {
            move(a, verdict.state(), verdict.reason(), verdict.detail());
        }
    }

    private void retryOrFail(ActiveSession a, FailureReason reason, String detail, Throwable error) {
        boolean transientFailure = reason == FailureReason.CONNECTION_LOST
                || (reason == FailureReason.DEVICE_UNREACHABLE && (error == null || Object5Link.isTransient(error)));
        if (error != null && !Object5Link.isTransient(error) && reason == FailureReason.DEVICE_UNREACHABLE) {
            reason = FailureReason.INVALID_URI;
        }
        int attempt = a.session.attempts() + 1;
        if (transientFailure && attempt < settings.maxAttempts()) {
            Duration backoff = settings.retryBackoff().multipliedBy(1L << Math.min(attempt - 1, 10));
            a.session = a.session.withAttempt(attempt, OffsetDateTime.now().plus(backoff));
            move(a, UpdateState.PENDING, null, "attempt " + attempt + " of " + settings.maxAttempts() + " failed ("
                    + detail + "); retrying in " + backoff.toSeconds() + " s");
            return;
        }
        a.session = a.session.withAttempt(attempt, null);
        fail(a, reason, detail);
    }

    private void fail(ActiveSession a, FailureReason reason, String detail) {
        resetDevice(a);
        move(a, UpdateState.FAILED, reason, detail);
    }

    /** Best effort: an empty package URI returns object 5 to Idle, dropping a half-done download. */
    private void resetDevice(ActiveSession a) {
        UpdateState state = a.session.state();
        if (state != UpdateState.DOWNLOADING && state != UpdateState.DOWNLOADED && state != UpdateState.STARTING) {
            return;
        }
        Registration registration = link.registration(a.session.endpoint());
        if (registration != null && link.isReachable(registration)) {
            link.writePackageUri(registration, "").exceptionally(e -> null);
        }
    }

    private void move(ActiveSession a, UpdateState to, FailureReason reason, String detail) {
        UpdateSession next = a.session.moved(to, reason, detail, OffsetDateTime.now());
        DeviceEvent event = sessions.save(next, true);
        UpdateState from = a.session.state();
        a.session = next;
        if (active.moved(from, to)) {
            post(this::startWaiting); // a download slot is free: no need to wait for the next tick
        }
        if (to.isFinal()) {
            active.remove(next);
            recordObject5(next.endpoint());
            LOG.info("Update {} of {} to {} {}{}: {}", next.id(), next.endpoint(), a.image.version(), to.wireName(),
                    reason == null ? "" : " (" + reason.wireName() + ")", detail);
        }
        if (event != null) {
            events.publish(event);
        }
    }

    /**
     * Reads State and Update Result once more after a session ends, for the registry: notifications may have been
     * reordered with the reads made at registration, and the registry should show how the device ended up.
     */
    private void recordObject5(String endpoint) {
        Registration registration = link.registration(endpoint);
        if (registration == null || !link.isReachable(registration)) {
            return;
        }
        link.readIntegers(registration, 3).thenAcceptBoth(link.readIntegers(registration, 5), (state, result) ->
                registry.accept(new RegistryChange.FirmwareStateRead(endpoint, first(state), first(result),
                        OffsetDateTime.now())))
                .exceptionally(e -> {
                    LOG.debug("Cannot read object 5 of {} after its update: {}", endpoint, e.getMessage());
                    return null;
                });
    }

    private static Integer first(List<Long> values) {
        return values.isEmpty() ? null : values.get(0).intValue();
    }

    /** Whether the device's unfinished session installs this image; callable from any thread. */
    boolean isAssigned(String endpoint, long firmwareId) {
        return active.isAssigned(endpoint, firmwareId);
    }

    private void startWaiting() {
        for (ActiveSession a : active.inOrder()) {
            if (active.downloading() >= settings.maxConcurrentDownloads()) {
                return;
            }
            if (a.session.state() == UpdateState.PENDING) {
                advance(a);
            }
        }
    }

    private static Duration elapsed(UpdateSession s, OffsetDateTime now) {
        return Duration.between(s.phaseStartedAt(), now);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
