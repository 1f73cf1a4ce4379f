package dev.ferry.server.telemetry;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

import org.jooq.Record;
import org.jooq.Record1;
import org.jooq.Select;
import org.jooq.impl.DSL;

import dev.ferry.server.store.Database;

/**
 * One path across many devices (a group, or the whole fleet): per bucket of time, one aggregate over every value
 * the devices reported in it, and how many devices reported. Computed by the database; blocking.
 */
public final class FleetTelemetry {
    /** The aggregates a fleet query can ask for; each names its own SQL, so nothing a caller sends reaches it. */
    public enum Aggregate {
        AVG("AVG(v)"), MIN("MIN(v)"), MAX("MAX(v)"), SUM("SUM(v)"), COUNT("COUNT(v)");

        private final String sql;

        Aggregate(String sql) {
            this.sql = sql;
        }

        /** The aggregate of that name ({@code avg}, ...), or null. */
        public static Aggregate named(String name) {
            for (Aggregate aggregate : values()) {
                if (aggregate.name().toLowerCase(Locale.ROOT).equals(name)) {
                    return aggregate;
                }
            }
            return null;
        }
    }

    /** One bucket: from {@code start} for one step; {@code value} is null when no value in it was a number. */
    public record Bucket(Instant start, long devices, long points, Double value) {
    }

    // {0} is the members' subquery; the rest are bind values. Text values count as points but not in aggregates.
    private static final String QUERY = """
            SELECT b, COUNT(DISTINCT e), COUNT(*), %s
            FROM (SELECT FLOOR((CAST(EXTRACT(EPOCH FROM at) AS DOUBLE PRECISION) - CAST({1} AS DOUBLE PRECISION))
                               / CAST({2} AS DOUBLE PRECISION)) AS b, endpoint AS e, number_value AS v
                  FROM telemetry_point
                  WHERE path = {3} AND at >= {4} AND at < {5} AND endpoint IN ({0})) s
            GROUP BY b ORDER BY b LIMIT {6}""";

    private final Database database;

    public FleetTelemetry(Database database) {
        this.database = database;
    }

    /**
     * The path's values in [from, to) of the devices {@code endpoints} selects, in buckets of {@code step} from
     * {@code from} (one bucket for the whole span when step is null), at most {@code limit} buckets.
     */
    public List<Bucket> buckets(Select<Record1<String>> endpoints, String path, Instant from, Instant to,
            Duration step, Aggregate aggregate, int limit) {
        Duration bucket = step == null ? Duration.between(from, to) : step;
        double origin = from.getEpochSecond() + from.getNano() / 1e9;
        double seconds = bucket.toMillis() / 1000.0;
        return database.dsl().resultQuery(QUERY.formatted(aggregate.sql), endpoints, DSL.val(origin),
                DSL.val(seconds), DSL.val(path), DSL.val(from.atOffset(ZoneOffset.UTC)),
                DSL.val(to.atOffset(ZoneOffset.UTC)), DSL.val(limit)).fetch(r -> bucket(r, from, bucket));
    }

    private static Bucket bucket(Record r, Instant from, Duration step) {
        long index = ((Number) r.get(0)).longValue();
        return new Bucket(from.plus(step.multipliedBy(index)), ((Number) r.get(1)).longValue(),
                ((Number) r.get(2)).longValue(), TelemetryQueries.number(r.get(3)));
    }
}
