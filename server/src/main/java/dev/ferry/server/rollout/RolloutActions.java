package dev.ferry.server.rollout;

import static dev.ferry.server.store.generated.Tables.ROLLOUT;
import static dev.ferry.server.store.generated.Tables.ROLLOUT_DEVICE;
import static dev.ferry.server.store.generated.Tables.ROLLOUT_WAVE;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jooq.Field;

import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.store.generated.tables.records.RolloutDeviceRecord;
import dev.ferry.server.store.generated.tables.records.RolloutRecord;
import dev.ferry.server.store.generated.tables.records.RolloutWaveRecord;
import dev.ferry.server.update.InvalidUpdateException;
import dev.ferry.server.update.UpdateConflictException;
import dev.ferry.server.update.UpdateService;

/**
 * The moves of a rollout: the operator's actions (checked against {@link RolloutStatus#allowed()}) and the
 * scheduler's own (start time reached, gate decisions, the end of a rollback). Runs on the scheduler's thread
 * only; each move is one transaction.
 */
final class RolloutActions {
    private final RolloutStore store;
    private final RolloutScheduler scheduler;
    private final WaveStarter waves;
    private final UpdateService updates;

    RolloutActions(RolloutStore store, RolloutScheduler scheduler, WaveStarter waves, UpdateService updates) {
        this.store = store;
        this.scheduler = scheduler;
        this.waves = waves;
        this.updates = updates;
    }

    RolloutRecord act(long id, RolloutAction action, String actor) {
        RolloutRecord rollout = store.row(id);
        RolloutStatus status = RolloutStatus.fromWireName(rollout.getStatus());
        if (!status.allowed().contains(action)) {
            throw new RolloutStateException(action.wireName() + " does not apply to rollout " + id + ", which is "
                    + status.wireName(), status);
        }
        OffsetDateTime now = scheduler.now();
        RolloutSpec spec = scheduler.plan(rollout);
        switch (action) {
        case START -> {
            if (spec.startAt() != null && spec.startAt().isAfter(now)) {
                store.transaction(tx -> tx.moveRollout(id, status, RolloutStatus.SCHEDULED, "starts at "
                        + spec.startAt(), actor, now, Map.of()));
            } else {
                begin(rollout, status, "started by " + actor, actor, now);
            }
        }
        case PAUSE -> store.transaction(tx -> tx.moveRollout(id, status, RolloutStatus.PAUSED, "paused by " + actor
                + "; running update sessions finish and are counted", actor, now, Map.of()));
        case RESUME, PROMOTE -> proceed(rollout, spec, status, action, actor, now);
        case CANCEL -> cancel(rollout, status, "cancelled by " + actor, actor, now);
        case ROLLBACK -> {
            if (rollout.getRollbackOf() != null) {
                throw new RolloutStateException("rollout " + id + " is the rollback of rollout "
                        + rollout.getRollbackOf() + "; a rollback is not rolled back (start a new rollout instead)",
                        status);
            }
            rollback(rollout, status, "rollback asked by " + actor, actor, now);
        }
        default -> throw new IllegalArgumentException(action.wireName());
        }
        scheduler.wake();
        return store.row(id);
    }

    /** To running, and the first wave starts. */
    void begin(RolloutRecord rollout, RolloutStatus from, String detail, String actor, OffsetDateTime now) {
        boolean moved = store.transaction(tx -> tx.moveRollout(rollout.getId(), from, RolloutStatus.RUNNING, detail,
                actor, now, Map.of(ROLLOUT.STARTED_AT, now)));
        if (moved) {
            nextWave(store.row(rollout.getId()), 0, now);
        }
    }

    private void proceed(RolloutRecord rollout, RolloutSpec spec, RolloutStatus status, RolloutAction action,
            String actor, OffsetDateTime now) {
        long id = rollout.getId();
        Integer current = rollout.getCurrentWave();
        if (current == null) { // paused before its first wave
            if (action == RolloutAction.RESUME && spec.startAt() != null && spec.startAt().isAfter(now)) {
                store.transaction(tx -> tx.moveRollout(id, status, RolloutStatus.SCHEDULED, "resumed by " + actor
                        + "; starts at " + spec.startAt(), actor, now, Map.of()));
            } else {
                begin(rollout, status, action.wireName() + "d by " + actor, actor, now);
            }
            return;
        }
        RolloutWaveRecord wave = store.wave(id, current).orElseThrow();
        RolloutWave.Status waveStatus = RolloutStore.waveStatus(wave.getStatus());
        boolean promote = action == RolloutAction.PROMOTE || waveStatus == RolloutWave.Status.AWAITING_PROMOTION;
        if (!promote) {
            store.transaction(tx -> tx.moveRollout(id, status, RolloutStatus.RUNNING, "resumed by " + actor, actor,
                    now, Map.of()));
            return;
        }
        store.transaction(tx -> {
            if (status != RolloutStatus.RUNNING) {
                tx.moveRollout(id, status, RolloutStatus.RUNNING, "wave " + current + " promoted by " + actor, actor,
                        now, Map.of());
            }
            if (waveStatus == RolloutWave.Status.RUNNING || waveStatus == RolloutWave.Status.AWAITING_PROMOTION) {
                tx.moveWave(id, current, waveStatus, RolloutWave.Status.PASSED, "promoted by " + actor
                        + (wave.getGateDetail() == null ? "" : " (gate: " + wave.getGateDetail() + ")"), actor, now);
            }
            return null;
        });
        nextWave(store.row(id), current + 1, now);
    }

    /**
     * Finishes a move a crash cut in two: a running rollout without a wave (stopped between its start and its
     * first wave) or whose current wave passed (stopped before the next one started) starts that wave now.
     */
    void recover(RolloutRecord rollout, OffsetDateTime now) {
        Integer current = rollout.getCurrentWave();
        if (current == null) {
            nextWave(rollout, 0, now);
        } else if (store.wave(rollout.getId(), current).map(w -> RolloutStore.waveStatus(w.getStatus()))
                .filter(s -> s == RolloutWave.Status.PASSED).isPresent()) {
            nextWave(rollout, current + 1, now);
        }
    }

    /**
     * Starts the wave, or completes the rollout when the plan has no more waves or no device waits. A rollback's
     * first wave waits until no session of the rollout it reverses is still running: a session asked to cancel
     * may still end with the new image installed, and that device must be put back too. {@link #recover} tries
     * again at each scheduler pass.
     */
    private void nextWave(RolloutRecord rollout, int wave, OffsetDateTime now) {
        if (wave == 0 && rollout.getRollbackOf() != null && !store.devicesIn(rollout.getRollbackOf(),
                List.of(RolloutDeviceState.UPDATING), 1).isEmpty()) {
            return;
        }
        if (!waves.start(rollout, scheduler.plan(rollout), wave, now)) {
            store.transaction(tx -> tx.moveRollout(rollout.getId(), RolloutStatus.RUNNING, RolloutStatus.COMPLETED,
                    wave == 0 ? "no device of the target needed the update" : "every wave passed its gate",
                    RolloutStore.SERVER, now, Map.of()));
            if (rollout.getRollbackOf() != null) {
                finishRollback(store.row(rollout.getRollbackOf()), now);
            }
        }
    }

    /** Judges the running wave's gate on counts read now, and takes its action. */
    void judge(RolloutRecord rollout, RolloutSpec spec, OffsetDateTime now) {
        Integer current = rollout.getCurrentWave();
        if (current == null) {
            return;
        }
        long id = rollout.getId();
        RolloutWaveRecord wave = store.wave(id, current).orElseThrow();
        if (RolloutStore.waveStatus(wave.getStatus()) != RolloutWave.Status.RUNNING) {
            return;
        }
        GateVerdict verdict = GateVerdict.judge(spec.gate(), store.waveCounts(id, current), wave.getFailuresSeen());
        RolloutSpec.Gate gate = spec.gate();
        switch (verdict.decision()) {
        case WAIT -> {
        }
        case PASS -> {
            if (gate.onSuccess() == RolloutSpec.SuccessAction.PAUSE && WavePlan.hasWave(spec.strategy(), current + 1)) {
                store.transaction(tx -> tx.moveWave(id, current, RolloutWave.Status.RUNNING,
                        RolloutWave.Status.AWAITING_PROMOTION, verdict.detail() + ": waiting to be promoted",
                        RolloutStore.SERVER, now) && tx.moveRollout(id, RolloutStatus.RUNNING, RolloutStatus.PAUSED,
                                "wave " + current + " passed its gate; promote the rollout to start the next wave",
                                RolloutStore.SERVER, now, Map.of()));
            } else {
                store.transaction(tx -> tx.moveWave(id, current, RolloutWave.Status.RUNNING, RolloutWave.Status.PASSED,
                        verdict.detail() + ": next wave", RolloutStore.SERVER, now));
                nextWave(store.row(id), current + 1, now);
            }
        }
        case ERROR -> {
            String why = "wave " + current + ": " + verdict.detail();
            store.dsl().update(ROLLOUT_WAVE).set(ROLLOUT_WAVE.FAILURES_SEEN, verdict.failures())
                    .set(ROLLOUT_WAVE.GATE_DETAIL, verdict.detail())
                    .where(ROLLOUT_WAVE.ROLLOUT_ID.eq(id), ROLLOUT_WAVE.WAVE_INDEX.eq(current)).execute();
            switch (gate.onError()) {
            case PAUSE -> store.transaction(tx -> tx.moveRollout(id, RolloutStatus.RUNNING, RolloutStatus.PAUSED, why
                    + "; resume to go on with the wave, or promote to pass it anyway", RolloutStore.SERVER, now,
                    Map.of()));
            case CANCEL -> cancel(rollout, RolloutStatus.RUNNING, why, RolloutStore.SERVER, now);
            case ROLLBACK -> rollback(rollout, RolloutStatus.RUNNING, why, RolloutStore.SERVER, now);
            default -> throw new IllegalStateException(gate.onError().name());
            }
        }
        default -> throw new IllegalStateException(verdict.decision().name());
        }
    }

    /** Cancelled: pending devices are cancelled at once; unfinished sessions where object 5 allows. */
    private void cancel(RolloutRecord rollout, RolloutStatus from, String detail, String actor, OffsetDateTime now) {
        boolean moved = store.transaction(tx -> {
            if (!tx.moveRollout(rollout.getId(), from, RolloutStatus.CANCELLED, detail, actor, now, Map.of())) {
                return false;
            }
            stopWork(tx, rollout, "the rollout was cancelled", actor, now);
            return true;
        });
        if (moved) {
            cancelSessions(rollout.getId());
        }
    }

    /** Stops the rollout's work and starts its reverse rollout, which gives each device its previous image. */
    private void rollback(RolloutRecord rollout, RolloutStatus from, String detail, String actor,
            OffsetDateTime now) {
        long id = rollout.getId();
        Long reverse = store.transaction(tx -> {
            long created = tx.dsl.insertInto(ROLLOUT).set(ROLLOUT.NAME, DeviceRepository.truncate("rollback of "
                    + rollout.getName(), 200)).set(ROLLOUT.PLAN, rollout.getPlan())
                    .set(ROLLOUT.STATUS, RolloutStatus.RUNNING.wireName())
                    .set(ROLLOUT.STATUS_DETAIL, "putting back the devices rollout " + id + " updated")
                    .set(ROLLOUT.ROLLBACK_OF, id).set(ROLLOUT.CREATED_BY, actor).set(ROLLOUT.CREATED_AT, now)
                    .set(ROLLOUT.UPDATED_AT, now).set(ROLLOUT.STARTED_AT, now)
                    .returningResult(ROLLOUT.ID).fetchOne(ROLLOUT.ID);
            tx.record(created, RolloutStore.Step.rollout(null, RolloutStatus.RUNNING, "rollback of rollout " + id
                    + ": " + detail, actor), now);
            if (!tx.moveRollout(id, from, RolloutStatus.ROLLING_BACK, detail + "; rollout " + created
                    + " puts its devices back", actor, now, Map.<Field<?>, Object>of(ROLLOUT.ROLLED_BACK_BY, created))) {
                throw new RolloutStateException("rollout " + id + " changed meanwhile", from);
            }
            stopWork(tx, rollout, "the rollout is rolled back", actor, now);
            return created;
        });
        cancelSessions(id);
        nextWave(store.row(reverse), 0, now);
    }

    /** Ends a rollback once its reverse rollout is final. */
    void finishRollback(RolloutRecord original, OffsetDateTime now) {
        if (original.getRolledBackBy() == null
                || RolloutStatus.fromWireName(original.getStatus()) != RolloutStatus.ROLLING_BACK) {
            return;
        }
        RolloutRecord reverse = store.row(original.getRolledBackBy());
        RolloutStatus status = RolloutStatus.fromWireName(reverse.getStatus());
        if (status.isFinal()) {
            store.transaction(tx -> tx.moveRollout(original.getId(), RolloutStatus.ROLLING_BACK,
                    RolloutStatus.ROLLED_BACK, "rollout " + reverse.getId() + " ended " + status.wireName(),
                    RolloutStore.SERVER, now, Map.of()));
        }
    }

    /** Pending devices to cancelled and the open wave to cancelled, inside the caller's transaction. */
    private void stopWork(RolloutStore.Recorder tx, RolloutRecord rollout, String why, String actor,
            OffsetDateTime now) {
        for (RolloutDeviceRecord row : tx.dsl.selectFrom(ROLLOUT_DEVICE).where(ROLLOUT_DEVICE.ROLLOUT_ID.eq(
                rollout.getId()), ROLLOUT_DEVICE.STATE.eq(RolloutDeviceState.PENDING.wireName())).fetch()) {
            row.changed(false);
            tx.moveDevice(row, RolloutDeviceState.CANCELLED, row.getReason(), why + " before its update started",
                    actor, now);
        }
        Integer current = rollout.getCurrentWave();
        if (current != null) {
            RolloutWaveRecord wave = tx.dsl.selectFrom(ROLLOUT_WAVE).where(ROLLOUT_WAVE.ROLLOUT_ID.eq(rollout.getId()),
                    ROLLOUT_WAVE.WAVE_INDEX.eq(current)).fetchOne();
            RolloutWave.Status status = RolloutStore.waveStatus(wave.getStatus());
            if (status == RolloutWave.Status.RUNNING || status == RolloutWave.Status.AWAITING_PROMOTION) {
                tx.moveWave(rollout.getId(), current, status, RolloutWave.Status.CANCELLED, why, actor, now);
            }
        }
    }

    /** Asks each unfinished session to cancel; the scheduler records each outcome as it comes. */
    private void cancelSessions(long id) {
        for (RolloutDeviceRecord row : store.devicesIn(id, List.of(RolloutDeviceState.UPDATING), Integer.MAX_VALUE)) {
            updates.cancel(row.getSessionId()).exceptionally(e -> null);
        }
    }

    /** Creates the device's update session and marks it updating, in the session's own transaction. */
    void startSession(RolloutRecord rollout, RolloutSpec spec, RolloutDeviceRecord row, OffsetDateTime now) {
        boolean reverse = rollout.getRollbackOf() != null;
        long firmwareId = reverse ? row.getFirmwareId() : rollout.getFirmwareId();
        int attempt = row.getAttempts() + 1;
        row.changed(false);
        try {
            updates.createForRollout(row.getEndpoint(), WaveStarter.request(firmwareId, spec, reverse),
                    (dsl, session) -> {
                        List<DeviceEvent> recorded = new ArrayList<>();
                        row.setSessionId(session.id());
                        row.setAttempts(attempt);
                        row.setNextAttemptAt(null);
                        new RolloutStore.Recorder(dsl, recorded).moveDevice(row, RolloutDeviceState.UPDATING,
                                row.getReason(), "update session " + session.id() + ", attempt " + attempt + " of "
                                        + spec.retry().maxAttempts(), RolloutStore.SERVER, now);
                        return recorded;
                    });
        } catch (InvalidUpdateException e) {
            skip(row, WaveStarter.reasonOf(e, reverse), e.getMessage(), now);
        } catch (UpdateConflictException e) {
            skip(row, "update-in-progress", e.getMessage(), now);
        } catch (UpdateService.UnknownDeviceException e) {
            skip(row, "deprovisioned", "the device was deprovisioned before its update started", now);
        }
    }

    private void skip(RolloutDeviceRecord row, String reason, String detail, OffsetDateTime now) {
        RolloutDeviceRecord fresh = store.dsl().selectFrom(ROLLOUT_DEVICE).where(ROLLOUT_DEVICE.ROLLOUT_ID.eq(
                row.getRolloutId()), ROLLOUT_DEVICE.ENDPOINT.eq(row.getEndpoint())).fetchOne();
        fresh.changed(false);
        store.transaction(tx -> tx.moveDevice(fresh, RolloutDeviceState.SKIPPED, reason, detail, RolloutStore.SERVER,
                now));
    }
}
