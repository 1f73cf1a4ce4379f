package dev.ferry.server.update;

import static dev.ferry.server.store.generated.Tables.UPDATE_SESSION;
import static dev.ferry.server.store.generated.Tables.UPDATE_TRANSITION;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

import org.jooq.DSLContext;
import org.jooq.Record;

import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.store.Database;

/** Update sessions and their history. Every method blocks on the database. */
public final class UpdateRepository {
    private final Database database;

    public UpdateRepository(Database database) {
        this.database = database;
    }

    public Optional<UpdateSession> find(long id) {
        return database.dsl().selectFrom(UPDATE_SESSION).where(UPDATE_SESSION.ID.eq(id))
                .fetchOptional(UpdateRepository::toSession);
    }

    public List<UpdateSession> forDevice(String endpoint, int limit) {
        return database.dsl().selectFrom(UPDATE_SESSION).where(UPDATE_SESSION.ENDPOINT.eq(endpoint))
                .orderBy(UPDATE_SESSION.ID.desc()).limit(limit).fetch(UpdateRepository::toSession);
    }

    /** How many sessions are in each state and failure reason ("none" for sessions without one). */
    public java.util.Map<List<String>, Long> countByStateAndFailure() {
        return database.dsl().select(UPDATE_SESSION.STATE, UPDATE_SESSION.FAILURE_REASON, org.jooq.impl.DSL.count())
                .from(UPDATE_SESSION).groupBy(UPDATE_SESSION.STATE, UPDATE_SESSION.FAILURE_REASON)
                .fetchMap(r -> List.of(r.value1(), r.value2() == null ? "none" : r.value2()),
                        r -> r.value3().longValue());
    }

    /** The sessions that ended failed, newest first, of the devices {@code endpoints} selects. */
    public List<UpdateSession> recentFailures(org.jooq.Select<? extends org.jooq.Record1<String>> endpoints,
            int limit) {
        return database.dsl().selectFrom(UPDATE_SESSION)
                .where(UPDATE_SESSION.FINISHED_AT.isNotNull(),
                        UPDATE_SESSION.STATE.eq(UpdateState.FAILED.wireName()),
                        UPDATE_SESSION.ENDPOINT.in(endpoints))
                .orderBy(UPDATE_SESSION.FINISHED_AT.desc(), UPDATE_SESSION.ID.desc()).limit(limit)
                .fetch(UpdateRepository::toSession);
    }

    public List<UpdateSession> active() {
        return database.dsl().selectFrom(UPDATE_SESSION).where(UPDATE_SESSION.FINISHED_AT.isNull())
                .orderBy(UPDATE_SESSION.ID).fetch(UpdateRepository::toSession);
    }

    public List<UpdateTransition> history(long sessionId) {
        return database.dsl().selectFrom(UPDATE_TRANSITION).where(UPDATE_TRANSITION.SESSION_ID.eq(sessionId))
                .orderBy(UPDATE_TRANSITION.ID)
                .fetch(r -> new UpdateTransition(r.getSessionId(), UpdateState.fromWireName(r.getState()),
                        r.getDetail(), r.getOccurredAt()));
    }

    /** Active sessions that use an image, described for an operator; null when none. */
    public String activeUserOf(long firmwareId) {
        List<UpdateSession> users = database.dsl().selectFrom(UPDATE_SESSION)
                .where(UPDATE_SESSION.FIRMWARE_ID.eq(firmwareId), UPDATE_SESSION.FINISHED_AT.isNull()).limit(3)
                .fetch(UpdateRepository::toSession);
        if (users.isEmpty()) {
            return null;
        }
        return "update session(s) " + users.stream().map(s -> s.id() + " (" + s.endpoint() + ")").toList();
    }

    /** Any sessions ever made with an image keep it from being deleted, so their history stays whole. */
    public boolean anyFor(long firmwareId) {
        return database.dsl().fetchExists(UPDATE_SESSION, UPDATE_SESSION.FIRMWARE_ID.eq(firmwareId));
    }

    UpdateSession insert(String endpoint, long firmwareId, Delivery delivery, OffsetDateTime deadline,
            String detail, OffsetDateTime now, List<DeviceEvent> events) {
        return insert(endpoint, firmwareId, delivery, deadline, detail, now, events, (dsl, session) -> List.of());
    }

    /** As above; {@code alsoInTransaction} writes more in the same transaction and returns its events. */
    UpdateSession insert(String endpoint, long firmwareId, Delivery delivery, OffsetDateTime deadline,
            String detail, OffsetDateTime now, List<DeviceEvent> events,
            BiFunction<DSLContext, UpdateSession, List<DeviceEvent>> alsoInTransaction) {
        return database.dsl().transactionResult(tx -> {
            DSLContext dsl = tx.dsl();
            long id = dsl.insertInto(UPDATE_SESSION)
                    .set(UPDATE_SESSION.ENDPOINT, endpoint)
                    .set(UPDATE_SESSION.FIRMWARE_ID, firmwareId)
                    .set(UPDATE_SESSION.DELIVERY, delivery.wireName())
                    .set(UPDATE_SESSION.STATE, UpdateState.PENDING.wireName())
                    .set(UPDATE_SESSION.DETAIL, detail)
                    .set(UPDATE_SESSION.DEADLINE_AT, deadline)
                    .set(UPDATE_SESSION.PHASE_STARTED_AT, now)
                    .set(UPDATE_SESSION.CREATED_AT, now)
                    .set(UPDATE_SESSION.UPDATED_AT, now)
                    .returningResult(UPDATE_SESSION.ID).fetchOne(UPDATE_SESSION.ID);
            insertTransition(dsl, id, UpdateState.PENDING, detail, now);
            events.add(DeviceRepository.recordEvent(dsl, endpoint, DeviceEventType.UPDATE,
                    "update " + id + " pending: " + detail, now));
            UpdateSession session = dsl.selectFrom(UPDATE_SESSION).where(UPDATE_SESSION.ID.eq(id))
                    .fetchOne(UpdateRepository::toSession);
            events.addAll(alsoInTransaction.apply(dsl, session));
            return session;
        });
    }

    /** Stores the session's new state, its transition and the device event, all or nothing. */
    DeviceEvent save(UpdateSession session, boolean transition) {
        return database.dsl().transactionResult(tx -> {
            DSLContext dsl = tx.dsl();
            dsl.update(UPDATE_SESSION)
                    .set(UPDATE_SESSION.STATE, session.state().wireName())
                    .set(UPDATE_SESSION.FAILURE_REASON, session.failureReason() == null ? null
                            : session.failureReason().wireName())
                    .set(UPDATE_SESSION.DETAIL, DeviceRepository.truncate(session.detail(), 1000))
                    .set(UPDATE_SESSION.PREVIOUS_VERSION, session.previousVersion())
                    .set(UPDATE_SESSION.ATTEMPTS, session.attempts())
                    .set(UPDATE_SESSION.PHASE_STARTED_AT, session.phaseStartedAt())
                    .set(UPDATE_SESSION.NEXT_ATTEMPT_AT, session.nextAttemptAt())
                    .set(UPDATE_SESSION.UPDATED_AT, session.updatedAt())
                    .set(UPDATE_SESSION.FINISHED_AT, session.finishedAt())
                    .where(UPDATE_SESSION.ID.eq(session.id())).execute();
            if (!transition) {
                return null;
            }
            insertTransition(dsl, session.id(), session.state(), session.detail(), session.updatedAt());
            String reason = session.failureReason() == null ? "" : " (" + session.failureReason().wireName() + ")";
            return DeviceRepository.recordEvent(dsl, session.endpoint(), DeviceEventType.UPDATE, "update "
                    + session.id() + " " + session.state().wireName() + reason + ": " + session.detail(),
                    session.updatedAt());
        });
    }

    private static void insertTransition(DSLContext dsl, long sessionId, UpdateState state, String detail,
            OffsetDateTime at) {
        dsl.insertInto(UPDATE_TRANSITION).set(UPDATE_TRANSITION.SESSION_ID, sessionId)
                .set(UPDATE_TRANSITION.STATE, state.wireName())
                .set(UPDATE_TRANSITION.DETAIL, DeviceRepository.truncate(detail, 1000))
                .set(UPDATE_TRANSITION.OCCURRED_AT, at).execute();
    }

    static UpdateSession toSession(Record r) {
        return new UpdateSession(r.get(UPDATE_SESSION.ID), r.get(UPDATE_SESSION.ENDPOINT),
                r.get(UPDATE_SESSION.FIRMWARE_ID), Delivery.fromWireName(r.get(UPDATE_SESSION.DELIVERY)).orElseThrow(),
                UpdateState.fromWireName(r.get(UPDATE_SESSION.STATE)),
                FailureReason.fromWireName(r.get(UPDATE_SESSION.FAILURE_REASON)), r.get(UPDATE_SESSION.DETAIL),
                r.get(UPDATE_SESSION.PREVIOUS_VERSION), r.get(UPDATE_SESSION.ATTEMPTS),
                r.get(UPDATE_SESSION.DEADLINE_AT), r.get(UPDATE_SESSION.PHASE_STARTED_AT),
                r.get(UPDATE_SESSION.NEXT_ATTEMPT_AT), r.get(UPDATE_SESSION.CREATED_AT),
                r.get(UPDATE_SESSION.UPDATED_AT), r.get(UPDATE_SESSION.FINISHED_AT));
    }
}
