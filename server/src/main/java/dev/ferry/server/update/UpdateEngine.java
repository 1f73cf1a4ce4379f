package dev.ferry.server.update;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
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
 * before the next request goes out, so a restarted server picks up where it stopped. {@link SessionDelivery} and
 * {@link SessionVerdict} take the steps of each phase.
 */
public final class UpdateEngine implements AutoCloseable, SessionSteps {
    private static final Logger LOG = LoggerFactory.getLogger(UpdateEngine.class);
    private static final Duration TICK = Duration.ofMillis(250);
    private static final Duration SYNC_RETRY = Duration.ofSeconds(2);

    private final UpdateRepository sessions;
    private final FirmwareRepository firmware;
    private final Object5Link link;
    private final DeviceEventBus events;
    private final UpdateSettings settings;
    private final SessionDelivery delivery;
    private final SessionVerdict verdict;
    private final Object5Readings readings;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ferry-updates");
        t.setDaemon(true);
        return t;
    });
    private final ActiveSessions active = new ActiveSessions();

    UpdateEngine(UpdateRepository sessions, FirmwareRepository firmware, BlobStore blobs, Object5Link link,
            DeviceEventBus events, UpdateSettings settings, Supplier<PackageUris> packageUris, DownloadTokens tokens,
            Consumer<RegistryChange> registry) {
        this.sessions = sessions;
        this.firmware = firmware;
        this.link = link;
        this.events = events;
        this.settings = settings;
        this.delivery = new SessionDelivery(this, link, blobs, settings, packageUris, tokens);
        this.verdict = new SessionVerdict(this, link);
        this.readings = new Object5Readings(this, link, registry);
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
            if (!Object5Rules.mayCancel(a.session.state(), a.deviceState, a.installRefused)) {
                result.completeExceptionally(new UpdateConflictException("update " + id + " cannot be cancelled:"
                        + " the device was asked to install the image and has not reported since that it is not"
                        + " updating (state 0 or 2); wait for the outcome"));
                return;
            }
            resetDevice(a);
            move(a, UpdateState.CANCELLED, null, "cancelled by an operator");
            result.complete(a.session);
        });
        return result;
    }

    /**
     * Claims the device for a new session installing {@code image}; false if it already has an unfinished one.
     * Callable from any thread; a claim that does not become a session must be {@link #release released}.
     */
    boolean reserve(String endpoint, Firmware image) {
        return active.reserve(endpoint, image);
    }

    void release(String endpoint, Firmware image) {
        active.release(endpoint, image);
    }

    /** Whether the device's unfinished session installs the image with this SHA-256; callable from any thread. */
    boolean isAssigned(String endpoint, String sha256) {
        return active.isAssigned(endpoint, sha256);
    }

    /** The devices whose unfinished session installs this image; callable from any thread. */
    java.util.List<String> assignedTo(String sha256) {
        return active.assignedTo(sha256);
    }

    /** Whether an unfinished session, not past its deadline, installs this image; callable from any thread. */
    boolean mayDownload(long sessionId, String sha256) {
        return active.mayDownload(sessionId, sha256, OffsetDateTime.now());
    }

    /**
     * The device (re-)registered: its observations are gone and its object 5 may have changed. Most devices have
     * no session, and their registrations cost the engine's thread nothing; a session claimed after this check is
     * advanced when it is adopted.
     */
    void registered(String endpoint) {
        if (!active.isClaimed(endpoint)) {
            return;
        }
        post(() -> forEndpoint(endpoint, a -> {
            a.synced = false;
            advance(a);
        }));
    }

    /** The device is reachable again (woke up or updated its registration). */
    void reachable(String endpoint) {
        if (!active.isClaimed(endpoint)) {
            return;
        }
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

    @Override
    public <T> void then(ActiveSession a, CompletableFuture<T> request, BiConsumer<T, Throwable> step) {
        a.busy = true;
        request.whenComplete((value, error) -> post(() -> {
            a.busy = false;
            if (!a.session.state().isFinal()) {
                step.accept(value, error == null ? null : Object5Link.unwrap(error));
            }
        }));
    }

    @Override
    public void advance(ActiveSession a) {
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
            fail(a, FailureReason.DOWNLOAD_TIMEOUT, "the device did not report state 2 (downloaded) within "
                    + settings.downloadTimeout().toSeconds() + " s");
            return;
        }
        if (s.state() == UpdateState.UPDATING && elapsed(s, now).compareTo(settings.installTimeout()) > 0) {
            fail(a, FailureReason.INSTALL_TIMEOUT, "the device did not report an outcome within "
                    + settings.installTimeout().toSeconds() + " s of the execute of 5/0/2");
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
                delivery.begin(a, registration);
            }
        }
        case STARTING -> move(a, UpdateState.PENDING, null, "the session was left in starting when the"
                + " server stopped; starting again");
        case DOWNLOADING -> delivery.watch(a, registration, now);
        case DOWNLOADED -> verdict.install(a, registration);
        case UPDATING -> verdict.watch(a, registration, now);
        default -> {
        }
        }
    }

    /** Observes State and Update Result and reads the running version, for a new registration. */
    private void sync(ActiveSession a, Registration registration) {
        a.stateNotified = false;
        a.resultNotified = false;
        CompletableFuture<Object5Link.Sample> state = link.observe(registration, 3);
        CompletableFuture<Object5Link.Sample> result = state.thenCompose(v -> link.observe(registration, 5));
        CompletableFuture<String> version = result.thenCompose(v -> link.readString(registration, 3, 3));
        then(a, version, (running, error) -> {
            if (error != null) {
                a.nextSync = OffsetDateTime.now().plus(SYNC_RETRY);
                LOG.debug("Update {}: cannot read object 5 of {} yet: {}", a.session.id(), a.session.endpoint(),
                        error.getMessage());
                return;
            }
            readings.take(a, state.join(), result.join());
            a.runningVersion = running;
            a.registrationId = registration.getId();
            a.resyncedIdle = a.session.state() == UpdateState.DOWNLOADING && a.deviceState != null
                    && a.deviceState == 0;
            a.synced = true;
            a.nextSync = null;
            advance(a);
        });
    }

    @Override
    public void readObject5(ActiveSession a, Registration registration, Consumer<Throwable> next) {
        readings.read(a, registration, next);
    }

    @Override
    public void retryOrFail(ActiveSession a, FailureReason reason, String detail, Throwable error) {
        String answer = error == null ? null : Object5Link.deviceAnswer(error);
        if (answer != null) {
            a.session = a.session.withAttempt(a.session.attempts() + 1, null);
            fail(a, FailureReason.REQUEST_REFUSED, detail);
            return;
        }
        boolean transientFailure = reason == FailureReason.CONNECTION_LOST
                || reason == FailureReason.DEVICE_UNREACHABLE;
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

    @Override
    public void fail(ActiveSession a, FailureReason reason, String detail) {
        resetDevice(a);
        move(a, UpdateState.FAILED, reason, detail);
    }

    /**
     * Best effort: an empty package URI returns object 5 to Idle, dropping a half-done download or a downloaded
     * image; not sent while the device may be installing, when object 5 does not allow it.
     */
    private void resetDevice(ActiveSession a) {
        UpdateState state = a.session.state();
        if (state == UpdateState.PENDING || !Object5Rules.mayCancel(state, a.deviceState, a.installRefused)) {
            return;
        }
        Registration registration = link.registration(a.session.endpoint());
        if (registration != null && link.isReachable(registration)) {
            link.writePackageUri(registration, "").exceptionally(e -> null);
        }
    }

    @Override
    public void move(ActiveSession a, UpdateState to, FailureReason reason, String detail) {
        UpdateSession next = a.session.moved(to, reason, detail, OffsetDateTime.now());
        DeviceEvent event = sessions.save(next, true);
        UpdateState from = a.session.state();
        a.session = next;
        if (active.moved(from, to)) {
            post(this::startWaiting); // a download slot is free: no need to wait for the next tick
        }
        if (to.isFinal()) {
            active.remove(next);
            readings.forRegistry(next.endpoint());
            LOG.info("Update {} of {} to {} {}{}: {}", next.id(), next.endpoint(), a.image.version(), to.wireName(),
                    reason == null ? "" : " (" + reason.wireName() + ")", detail);
        }
        if (event != null) {
            events.publish(event);
        }
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
