package dev.ferry.server.telemetry;

import static dev.ferry.server.store.generated.Tables.TELEMETRY_POINT;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jooq.Record;
import org.jooq.impl.DSL;

import dev.ferry.server.store.Database;
import dev.ferry.server.store.generated.tables.records.TelemetryPointRecord;

/**
 * Reads telemetry back: one device path's values, raw or downsampled into fixed buckets (min, max, avg, count and
 * last value per bucket, computed by the database), and the latest value of each path. Blocking.
 */
public final class TelemetryQueries {
    /** Values or buckets one query returns at most. */
    public static final int MAX_LIMIT = 10_000;

    /** One bucket of a downsampled series: from {@code start} for one step. Aggregates are null for text values. */
    public record Bucket(Instant start, long count, Double min, Double max, Double avg, Double last,
            String lastText) {
    }

    // Window function inside, aggregates outside: one pass over the series' index range, in H2 and PostgreSQL. The
    // casts keep the bucket number exact: H2 otherwise types the parameters NUMERIC and rounds the division.
    private static final String BUCKETS = """
            SELECT b, COUNT(*), MIN(v), MAX(v), AVG(v), MAX(CASE WHEN rn = 1 THEN v END),
                   MAX(CASE WHEN rn = 1 THEN t END)
            FROM (SELECT b, v, t, ROW_NUMBER() OVER (PARTITION BY b ORDER BY at DESC) AS rn
                  FROM (SELECT FLOOR((CAST(EXTRACT(EPOCH FROM at) AS DOUBLE PRECISION) - CAST(? AS DOUBLE PRECISION))
                                     / CAST(? AS DOUBLE PRECISION)) AS b,
                               number_value AS v, text_value AS t, at
                        FROM telemetry_point
                        WHERE endpoint = ? AND path = ? AND at >= ? AND at < ?) x) s
            GROUP BY b ORDER BY b LIMIT ?""";

    private final Database database;

    public TelemetryQueries(Database database) {
        this.database = database;
    }

    /** The values of one path in [from, to), oldest first, at most {@code limit}. */
    public List<TelemetryPoint> values(String endpoint, String path, Instant from, Instant to, int limit) {
        return database.dsl().selectFrom(TELEMETRY_POINT).where(TELEMETRY_POINT.ENDPOINT.eq(endpoint))
                .and(TELEMETRY_POINT.PATH.eq(path)).and(TELEMETRY_POINT.AT.ge(utc(from)))
                .and(TELEMETRY_POINT.AT.lt(utc(to))).orderBy(TELEMETRY_POINT.AT).limit(limit)
                .fetch(TelemetryQueries::point);
    }

    /**
     * The values of one path in [from, to) in buckets of {@code step} starting at {@code from}, at most limit;
     * from the rollups when from, to and step are whole hours, else from the values.
     */
    public List<Bucket> buckets(String endpoint, String path, Instant from, Instant to, Duration step, int limit) {
        int resolution = TelemetryRollups.resolutionFor(from, to, step);
        if (resolution > 0) {
            return TelemetryRollups.buckets(database.dsl(), endpoint, path, from, to, step, resolution, limit);
        }
        return bucketsFromValues(endpoint, path, from, to, step, limit);
    }

    /** As {@link #buckets}, always computed from the values themselves. */
    List<Bucket> bucketsFromValues(String endpoint, String path, Instant from, Instant to, Duration step,
            int limit) {
        double origin = from.getEpochSecond() + from.getNano() / 1e9;
        double seconds = step.toMillis() / 1000.0;
        return database.dsl().resultQuery(BUCKETS, origin, seconds, endpoint, path, utc(from),
                utc(to), limit).fetch(r -> bucket(r, from, step));
    }

    /** The latest value of every path the device reported (one per path, even when two share its newest time). */
    public List<TelemetryPoint> latest(String endpoint) {
        var newest = database.dsl().select(TELEMETRY_POINT.PATH, DSL.max(TELEMETRY_POINT.AT).as("at"))
                .from(TELEMETRY_POINT).where(TELEMETRY_POINT.ENDPOINT.eq(endpoint)).groupBy(TELEMETRY_POINT.PATH)
                .asTable("newest");
        Map<String, TelemetryPoint> byPath = new LinkedHashMap<>();
        database.dsl().select(TELEMETRY_POINT.fields()).from(TELEMETRY_POINT).join(newest)
                .on(TELEMETRY_POINT.PATH.eq(newest.field(TELEMETRY_POINT.PATH))
                        .and(TELEMETRY_POINT.AT.eq(newest.field("at", OffsetDateTime.class))))
                .where(TELEMETRY_POINT.ENDPOINT.eq(endpoint)).orderBy(TELEMETRY_POINT.PATH)
                .forEach(r -> byPath.putIfAbsent(r.get(TELEMETRY_POINT.PATH), point(r.into(TELEMETRY_POINT))));
        return List.copyOf(byPath.values());
    }

    private static TelemetryPoint point(TelemetryPointRecord r) {
        return new TelemetryPoint(r.getEndpoint(), r.getPath(), r.getAt().toInstant(), r.getValueType(),
                r.getNumberValue(), r.getTextValue());
    }

    /** A bucket from a query row: its index from {@code from}, count, min, max, avg, last number, last text. */
    static Bucket bucket(Record r, Instant from, Duration step) {
        long index = ((Number) r.get(0)).longValue();
        return new Bucket(from.plus(step.multipliedBy(index)), ((Number) r.get(1)).longValue(), number(r.get(2)),
                number(r.get(3)), number(r.get(4)), number(r.get(5)), (String) r.get(6));
    }

    /** A numeric column as a double (H2 answers aggregates as BigDecimal), or null. */
    static Double number(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof BigDecimal d ? d.doubleValue() : ((Number) value).doubleValue();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
