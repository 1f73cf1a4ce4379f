package dev.ferry.server.telemetry;

import static dev.ferry.server.store.generated.Tables.TELEMETRY_POINT;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import org.jooq.BatchBindStep;
import org.jooq.DSLContext;

import dev.ferry.server.store.Database;

/**
 * The time-series table of telemetry. Every method blocks: call it from the telemetry writer's thread or a worker,
 * never from a protocol thread.
 */
public final class TelemetryStore {
    /** Longest text kept for a string or opaque summary; longer values are cut. */
    public static final int MAX_TEXT = 256;
    private final Database database;

    public TelemetryStore(Database database) {
        this.database = database;
    }

    /**
     * Inserts the points in one transaction, as one prepared statement with a bind set per point (the statement
     * is parsed once, whatever the batch's size), and adds them to their rollups ({@link TelemetryRollups}).
     */
    public void insert(List<TelemetryPoint> points, Instant receivedAt) {
        if (points.isEmpty()) {
            return;
        }
        OffsetDateTime received = receivedAt.atOffset(ZoneOffset.UTC);
        database.dsl().transaction(tx -> {
            insertValues(tx.dsl(), points, received);
            TelemetryRollups.add(tx.dsl(), points, MAX_TEXT);
        });
    }

    /** The values' rows alone, inside the caller's transaction (the rollups' cost is measured against this). */
    static void insertValues(DSLContext dsl, List<TelemetryPoint> points, OffsetDateTime received) {
        BatchBindStep batch = dsl.batch(dsl.insertInto(TELEMETRY_POINT, TELEMETRY_POINT.ENDPOINT,
                TELEMETRY_POINT.PATH, TELEMETRY_POINT.AT, TELEMETRY_POINT.RECEIVED_AT, TELEMETRY_POINT.VALUE_TYPE,
                TELEMETRY_POINT.NUMBER_VALUE, TELEMETRY_POINT.TEXT_VALUE)
                .values((String) null, null, null, null, null, null, null));
        for (TelemetryPoint point : points) {
            batch.bind(point.endpoint(), point.path(), point.at().atOffset(ZoneOffset.UTC), received, point.type(),
                    point.number(), cut(point.text()));
        }
        batch.execute();
    }

    private static String cut(String text) {
        return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT);
    }
}
