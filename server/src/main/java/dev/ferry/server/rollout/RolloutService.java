package dev.ferry.server.rollout;

import static dev.ferry.server.store.generated.Tables.ROLLOUT;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import dev.ferry.server.device.DeviceEventBus;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.firmware.FirmwareRepository;
import dev.ferry.server.store.Database;
import dev.ferry.server.store.generated.tables.records.RolloutRecord;
import dev.ferry.server.update.UpdateService;

/**
 * Rollouts as the API and the scheduler share them. Drafts are written on the caller's thread (each write is
 * guarded by the draft status, so it cannot race a start); every action runs on the scheduler's thread.
 */
public final class RolloutService implements Rollouts, AutoCloseable {
    /** Answers {@link InvalidRolloutException} with every problem of a plan, or returns when it can run. */
    @FunctionalInterface
    public interface PlanCheck extends Consumer<RolloutSpec> {
    }

    private final RolloutStore store;
    private final RolloutPlans plans;
    private final PlanCheck check;
    private final RolloutScheduler scheduler;
    private final RolloutActions actions;
    private final WaveStarter waves;

    /**
     * @param node this server's name in the rollouts' leases; a restarted server with the same name takes its
     *        rollouts back at once
     */
    public RolloutService(Database database, DeviceEventBus events, RolloutPlans plans, PlanCheck check,
            RolloutTargets targets, DeviceRepository devices, FirmwareRepository firmware, UpdateService updates,
            Clock clock, String node) {
        this.plans = plans;
        this.check = check;
        this.store = new RolloutStore(database, events, plans::read);
        this.scheduler = new RolloutScheduler(store, updates, devices, clock, node);
        this.waves = new WaveStarter(store, targets, devices, firmware, updates);
        this.actions = new RolloutActions(store, scheduler, waves, updates);
        updates.holdDevicesWith(endpoint -> store.holding(endpoint, null)
                .map(r -> "rollout " + r.getId() + " ('" + r.getName() + "', " + r.getStatus() + ")"));
        events.subscribe(scheduler);
        scheduler.start(waves, actions);
    }

    @Override
    public Rollout create(RolloutSpec spec, String actor) {
        check.accept(spec);
        OffsetDateTime now = scheduler.now();
        long id = store.transaction(tx -> {
            long created = tx.dsl.insertInto(ROLLOUT).set(ROLLOUT.NAME, spec.name())
                    .set(ROLLOUT.FIRMWARE_ID, spec.firmwareId()).set(ROLLOUT.PLAN, plans.write(spec))
                    .set(ROLLOUT.STATUS, RolloutStatus.DRAFT.wireName()).set(ROLLOUT.STATUS_DETAIL, "created by " + actor)
                    .set(ROLLOUT.CREATED_BY, actor).set(ROLLOUT.CREATED_AT, now).set(ROLLOUT.UPDATED_AT, now)
                    .returningResult(ROLLOUT.ID).fetchOne(ROLLOUT.ID);
            tx.record(created, RolloutStore.Step.rollout(null, RolloutStatus.DRAFT, "created by " + actor, actor), now);
            return created;
        });
        return find(id).orElseThrow();
    }

    @Override
    public RolloutPreview preview(RolloutSpec spec) {
        check.accept(spec);
        return waves.preview(spec);
    }

    @Override
    public Optional<Rollout> find(long id) {
        return store.find(id);
    }

    @Override
    public List<Rollout> list(Optional<RolloutStatus> status, int offset, int limit) {
        return store.list(status, offset, limit);
    }

    @Override
    public Rollout edit(long id, RolloutSpec spec, String actor) {
        RolloutRecord rollout = store.row(id);
        requireDraft(rollout, "edited");
        check.accept(spec);
        OffsetDateTime now = scheduler.now();
        boolean edited = store.transaction(tx -> {
            if (tx.dsl.update(ROLLOUT).set(ROLLOUT.NAME, spec.name()).set(ROLLOUT.FIRMWARE_ID, spec.firmwareId())
                    .set(ROLLOUT.PLAN, plans.write(spec)).set(ROLLOUT.UPDATED_AT, now)
                    .set(ROLLOUT.STATUS_DETAIL, "plan replaced by " + actor)
                    .where(ROLLOUT.ID.eq(id), ROLLOUT.STATUS.eq(RolloutStatus.DRAFT.wireName())).execute() == 0) {
                return false;
            }
            tx.record(id, RolloutStore.Step.rollout(RolloutStatus.DRAFT, RolloutStatus.DRAFT, "plan replaced by "
                    + actor, actor), now);
            return true;
        });
        if (!edited) {
            requireDraft(store.row(id), "edited");
        }
        scheduler.forget(id);
        return find(id).orElseThrow();
    }

    @Override
    public void delete(long id, String actor) {
        RolloutRecord rollout = store.row(id);
        requireDraft(rollout, "deleted");
        OffsetDateTime now = scheduler.now();
        boolean deleted = store.transaction(tx -> {
            if (tx.dsl.deleteFrom(ROLLOUT).where(ROLLOUT.ID.eq(id), ROLLOUT.STATUS.eq(RolloutStatus.DRAFT.wireName()))
                    .execute() == 0) {
                return false;
            }
            // The history goes with the row; the device event log keeps that it existed.
            tx.recordEventOnly("rollout " + id + " deleted: by " + actor, now);
            return true;
        });
        if (!deleted) {
            requireDraft(store.row(id), "deleted");
        }
        scheduler.forget(id);
    }

    @Override
    public Rollout act(long id, RolloutAction action, String actor) {
        RolloutRecord after = scheduler.call(() -> actions.act(id, action, actor));
        return store.toRollout(after);
    }

    @Override
    public List<RolloutWave> waves(long id) {
        store.row(id);
        return store.waves(id);
    }

    @Override
    public List<RolloutDevice> devices(long id, Optional<RolloutDeviceState> state, Optional<Integer> wave,
            String after, int limit) {
        store.row(id);
        return store.devices(id, state, wave, after, limit);
    }

    @Override
    public List<RolloutHistoryEntry> history(long id, long afterId, int limit) {
        store.row(id);
        return store.history(id, afterId, limit);
    }

    @Override
    public Optional<Rollout> holding(String endpoint) {
        return store.holding(endpoint, null).map(store::toRollout);
    }

    /** Whether a saved group is the target of a rollout that is not final; for the groups' edit and delete. */
    public Optional<String> groupUsedBy(String group) {
        for (Rollout r : store.list(Optional.empty(), 0, Integer.MAX_VALUE)) {
            if (!r.status().isFinal() && group.equals(r.spec().target().group())) {
                return Optional.of("rollout " + r.id() + " ('" + r.name() + "', " + r.status().wireName() + ")");
            }
        }
        return Optional.empty();
    }

    private static void requireDraft(RolloutRecord rollout, String what) {
        RolloutStatus status = RolloutStatus.fromWireName(rollout.getStatus());
        if (status != RolloutStatus.DRAFT) {
            throw new RolloutStateException("rollout " + rollout.getId() + " is " + status.wireName()
                    + "; only a draft can be " + what, status);
        }
    }

    @Override
    public void close() {
        scheduler.close();
    }

    @Override
    public java.util.Map<String, Long> countByStatus() {
        return store.dsl().select(dev.ferry.server.store.generated.Tables.ROLLOUT.STATUS, org.jooq.impl.DSL.count())
                .from(dev.ferry.server.store.generated.Tables.ROLLOUT)
                .groupBy(dev.ferry.server.store.generated.Tables.ROLLOUT.STATUS)
                .fetchMap(r -> r.value1(), r -> r.value2().longValue());
    }

    @Override
    public java.util.Map<String, Long> wavesByStatus() {
        var wave = dev.ferry.server.store.generated.Tables.ROLLOUT_WAVE;
        return store.dsl().select(wave.STATUS, org.jooq.impl.DSL.count()).from(wave).groupBy(wave.STATUS)
                .fetchMap(r -> r.value1(), r -> r.value2().longValue());
    }
}
