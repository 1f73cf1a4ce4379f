package dev.ferry.server.events;

import static dev.ferry.server.store.generated.Tables.DEVICE_EVENT;

import java.util.List;

import org.jooq.Record1;

import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.store.Database;
import dev.ferry.server.store.generated.tables.records.DeviceEventRecord;
import dev.ferry.server.telemetry.TelemetryPoint;
import io.vertx.core.json.JsonObject;

/** Reads the device event log as stream events, in id order. Every method blocks on the database. */
public final class EventLog {
    private final Database database;

    public EventLog(Database database) {
        this.database = database;
    }

    /** The newest event's id, 0 for an empty log. */
    public long newestId() {
        Long max = database.dsl().select(org.jooq.impl.DSL.max(DEVICE_EVENT.ID)).from(DEVICE_EVENT).fetchOne().value1();
        return max == null ? 0 : max;
    }

    /** Up to {@code limit} events with {@code after < id <= upTo}, oldest first. */
    public List<StreamEvent> between(long after, long upTo, int limit) {
        return database.dsl().selectFrom(DEVICE_EVENT).where(DEVICE_EVENT.ID.gt(after)).and(DEVICE_EVENT.ID.le(upTo))
                .orderBy(DEVICE_EVENT.ID).limit(limit).fetch(EventLog::toStreamEvent);
    }

    /**
     * Where a replay of at most {@code limit} events after {@code after} (up to {@code upTo}) starts: {@code after}
     * itself when no more than {@code limit} are there, otherwise the id after which the newest {@code limit} start.
     */
    public long replayStart(long after, long upTo, int limit) {
        Record1<Long> skipped = database.dsl().select(DEVICE_EVENT.ID).from(DEVICE_EVENT)
                .where(DEVICE_EVENT.ID.gt(after)).and(DEVICE_EVENT.ID.le(upTo)).orderBy(DEVICE_EVENT.ID.desc())
                .limit(1).offset(limit).fetchOne();
        return skipped == null ? after : skipped.value1();
    }

    static StreamEvent toStreamEvent(DeviceEventRecord r) {
        DeviceEventType type = DeviceEventType.fromWireName(r.getEventType());
        JsonObject data = new JsonObject().put("id", r.getId()).put("type", type.wireName())
                .put("endpoint", r.getEndpoint()).put("detail", r.getDetail())
                .put("occurredAt", r.getOccurredAt().toInstant().toString());
        if (r.getPeerAddress() != null) {
            data.put("peerAddress", r.getPeerAddress());
        }
        Boolean online = EventTypes.onlineAfter(type);
        if (online != null) {
            data.put("online", online);
        }
        return new StreamEvent(r.getId(), type.wireName(), r.getEndpoint(), r.getOccurredAt().toInstant(), data);
    }

    /** A stored telemetry value as an event; it has no id (telemetry is not kept in the event log). */
    public static StreamEvent toStreamEvent(TelemetryPoint point) {
        JsonObject data = new JsonObject().put("type", EventTypes.TELEMETRY).put("endpoint", point.endpoint())
                .put("path", point.path()).put("at", point.at().toString()).put("valueType", point.type());
        data.put("value", point.number() != null ? point.number() : point.text());
        return new StreamEvent(null, EventTypes.TELEMETRY, point.endpoint(), point.at(), data);
    }
}
