package dev.ferry.server.rollout;

import static dev.ferry.server.store.generated.Tables.ROLLOUT;
import static dev.ferry.server.store.generated.Tables.ROLLOUT_DEVICE;
import static dev.ferry.server.store.generated.Tables.UPDATE_SESSION;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import org.jooq.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventListener;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.store.generated.tables.records.RolloutDeviceRecord;
import dev.ferry.server.store.generated.tables.records.RolloutRecord;
import dev.ferry.server.update.FailureReason;
import dev.ferry.server.update.UpdateService;
import dev.ferry.server.update.UpdateState;

/**
 * The rollout scheduler: one thread that, on every pass, reads each live rollout from the database and moves it
 * on (sessions that ended, devices that timed out or finished their soak, the gate, new sessions). It keeps no
 * state of its own beyond what the database holds, so a restarted server continues where the last one stopped,
 * and each rollout's lease lets several nodes share the work later. Event-bus listeners only wake it or queue
 * work; the API's actions run on this thread too ({@link #call}), so a rollout never sees two things at once.
 */
final class RolloutScheduler implements AutoCloseable, DeviceEventListener {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutScheduler.class);
    private static final Duration TICK = Duration.ofMillis(500);
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration OFFLINE_GRACE = Duration.ofSeconds(3);
    private static final Pattern SESSION_ENDED = Pattern.compile("update \\d+ (succeeded|failed|cancelled)\\b.*",
            Pattern.DOTALL);

    private final RolloutStore store;
    private final UpdateService updates;
    private final DeviceRepository devices;
    private final Clock clock;
    private final String node;
    private final Map<Long, RolloutSpec> plans = new ConcurrentHashMap<>();
    private final Set<String> soakingEndpoints = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ferry-rollouts");
        t.setDaemon(true);
        return t;
    });
    private final SoakWatch soaks;
    private RolloutActions actions;
    private WaveStarter waves;

    RolloutScheduler(RolloutStore store, UpdateService updates, DeviceRepository devices, Clock clock, String node) {
        this.store = store;
        this.updates = updates;
        this.devices = devices;
        this.clock = clock;
        this.node = node;
        this.soaks = new SoakWatch(store, devices, this::plan);
    }

    void start(WaveStarter starter, RolloutActions rolloutActions) {
        this.waves = starter;
        this.actions = rolloutActions;
        thread.scheduleWithFixedDelay(this::pass, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    OffsetDateTime now() {
        return OffsetDateTime.now(clock);
    }

    /** Runs {@code work} on the scheduler's thread and waits for it; for the API's actions. */
    <T> T call(Callable<T> work) {
        Future<T> result = thread.submit(work);
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the rollout scheduler", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the rollout scheduler did not answer within 60 s", e);
        }
    }

    /** Asks for a pass soon; many wake-ups before it runs make one pass. Callable from any thread. */
    void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            thread.execute(() -> {
                wakeQueued.set(false);
                pass();
            });
        }
    }

    /** Called on the threads that committed the events: never waits, only wakes the scheduler or queues work. */
    @Override
    public void onEvent(DeviceEvent event) {
        if (event.type() == DeviceEventType.UPDATE && event.detail() != null
                && SESSION_ENDED.matcher(event.detail()).matches()) {
            wake();
        } else if (event.endpoint() != null && soakingEndpoints.contains(event.endpoint())
                && (event.type() == DeviceEventType.REGISTERED || event.type() == DeviceEventType.DEREGISTERED
                        || event.type() == DeviceEventType.EXPIRED)) {
            // A reboot ends one registration just before the next one is written: whether the device went
            // offline is judged a moment later.
            Duration after = event.type() == DeviceEventType.REGISTERED ? Duration.ZERO : OFFLINE_GRACE;
            thread.schedule(() -> guard(() -> {
                soaks.heard(event.endpoint(), event.type(), now());
                wake();
            }), after.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    RolloutSpec plan(RolloutRecord rollout) {
        return plans.computeIfAbsent(rollout.getId(), id -> store.toRollout(rollout).spec());
    }

    void forget(long id) {
        plans.remove(id);
    }

    private void pass() {
        guard(() -> {
            OffsetDateTime now = now();
            for (long id : store.lease(node, now, now.plus(LEASE))) {
                guard(() -> step(id, now));
            }
            Set<String> soaking = Set.copyOf(store.dsl().select(ROLLOUT_DEVICE.ENDPOINT).from(ROLLOUT_DEVICE)
                    .where(ROLLOUT_DEVICE.STATE.eq(RolloutDeviceState.SOAKING.wireName())).fetch(ROLLOUT_DEVICE.ENDPOINT));
            soakingEndpoints.retainAll(soaking);
            soakingEndpoints.addAll(soaking);
        });
    }

    private void guard(Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.error("Rollout scheduler step failed; the next pass tries again", e);
        }
    }

    private void step(long id, OffsetDateTime now) {
        RolloutRecord rollout = store.row(id);
        RolloutSpec spec = plan(rollout);
        RolloutStatus status = RolloutStatus.fromWireName(rollout.getStatus());
        if (status == RolloutStatus.SCHEDULED && (spec.startAt() == null || !now.isBefore(spec.startAt()))) {
            actions.begin(rollout, RolloutStatus.SCHEDULED, "its start time " + spec.startAt() + " came",
                    RolloutStore.SERVER, now);
            return;
        }
        if (status == RolloutStatus.ROLLING_BACK) {
            actions.finishRollback(rollout, now);
        }
        watchSessions(rollout, spec, now);
        soaks.watch(rollout, spec, now);
        rollout = store.row(id);
        if (RolloutStatus.fromWireName(rollout.getStatus()) == RolloutStatus.RUNNING) {
            actions.recover(rollout, now);
            rollout = store.row(id);
            actions.judge(rollout, spec, now);
            rollout = store.row(id);
            if (RolloutStatus.fromWireName(rollout.getStatus()) == RolloutStatus.RUNNING) {
                startSessions(rollout, spec, now);
            }
        }
    }

    /** Devices whose session ended, or that had no outcome within the gate's device timeout. */
    private void watchSessions(RolloutRecord rollout, RolloutSpec spec, OffsetDateTime now) {
        OffsetDateTime timedOutSince = now.minus(spec.gate().deviceTimeout());
        List<Record> due = store.dsl().select(ROLLOUT_DEVICE.fields())
                .select(UPDATE_SESSION.STATE, UPDATE_SESSION.FAILURE_REASON, UPDATE_SESSION.DETAIL)
                .from(ROLLOUT_DEVICE).join(UPDATE_SESSION).on(UPDATE_SESSION.ID.eq(ROLLOUT_DEVICE.SESSION_ID))
                .where(ROLLOUT_DEVICE.ROLLOUT_ID.eq(rollout.getId()),
                        ROLLOUT_DEVICE.STATE.eq(RolloutDeviceState.UPDATING.wireName()),
                        UPDATE_SESSION.FINISHED_AT.isNotNull().or(ROLLOUT_DEVICE.STATE_SINCE.lt(timedOutSince)))
                .orderBy(ROLLOUT_DEVICE.ENDPOINT).fetch();
        for (Record r : due) {
            RolloutDeviceRecord row = r.into(ROLLOUT_DEVICE);
            row.changed(false);
            UpdateState session = UpdateState.fromWireName(r.get(UPDATE_SESSION.STATE));
            String detail = r.get(UPDATE_SESSION.DETAIL);
            if (session.isFinal()) {
                ended(rollout, spec, row, session, FailureReason.fromWireName(r.get(UPDATE_SESSION.FAILURE_REASON)),
                        detail, now);
            } else {
                updates.cancel(row.getSessionId()).exceptionally(e -> null);
                store.transaction(tx -> tx.moveDevice(row, RolloutDeviceState.TIMED_OUT, "timed-out", "no outcome"
                        + " within " + spec.gate().deviceTimeout().toSeconds() + " s of its session " + row.getSessionId()
                        + " (last: " + detail + "); the session was asked to cancel where object 5 allows",
                        RolloutStore.SERVER, now));
            }
        }
    }

    private void ended(RolloutRecord rollout, RolloutSpec spec, RolloutDeviceRecord row, UpdateState session,
            FailureReason reason, String detail, OffsetDateTime now) {
        String of = "update session " + row.getSessionId();
        if (session == UpdateState.SUCCEEDED) {
            boolean soak = !spec.gate().soak().isZero();
            row.setRegistrations(0);
            store.transaction(tx -> tx.moveDevice(row, soak ? RolloutDeviceState.SOAKING
                    : RolloutDeviceState.SUCCEEDED, null, of + " succeeded" + (soak ? "; soaking for "
                            + spec.gate().soak().toSeconds() + " s" : ""), RolloutStore.SERVER, now));
            if (soak) {
                soakingEndpoints.add(row.getEndpoint());
                soaks.started(row, spec, now);
            }
            return;
        }
        if (session == UpdateState.CANCELLED) {
            store.transaction(tx -> tx.moveDevice(row, RolloutDeviceState.CANCELLED, "session-cancelled", of
                    + " was cancelled: " + detail, RolloutStore.SERVER, now));
            return;
        }
        String wire = reason == null ? "failed" : reason.wireName();
        RolloutSpec.RetryPolicy retry = spec.retry();
        boolean mayRetry = RolloutStatus.fromWireName(rollout.getStatus()) != RolloutStatus.CANCELLED
                && RolloutStatus.fromWireName(rollout.getStatus()) != RolloutStatus.ROLLING_BACK
                && reason != null && retry.retryOn().contains(reason) && row.getAttempts() < retry.maxAttempts();
        if (mayRetry) {
            Duration backoff = Duration.ofMillis((long) (retry.backoff().toMillis()
                    * Math.pow(retry.multiplier(), row.getAttempts() - 1)));
            row.setNextAttemptAt(now.plus(backoff));
            store.transaction(tx -> tx.moveDevice(row, RolloutDeviceState.PENDING, wire, "attempt "
                    + row.getAttempts() + " of " + retry.maxAttempts() + " failed (" + wire + ": " + detail
                    + "); trying again in " + backoff.toSeconds() + " s", RolloutStore.SERVER, now));
            return;
        }
        store.transaction(tx -> tx.moveDevice(row, RolloutDeviceState.FAILED, wire, of + " failed after "
                + row.getAttempts() + " attempt(s): " + detail, RolloutStore.SERVER, now));
    }

    /** New sessions for pending devices whose time came, within the window and the concurrency limit. */
    private void startSessions(RolloutRecord rollout, RolloutSpec spec, OffsetDateTime now) {
        if (!MaintenanceWindows.isOpen(spec.window(), now)) {
            String waiting = "waiting for the maintenance window"
                    + MaintenanceWindows.nextOpening(spec.window(), now).map(t -> ", which opens at " + t).orElse("");
            if (!waiting.equals(rollout.getStatusDetail())) {
                store.dsl().update(ROLLOUT).set(ROLLOUT.STATUS_DETAIL, waiting).where(ROLLOUT.ID.eq(rollout.getId()))
                        .execute();
            }
            return;
        }
        int slots = spec.maxConcurrent() - store.countIn(rollout.getId(), RolloutDeviceState.UPDATING);
        if (slots <= 0) {
            return;
        }
        List<RolloutDeviceRecord> due = store.dsl().selectFrom(ROLLOUT_DEVICE)
                .where(ROLLOUT_DEVICE.ROLLOUT_ID.eq(rollout.getId()),
                        ROLLOUT_DEVICE.STATE.eq(RolloutDeviceState.PENDING.wireName()),
                        ROLLOUT_DEVICE.NEXT_ATTEMPT_AT.isNull().or(ROLLOUT_DEVICE.NEXT_ATTEMPT_AT.le(now)))
                .orderBy(ROLLOUT_DEVICE.WAVE_INDEX, ROLLOUT_DEVICE.ENDPOINT).limit(slots).fetch();
        for (RolloutDeviceRecord row : due) {
            actions.startSession(rollout, spec, row, now);
        }
        if (due.isEmpty() && rollout.getStatusDetail() != null && rollout.getStatusDetail().startsWith("waiting for"
                + " the maintenance window")) {
            store.dsl().update(ROLLOUT).set(ROLLOUT.STATUS_DETAIL, "the maintenance window is open")
                    .where(ROLLOUT.ID.eq(rollout.getId())).execute();
        }
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
