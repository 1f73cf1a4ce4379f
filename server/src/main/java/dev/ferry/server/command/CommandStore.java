package dev.ferry.server.command;

import static dev.ferry.server.store.generated.Tables.COMMAND_JOB;
import static dev.ferry.server.store.generated.Tables.DEVICE_COMMAND;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.store.Database;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * Queued commands and fleet command jobs in the database. Every method blocks. State changes are conditional on
 * the state they leave, so the dispatcher and an operator's cancel can never both win; a command's end is written
 * with its device event in one transaction.
 */
public final class CommandStore {
    private static final int INSERT_BATCH = 1000;
    private final Database database;

    public CommandStore(Database database) {
        this.database = database;
    }

    Command insert(String endpoint, CommandSpec spec, String createdBy, OffsetDateTime now) {
        long id = database.dsl().insertInto(DEVICE_COMMAND)
                .set(DEVICE_COMMAND.ENDPOINT, endpoint)
                .set(DEVICE_COMMAND.KIND, spec.kind().wireName())
                .set(DEVICE_COMMAND.PATH, spec.path())
                .set(DEVICE_COMMAND.PAYLOAD, spec.payload().encode())
                .set(DEVICE_COMMAND.STATE, CommandState.PENDING.wireName())
                .set(DEVICE_COMMAND.DEADLINE_AT, now.plus(spec.deadline()))
                .set(DEVICE_COMMAND.CREATED_BY, createdBy)
                .set(DEVICE_COMMAND.CREATED_AT, now)
                .returningResult(DEVICE_COMMAND.ID).fetchOne(DEVICE_COMMAND.ID);
        return find(id).orElseThrow();
    }

    /** The job and one pending command per endpoint, all or nothing. */
    long insertJob(CommandSpec spec, JsonObject target, int concurrency, List<String> endpoints, String createdBy,
            OffsetDateTime now) {
        return database.dsl().transactionResult(tx -> {
            DSLContext dsl = tx.dsl();
            OffsetDateTime deadline = now.plus(spec.deadline());
            long jobId = dsl.insertInto(COMMAND_JOB)
                    .set(COMMAND_JOB.KIND, spec.kind().wireName())
                    .set(COMMAND_JOB.PATH, spec.path())
                    .set(COMMAND_JOB.PAYLOAD, spec.payload().encode())
                    .set(COMMAND_JOB.TARGET, target.encode())
                    .set(COMMAND_JOB.CONCURRENCY, concurrency)
                    .set(COMMAND_JOB.DEVICE_COUNT, endpoints.size())
                    .set(COMMAND_JOB.DEADLINE_AT, deadline)
                    .set(COMMAND_JOB.CREATED_BY, createdBy)
                    .set(COMMAND_JOB.CREATED_AT, now)
                    .returningResult(COMMAND_JOB.ID).fetchOne(COMMAND_JOB.ID);
            for (int from = 0; from < endpoints.size(); from += INSERT_BATCH) {
                var insert = dsl.insertInto(DEVICE_COMMAND, DEVICE_COMMAND.ENDPOINT, DEVICE_COMMAND.JOB_ID,
                        DEVICE_COMMAND.KIND, DEVICE_COMMAND.PATH, DEVICE_COMMAND.PAYLOAD, DEVICE_COMMAND.STATE,
                        DEVICE_COMMAND.DEADLINE_AT, DEVICE_COMMAND.CREATED_BY, DEVICE_COMMAND.CREATED_AT);
                for (String endpoint : endpoints.subList(from, Math.min(endpoints.size(), from + INSERT_BATCH))) {
                    insert = insert.values(endpoint, jobId, spec.kind().wireName(), spec.path(),
                            spec.payload().encode(), CommandState.PENDING.wireName(), deadline, createdBy, now);
                }
                insert.execute();
            }
            return jobId;
        });
    }

    public Optional<Command> find(long id) {
        return database.dsl().selectFrom(DEVICE_COMMAND).where(DEVICE_COMMAND.ID.eq(id))
                .fetchOptional(CommandStore::toCommand);
    }

    /** A device's commands, newest first, or oldest first from {@code afterId} on when paging the queue. */
    List<Command> forDevice(String endpoint, Optional<CommandState> state, long beforeId, int limit) {
        Condition where = DEVICE_COMMAND.ENDPOINT.eq(endpoint).and(DEVICE_COMMAND.ID.lt(beforeId));
        if (state.isPresent()) {
            where = where.and(DEVICE_COMMAND.STATE.eq(state.get().wireName()));
        }
        return database.dsl().selectFrom(DEVICE_COMMAND).where(where).orderBy(DEVICE_COMMAND.ID.desc()).limit(limit)
                .fetch(CommandStore::toCommand);
    }

    /** The job's device commands in endpoint order, after {@code afterEndpoint}. */
    List<Command> ofJob(long jobId, Optional<CommandState> state, String afterEndpoint, int limit) {
        Condition where = DEVICE_COMMAND.JOB_ID.eq(jobId);
        if (state.isPresent()) {
            where = where.and(DEVICE_COMMAND.STATE.eq(state.get().wireName()));
        }
        if (afterEndpoint != null) {
            where = where.and(DEVICE_COMMAND.ENDPOINT.gt(afterEndpoint));
        }
        return database.dsl().selectFrom(DEVICE_COMMAND).where(where).orderBy(DEVICE_COMMAND.ENDPOINT).limit(limit)
                .fetch(CommandStore::toCommand);
    }

    /** The oldest command of the device that is pending or sent: the head of its queue. */
    Optional<Command> head(String endpoint) {
        return database.dsl().selectFrom(DEVICE_COMMAND)
                .where(DEVICE_COMMAND.ENDPOINT.eq(endpoint), DEVICE_COMMAND.STATE.eq(CommandState.PENDING.wireName()))
                .orderBy(DEVICE_COMMAND.ID).limit(1).fetchOptional(CommandStore::toCommand);
    }

    /** Marks a pending command sent; false when it is no longer pending (cancelled meanwhile). */
    boolean markSent(long id, OffsetDateTime now) {
        return database.dsl().update(DEVICE_COMMAND)
                .set(DEVICE_COMMAND.STATE, CommandState.SENT.wireName())
                .set(DEVICE_COMMAND.ATTEMPTS, DEVICE_COMMAND.ATTEMPTS.plus(1))
                .set(DEVICE_COMMAND.SENT_AT, now)
                .where(DEVICE_COMMAND.ID.eq(id), DEVICE_COMMAND.STATE.eq(CommandState.PENDING.wireName()))
                .execute() == 1;
    }

    /** A sent command whose outcome is unknown goes back to the head of its queue, with why. */
    void backToPending(long id, String error) {
        database.dsl().update(DEVICE_COMMAND)
                .set(DEVICE_COMMAND.STATE, CommandState.PENDING.wireName())
                .set(DEVICE_COMMAND.ERROR, DeviceRepository.truncate(error, 1000))
                .where(DEVICE_COMMAND.ID.eq(id), DEVICE_COMMAND.STATE.eq(CommandState.SENT.wireName())).execute();
    }

    /**
     * Ends a command that is in state {@code from}, with its device event; empty when it was no longer in that
     * state. Publish the event once this returns.
     */
    Optional<DeviceEvent> finish(Command command, CommandState from, CommandState end, String responseCode,
            Object result, String error, OffsetDateTime now) {
        return database.dsl().transactionResult(tx -> {
            DSLContext dsl = tx.dsl();
            int changed = dsl.update(DEVICE_COMMAND)
                    .set(DEVICE_COMMAND.STATE, end.wireName())
                    .set(DEVICE_COMMAND.RESPONSE_CODE, responseCode)
                    .set(DEVICE_COMMAND.RESULT, result == null ? null : Json.encode(result))
                    .set(DEVICE_COMMAND.ERROR, DeviceRepository.truncate(error, 1000))
                    .set(DEVICE_COMMAND.FINISHED_AT, now)
                    .where(DEVICE_COMMAND.ID.eq(command.id()), DEVICE_COMMAND.STATE.eq(from.wireName())).execute();
            if (changed == 0) {
                return Optional.<DeviceEvent>empty();
            }
            return Optional.of(DeviceRepository.recordEvent(dsl, command.endpoint(), DeviceEventType.COMMAND,
                    detail(command, end, responseCode, error), now));
        });
    }

    /** Cancels every pending command of a job and marks the job cancelled; returns the events to publish. */
    List<DeviceEvent> cancelJob(long jobId, OffsetDateTime now) {
        return database.dsl().transactionResult(tx -> {
            DSLContext dsl = tx.dsl();
            dsl.update(COMMAND_JOB).set(COMMAND_JOB.CANCELLED_AT, now)
                    .where(COMMAND_JOB.ID.eq(jobId), COMMAND_JOB.CANCELLED_AT.isNull()).execute();
            List<Command> pending = dsl.selectFrom(DEVICE_COMMAND).where(DEVICE_COMMAND.JOB_ID.eq(jobId),
                    DEVICE_COMMAND.STATE.eq(CommandState.PENDING.wireName())).forUpdate()
                    .fetch(CommandStore::toCommand);
            List<DeviceEvent> events = new ArrayList<>();
            String error = "cancelled by an operator with the job";
            for (Command command : pending) {
                dsl.update(DEVICE_COMMAND).set(DEVICE_COMMAND.STATE, CommandState.CANCELLED.wireName())
                        .set(DEVICE_COMMAND.ERROR, error).set(DEVICE_COMMAND.FINISHED_AT, now)
                        .where(DEVICE_COMMAND.ID.eq(command.id())).execute();
                events.add(DeviceRepository.recordEvent(dsl, command.endpoint(), DeviceEventType.COMMAND,
                        detail(command, CommandState.CANCELLED, null, error), now));
            }
            return events;
        });
    }

    /** Pending commands whose deadline passed, oldest deadline first. */
    List<Command> pastDeadline(OffsetDateTime now, int limit) {
        return database.dsl().selectFrom(DEVICE_COMMAND)
                .where(DEVICE_COMMAND.STATE.eq(CommandState.PENDING.wireName()), DEVICE_COMMAND.DEADLINE_AT.le(now))
                .orderBy(DEVICE_COMMAND.DEADLINE_AT).limit(limit).fetch(CommandStore::toCommand);
    }

    List<Command> pendingOf(String endpoint) {
        return database.dsl().selectFrom(DEVICE_COMMAND)
                .where(DEVICE_COMMAND.ENDPOINT.eq(endpoint), DEVICE_COMMAND.STATE.eq(CommandState.PENDING.wireName()))
                .orderBy(DEVICE_COMMAND.ID).fetch(CommandStore::toCommand);
    }

    List<Command> inState(CommandState state) {
        return database.dsl().selectFrom(DEVICE_COMMAND).where(DEVICE_COMMAND.STATE.eq(state.wireName()))
                .orderBy(DEVICE_COMMAND.ID).fetch(CommandStore::toCommand);
    }

    List<String> endpointsWithPending() {
        return database.dsl().selectDistinct(DEVICE_COMMAND.ENDPOINT).from(DEVICE_COMMAND)
                .where(DEVICE_COMMAND.STATE.eq(CommandState.PENDING.wireName())).fetch(DEVICE_COMMAND.ENDPOINT);
    }

    int countPending() {
        return database.dsl().fetchCount(DEVICE_COMMAND, DEVICE_COMMAND.STATE.eq(CommandState.PENDING.wireName()));
    }

    Optional<CommandJob> findJob(long id) {
        return database.dsl().selectFrom(COMMAND_JOB).where(COMMAND_JOB.ID.eq(id)).fetchOptional()
                .map(r -> toJob(r, counts(id)));
    }

    List<CommandJob> jobs(int offset, int limit) {
        return database.dsl().selectFrom(COMMAND_JOB).orderBy(COMMAND_JOB.ID.desc()).offset(offset).limit(limit)
                .fetch(r -> toJob(r, counts(r.getId())));
    }

    int jobConcurrency(long jobId) {
        Integer limit = database.dsl().select(COMMAND_JOB.CONCURRENCY).from(COMMAND_JOB)
                .where(COMMAND_JOB.ID.eq(jobId)).fetchOne(COMMAND_JOB.CONCURRENCY);
        return limit == null ? 1 : limit;
    }

    private Map<CommandState, Integer> counts(long jobId) {
        Map<CommandState, Integer> counts = new EnumMap<>(CommandState.class);
        for (CommandState state : CommandState.values()) {
            counts.put(state, 0);
        }
        database.dsl().select(DEVICE_COMMAND.STATE, DSL.count()).from(DEVICE_COMMAND)
                .where(DEVICE_COMMAND.JOB_ID.eq(jobId)).groupBy(DEVICE_COMMAND.STATE)
                .forEach(r -> counts.put(CommandState.fromWireName(r.value1()), r.value2()));
        return counts;
    }

    static String detail(Command command, CommandState end, String responseCode, String error) {
        return "command " + command.id() + " " + end.wireName() + ": " + command.kind().wireName() + " "
                + command.path() + (command.jobId() == null ? "" : " (job " + command.jobId() + ")")
                + (responseCode == null || error != null ? "" : ", device answered " + responseCode)
                + (error == null ? "" : "; " + error);
    }

    private static CommandJob toJob(Record r, Map<CommandState, Integer> counts) {
        return new CommandJob(r.get(COMMAND_JOB.ID), CommandKind.fromWireName(r.get(COMMAND_JOB.KIND)),
                r.get(COMMAND_JOB.PATH), new JsonObject(r.get(COMMAND_JOB.PAYLOAD)),
                new JsonObject(r.get(COMMAND_JOB.TARGET)), r.get(COMMAND_JOB.CONCURRENCY),
                r.get(COMMAND_JOB.DEVICE_COUNT), r.get(COMMAND_JOB.DEADLINE_AT), r.get(COMMAND_JOB.CREATED_BY),
                r.get(COMMAND_JOB.CREATED_AT), r.get(COMMAND_JOB.CANCELLED_AT), counts);
    }

    static Command toCommand(Record r) {
        String result = r.get(DEVICE_COMMAND.RESULT);
        return new Command(r.get(DEVICE_COMMAND.ID), r.get(DEVICE_COMMAND.ENDPOINT), r.get(DEVICE_COMMAND.JOB_ID),
                CommandKind.fromWireName(r.get(DEVICE_COMMAND.KIND)), r.get(DEVICE_COMMAND.PATH),
                new JsonObject(r.get(DEVICE_COMMAND.PAYLOAD)), CommandState.fromWireName(r.get(DEVICE_COMMAND.STATE)),
                r.get(DEVICE_COMMAND.ATTEMPTS), r.get(DEVICE_COMMAND.RESPONSE_CODE),
                result == null ? null : Json.decodeValue(result), r.get(DEVICE_COMMAND.ERROR),
                r.get(DEVICE_COMMAND.DEADLINE_AT), r.get(DEVICE_COMMAND.CREATED_BY), r.get(DEVICE_COMMAND.CREATED_AT),
                r.get(DEVICE_COMMAND.SENT_AT), r.get(DEVICE_COMMAND.FINISHED_AT));
    }
}
