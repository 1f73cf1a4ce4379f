package dev.ferry.server.rollout;

import static dev.ferry.server.store.generated.Tables.ROLLOUT;
import static dev.ferry.server.store.generated.Tables.ROLLOUT_DEVICE;
import static dev.ferry.server.store.generated.Tables.ROLLOUT_HISTORY;
import static dev.ferry.server.store.generated.Tables.ROLLOUT_WAVE;
import static dev.ferry.server.store.generated.Tables.UPDATE_SESSION;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventBus;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.store.Database;
import dev.ferry.server.store.generated.tables.records.RolloutDeviceRecord;
import dev.ferry.server.store.generated.tables.records.RolloutRecord;
import dev.ferry.server.store.generated.tables.records.RolloutWaveRecord;

/**
 * Rollouts, their waves, devices and history in the database. Each write is one transaction that also writes the
 * history entry and the device event of the transition; the event is published once the transaction committed.
 * Every method blocks on the database.
 */
final class RolloutStore {
    static final String SERVER = "ferry";
    /** Statuses in which the scheduler works on a rollout (besides finishing devices left unfinished). */
    static final List<String> LIVE = List.of(RolloutStatus.SCHEDULED.wireName(), RolloutStatus.RUNNING.wireName(),
            RolloutStatus.PAUSED.wireName(), RolloutStatus.ROLLING_BACK.wireName());
    /** Statuses in which a rollout holds its devices: no direct update session, no other rollout. */
    static final List<String> HOLDING = List.of(RolloutStatus.RUNNING.wireName(), RolloutStatus.PAUSED.wireName(),
            RolloutStatus.ROLLING_BACK.wireName());
    static final List<String> UNFINISHED = List.of(RolloutDeviceState.PENDING.wireName(),
            RolloutDeviceState.UPDATING.wireName(), RolloutDeviceState.SOAKING.wireName());

    private final Database database;
    private final DeviceEventBus events;
    private final Function<String, RolloutSpec> plans;

    RolloutStore(Database database, DeviceEventBus events, Function<String, RolloutSpec> plans) {
        this.database = database;
        this.events = events;
        this.plans = plans;
    }

    DSLContext dsl() {
        return database.dsl();
    }

    /** One transition to record in the transaction that makes it. */
    record Step(String scope, Integer wave, String endpoint, String from, String to, String detail, String actor) {
        static Step rollout(RolloutStatus from, RolloutStatus to, String detail, String actor) {
            return new Step("rollout", null, null, from == null ? null : from.wireName(), to.wireName(), detail, actor);
        }

        static Step wave(int wave, RolloutWave.Status from, RolloutWave.Status to, String detail, String actor) {
            return new Step("wave", wave, null, from == null ? null : from.wireName(), to.wireName(), detail, actor);
        }

        static Step device(int wave, String endpoint, RolloutDeviceState from, RolloutDeviceState to, String detail,
                String actor) {
            return new Step("device", wave, endpoint, from == null ? null : from.wireName(), to.wireName(), detail,
                    actor);
        }
    }

    /** Runs {@code work} in one transaction, then publishes the events it recorded. */
    <T> T transaction(Function<Recorder, T> work) {
        List<DeviceEvent> recorded = new ArrayList<>();
        T result = database.dsl().transactionResult(tx -> work.apply(new Recorder(tx.dsl(), recorded)));
        recorded.forEach(events::publish);
        return result;
    }

    /** Writes history entries and events inside a transaction. */
    static final class Recorder {
        final DSLContext dsl;
        private final List<DeviceEvent> recorded;

        Recorder(DSLContext dsl, List<DeviceEvent> recorded) {
            this.dsl = dsl;
            this.recorded = recorded;
        }

        void record(long rolloutId, Step step, OffsetDateTime at) {
            dsl.insertInto(ROLLOUT_HISTORY).set(ROLLOUT_HISTORY.ROLLOUT_ID, rolloutId)
                    .set(ROLLOUT_HISTORY.SCOPE, step.scope()).set(ROLLOUT_HISTORY.WAVE_INDEX, step.wave())
                    .set(ROLLOUT_HISTORY.ENDPOINT, step.endpoint()).set(ROLLOUT_HISTORY.FROM_STATE, step.from())
                    .set(ROLLOUT_HISTORY.TO_STATE, step.to())
                    .set(ROLLOUT_HISTORY.DETAIL, DeviceRepository.truncate(step.detail(), 1000))
                    .set(ROLLOUT_HISTORY.ACTOR, step.actor()).set(ROLLOUT_HISTORY.OCCURRED_AT, at).execute();
            String subject = switch (step.scope()) {
            case "wave" -> "wave " + step.wave() + " ";
            case "device" -> "device " + step.endpoint() + " ";
            default -> "";
            };
            recorded.add(DeviceRepository.recordEvent(dsl, step.endpoint(), DeviceEventType.ROLLOUT, "rollout "
                    + rolloutId + " " + subject + step.to() + ": " + step.detail(), at));
        }

        /** An event of the rollout without a history entry: for a draft deleted with its history. */
        void recordEventOnly(String detail, OffsetDateTime at) {
            recorded.add(DeviceRepository.recordEvent(dsl, null, DeviceEventType.ROLLOUT, detail, at));
        }

        /** Moves the rollout if it is still in {@code from}; false (nothing written) if another step moved it. */
        boolean moveRollout(long id, RolloutStatus from, RolloutStatus to, String detail, String actor,
                OffsetDateTime at, Map<org.jooq.Field<?>, Object> also) {
            var update = dsl.update(ROLLOUT).set(ROLLOUT.STATUS, to.wireName())
                    .set(ROLLOUT.STATUS_DETAIL, DeviceRepository.truncate(detail, 1000)).set(ROLLOUT.UPDATED_AT, at)
                    .set(also);
            if (to.isFinal()) {
                update = update.set(ROLLOUT.FINISHED_AT, at);
            }
            if (update.where(ROLLOUT.ID.eq(id), ROLLOUT.STATUS.eq(from.wireName())).execute() == 0) {
                return false;
            }
            record(id, Step.rollout(from, to, detail, actor), at);
            return true;
        }

        boolean moveWave(long id, int wave, RolloutWave.Status from, RolloutWave.Status to, String detail,
                String actor, OffsetDateTime at) {
            var update = dsl.update(ROLLOUT_WAVE).set(ROLLOUT_WAVE.STATUS, to.wireName())
                    .set(ROLLOUT_WAVE.GATE_DETAIL, DeviceRepository.truncate(detail, 1000));
            if (to != RolloutWave.Status.RUNNING && to != RolloutWave.Status.AWAITING_PROMOTION) {
                update = update.set(ROLLOUT_WAVE.ENDED_AT, at);
            }
            if (update.where(ROLLOUT_WAVE.ROLLOUT_ID.eq(id), ROLLOUT_WAVE.WAVE_INDEX.eq(wave),
                    ROLLOUT_WAVE.STATUS.eq(from.wireName())).execute() == 0) {
                return false;
            }
            record(id, Step.wave(wave, from, to, detail, actor), at);
            return true;
        }

        /**
         * Moves a device from the state {@code row} shows to {@code to}, with the fields {@code row} changed;
         * false (nothing written) if the stored row is no longer in that state.
         */
        boolean moveDevice(RolloutDeviceRecord row, RolloutDeviceState to, String reason, String detail,
                String actor, OffsetDateTime at) {
            RolloutDeviceState from = RolloutDeviceState.fromWireName(row.getState());
            row.setState(to.wireName());
            row.setReason(reason);
            row.setDetail(DeviceRepository.truncate(detail, 1000));
            row.setStateSince(at);
            row.setUpdatedAt(at);
            var changed = dsl.newRecord(ROLLOUT_DEVICE);
            for (var field : ROLLOUT_DEVICE.fields()) {
                if (row.changed(field) && !field.equals(ROLLOUT_DEVICE.ROLLOUT_ID)
                        && !field.equals(ROLLOUT_DEVICE.ENDPOINT)) {
                    changed.set((org.jooq.Field<Object>) field, row.get(field));
                }
            }
            int moved = dsl.update(ROLLOUT_DEVICE).set(changed)
                    .where(ROLLOUT_DEVICE.ROLLOUT_ID.eq(row.getRolloutId()),
                            ROLLOUT_DEVICE.ENDPOINT.eq(row.getEndpoint()), ROLLOUT_DEVICE.STATE.eq(from.wireName()))
                    .execute();
            row.changed(false);
            if (moved == 0) {
                return false;
            }
            record(row.getRolloutId(), Step.device(row.getWaveIndex(), row.getEndpoint(), from, to,
                    detail, actor), at);
            return true;
        }
    }

    RolloutRecord row(long id) {
        RolloutRecord row = database.dsl().selectFrom(ROLLOUT).where(ROLLOUT.ID.eq(id)).fetchOne();
        if (row == null) {
            throw new Rollouts.UnknownRolloutException(id);
        }
        return row;
    }

    Optional<Rollout> find(long id) {
        return Optional.ofNullable(database.dsl().selectFrom(ROLLOUT).where(ROLLOUT.ID.eq(id)).fetchOne())
                .map(this::toRollout);
    }

    List<Rollout> list(Optional<RolloutStatus> status, int offset, int limit) {
        Condition condition = status.map(s -> ROLLOUT.STATUS.eq(s.wireName())).orElse(DSL.noCondition());
        return database.dsl().selectFrom(ROLLOUT).where(condition).orderBy(ROLLOUT.ID.desc()).offset(offset)
                .limit(limit).fetch(this::toRollout);
    }

    Rollout toRollout(RolloutRecord r) {
        return new Rollout(r.getId(), r.getName(), r.getFirmwareId(), plans.apply(r.getPlan()),
                RolloutStatus.fromWireName(r.getStatus()), r.getStatusDetail(), r.getCurrentWave(), r.getWaveCount(),
                counts(ROLLOUT_DEVICE.ROLLOUT_ID.eq(r.getId())), r.getRollbackOf(), r.getRolledBackBy(),
                r.getCreatedBy(), r.getCreatedAt(), r.getUpdatedAt(), r.getStartedAt(), r.getFinishedAt());
    }

    /** Devices per state where {@code condition} holds; every state present. */
    Map<RolloutDeviceState, Integer> counts(Condition condition) {
        Map<RolloutDeviceState, Integer> counts = new EnumMap<>(RolloutDeviceState.class);
        for (RolloutDeviceState state : RolloutDeviceState.values()) {
            counts.put(state, 0);
        }
        database.dsl().select(ROLLOUT_DEVICE.STATE, DSL.count()).from(ROLLOUT_DEVICE).where(condition)
                .groupBy(ROLLOUT_DEVICE.STATE)
                .forEach(r -> counts.put(RolloutDeviceState.fromWireName(r.value1()), r.value2()));
        return counts;
    }

    Map<RolloutDeviceState, Integer> waveCounts(long id, int wave) {
        return counts(ROLLOUT_DEVICE.ROLLOUT_ID.eq(id).and(ROLLOUT_DEVICE.WAVE_INDEX.eq(wave)));
    }

    List<RolloutWave> waves(long id) {
        List<RolloutWave> waves = new ArrayList<>();
        for (RolloutWaveRecord w : database.dsl().selectFrom(ROLLOUT_WAVE).where(ROLLOUT_WAVE.ROLLOUT_ID.eq(id))
                .orderBy(ROLLOUT_WAVE.WAVE_INDEX).fetch()) {
            waves.add(new RolloutWave(id, w.getWaveIndex(), waveStatus(w.getStatus()), w.getPlanned(),
                    waveCounts(id, w.getWaveIndex()), w.getGateDetail(), w.getStartedAt(), w.getEndedAt()));
        }
        return waves;
    }

    Optional<RolloutWaveRecord> wave(long id, int wave) {
        return database.dsl().selectFrom(ROLLOUT_WAVE)
                .where(ROLLOUT_WAVE.ROLLOUT_ID.eq(id), ROLLOUT_WAVE.WAVE_INDEX.eq(wave)).fetchOptional();
    }

    static RolloutWave.Status waveStatus(String wireName) {
        return RolloutWave.Status.valueOf(wireName.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }

    List<RolloutDevice> devices(long id, Optional<RolloutDeviceState> state, Optional<Integer> wave, String after,
            int limit) {
        Condition condition = ROLLOUT_DEVICE.ROLLOUT_ID.eq(id);
        condition = state.map(s -> ROLLOUT_DEVICE.STATE.eq(s.wireName())).map(condition::and).orElse(condition);
        condition = wave.map(ROLLOUT_DEVICE.WAVE_INDEX::eq).map(condition::and).orElse(condition);
        if (after != null) {
            condition = condition.and(ROLLOUT_DEVICE.ENDPOINT.gt(after));
        }
        return database.dsl().selectFrom(ROLLOUT_DEVICE).where(condition).orderBy(ROLLOUT_DEVICE.ENDPOINT)
                .limit(limit).fetch(RolloutStore::toDevice);
    }

    static RolloutDevice toDevice(RolloutDeviceRecord r) {
        return new RolloutDevice(r.getRolloutId(), r.getEndpoint(), r.getWaveIndex(),
                RolloutDeviceState.fromWireName(r.getState()), r.getAttempts(), r.getReason(), r.getDetail(),
                r.getSessionId(), r.getPreviousVersion(), r.getPreviousFirmwareId(), r.getNextAttemptAt(),
                r.getUpdatedAt());
    }

    List<RolloutHistoryEntry> history(long id, long afterId, int limit) {
        return database.dsl().selectFrom(ROLLOUT_HISTORY)
                .where(ROLLOUT_HISTORY.ROLLOUT_ID.eq(id), ROLLOUT_HISTORY.ID.gt(afterId))
                .orderBy(ROLLOUT_HISTORY.ID).limit(limit)
                .fetch(h -> new RolloutHistoryEntry(h.getId(), h.getRolloutId(), h.getScope(), h.getWaveIndex(),
                        h.getEndpoint(), h.getFromState(), h.getToState(), h.getDetail(), h.getActor(),
                        h.getOccurredAt()));
    }

    /** Rows of a rollout's devices in these states, in wave and endpoint order. */
    List<RolloutDeviceRecord> devicesIn(long id, List<RolloutDeviceState> states, int limit) {
        return database.dsl().selectFrom(ROLLOUT_DEVICE)
                .where(ROLLOUT_DEVICE.ROLLOUT_ID.eq(id),
                        ROLLOUT_DEVICE.STATE.in(states.stream().map(RolloutDeviceState::wireName).toList()))
                .orderBy(ROLLOUT_DEVICE.WAVE_INDEX, ROLLOUT_DEVICE.ENDPOINT).limit(limit).fetch();
    }

    /** Soaking rows of a device, over every rollout. */
    List<RolloutDeviceRecord> soaking(String endpoint) {
        return database.dsl().selectFrom(ROLLOUT_DEVICE).where(ROLLOUT_DEVICE.ENDPOINT.eq(endpoint),
                ROLLOUT_DEVICE.STATE.eq(RolloutDeviceState.SOAKING.wireName())).fetch();
    }

    int countIn(long id, RolloutDeviceState state) {
        return database.dsl().fetchCount(ROLLOUT_DEVICE, ROLLOUT_DEVICE.ROLLOUT_ID.eq(id),
                ROLLOUT_DEVICE.STATE.eq(state.wireName()));
    }

    /** Every endpoint already in the rollout, with whether it was eligible (not skipped). */
    Map<String, Boolean> members(long id) {
        Map<String, Boolean> members = new java.util.HashMap<>();
        database.dsl().select(ROLLOUT_DEVICE.ENDPOINT, ROLLOUT_DEVICE.STATE).from(ROLLOUT_DEVICE)
                .where(ROLLOUT_DEVICE.ROLLOUT_ID.eq(id))
                .forEach(r -> members.put(r.value1(), !RolloutDeviceState.SKIPPED.wireName().equals(r.value2())));
        return members;
    }

    /** The state and failure reason of an update session, or null when it is gone. */
    Record sessionOf(long sessionId) {
        return database.dsl().select(UPDATE_SESSION.STATE, UPDATE_SESSION.FAILURE_REASON, UPDATE_SESSION.DETAIL)
                .from(UPDATE_SESSION).where(UPDATE_SESSION.ID.eq(sessionId)).fetchOne();
    }

    /**
     * Takes the lease of every live rollout (or one with unfinished devices) that is free, expired or already
     * this node's, and answers the ids this node now holds.
     */
    List<Long> lease(String node, OffsetDateTime now, OffsetDateTime until) {
        DSLContext dsl = database.dsl();
        Condition live = ROLLOUT.STATUS.in(LIVE).or(ROLLOUT.ID.in(DSL.selectDistinct(ROLLOUT_DEVICE.ROLLOUT_ID)
                .from(ROLLOUT_DEVICE).where(ROLLOUT_DEVICE.STATE.in(RolloutDeviceState.UPDATING.wireName(),
                        RolloutDeviceState.SOAKING.wireName()))));
        dsl.update(ROLLOUT).set(ROLLOUT.LEASE_OWNER, node).set(ROLLOUT.LEASE_UNTIL, until)
                .where(live, ROLLOUT.LEASE_OWNER.isNull().or(ROLLOUT.LEASE_OWNER.eq(node))
                        .or(ROLLOUT.LEASE_UNTIL.lt(now)))
                .execute();
        return dsl.select(ROLLOUT.ID).from(ROLLOUT).where(live, ROLLOUT.LEASE_OWNER.eq(node)).orderBy(ROLLOUT.ID)
                .fetch(ROLLOUT.ID);
    }

    /** Every endpoint held by another rollout than {@code rollout}, with that rollout's id. */
    Map<String, Long> heldElsewhere(long rollout) {
        Map<String, Long> held = new java.util.HashMap<>();
        database.dsl().select(ROLLOUT_DEVICE.ENDPOINT, ROLLOUT_DEVICE.ROLLOUT_ID).from(ROLLOUT_DEVICE).join(ROLLOUT)
                .on(ROLLOUT.ID.eq(ROLLOUT_DEVICE.ROLLOUT_ID))
                .where(ROLLOUT.STATUS.in(HOLDING), ROLLOUT.ID.ne(rollout), ROLLOUT.ROLLBACK_OF.isNull()
                        .or(ROLLOUT.ROLLBACK_OF.ne(rollout)), ROLLOUT.ROLLED_BACK_BY.isNull()
                        .or(ROLLOUT.ROLLED_BACK_BY.ne(rollout)))
                .forEach(r -> held.put(r.value1(), r.value2()));
        return held;
    }

    /** The newest rollout holding the endpoint, if any. */
    Optional<RolloutRecord> holding(String endpoint, Long except) {
        Condition condition = ROLLOUT.STATUS.in(HOLDING).and(ROLLOUT.ID.in(DSL.select(ROLLOUT_DEVICE.ROLLOUT_ID)
                .from(ROLLOUT_DEVICE).where(ROLLOUT_DEVICE.ENDPOINT.eq(endpoint))));
        if (except != null) {
            condition = condition.and(ROLLOUT.ID.ne(except));
        }
        return database.dsl().selectFrom(ROLLOUT).where(condition).orderBy(ROLLOUT.ID.desc()).limit(1)
                .fetchOptional();
    }
}
