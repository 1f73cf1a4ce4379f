package dev.ferry.server.telemetry;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jooq.BatchBindStep;
import org.jooq.DSLContext;

/**
 * Telemetry rolled up per hour ({@code telemetry_rollup}): the store adds each batch's values to
 * their buckets in the transaction that inserts them, and a downsampling query whose buckets line up with a
 * resolution reads the rollups instead of every value. Count, min, max, average and last come out exactly as
 * from the values themselves.
 */
final class TelemetryRollups {
    /**
     * Bucket lengths kept, longest first: a query takes the longest its step and bounds line up with. Hours only:
     * a minute's rollup would cost a fleet whose devices report every few seconds a second write for almost
     * every value, and a day of one path at one value a second (86,400) is still read from the values quickly.
     */
    static final int[] RESOLUTIONS = { 3600 };

    /**
     * Adds to a bucket what it already holds; numbers' aggregates stay null until a number arrives. By primary key:
     * an update, then an insert for the buckets it did not find (one writer thread keeps the rollups, so nothing
     * inserts between the two). H2's MERGE ... USING matched through another index and scanned.
     */
    private static final String UPDATE = """
            UPDATE telemetry_rollup SET
                point_count = point_count + ?,
                number_count = number_count + ?,
                number_sum = COALESCE(number_sum + CAST(? AS DOUBLE PRECISION), number_sum, CAST(? AS DOUBLE PRECISION)),
                number_min = COALESCE(LEAST(number_min, CAST(? AS DOUBLE PRECISION)), number_min,
                                      CAST(? AS DOUBLE PRECISION)),
                number_max = COALESCE(GREATEST(number_max, CAST(? AS DOUBLE PRECISION)), number_max,
                                      CAST(? AS DOUBLE PRECISION)),
                last_number = CASE WHEN CAST(? AS TIMESTAMP WITH TIME ZONE) >= last_at
                                   THEN CAST(? AS DOUBLE PRECISION) ELSE last_number END,
                last_text = CASE WHEN CAST(? AS TIMESTAMP WITH TIME ZONE) >= last_at
                                 THEN CAST(? AS VARCHAR(256)) ELSE last_text END,
                last_at = CASE WHEN CAST(? AS TIMESTAMP WITH TIME ZONE) >= last_at
                               THEN CAST(? AS TIMESTAMP WITH TIME ZONE) ELSE last_at END
            WHERE endpoint = ? AND path = ? AND resolution = ? AND bucket_start = ?""";

    private static final String INSERT = """
            INSERT INTO telemetry_rollup (endpoint, path, resolution, bucket_start, point_count, number_count,
                number_sum, number_min, number_max, last_at, last_number, last_text)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    // As TelemetryQueries' raw buckets, over rollup rows: the last value is that of the bucket's latest row.
    private static final String BUCKETS = """
            SELECT b, SUM(point_count), MIN(number_min), MAX(number_max),
                   SUM(number_sum) / NULLIF(SUM(number_count), 0),
                   MAX(CASE WHEN rn = 1 THEN last_number END), MAX(CASE WHEN rn = 1 THEN last_text END)
            FROM (SELECT x.*, ROW_NUMBER() OVER (PARTITION BY b ORDER BY last_at DESC) AS rn
                  FROM (SELECT FLOOR((CAST(EXTRACT(EPOCH FROM bucket_start) AS DOUBLE PRECISION)
                                      - CAST(? AS DOUBLE PRECISION)) / CAST(? AS DOUBLE PRECISION)) AS b,
                               point_count, number_count, number_sum, number_min, number_max, last_at, last_number,
                               last_text
                        FROM telemetry_rollup
                        WHERE endpoint = ? AND path = ? AND resolution = ? AND bucket_start >= ?
                              AND bucket_start < ?) x) s
            GROUP BY b ORDER BY b LIMIT ?""";

    private TelemetryRollups() {
    }

    /** One bucket's aggregates of a batch, in the batch's order (so that a later equal time wins "last"). */
    private static final class Bucket {
        final TelemetryPoint first;
        final int resolution;
        final Instant start;
        long points;
        long numbers;
        Double sum;
        Double min;
        Double max;
        TelemetryPoint last;

        Bucket(TelemetryPoint first, int resolution, Instant start) {
            this.first = first;
            this.resolution = resolution;
            this.start = start;
        }

        void add(TelemetryPoint point) {
            points++;
            if (point.number() != null) {
                double value = point.number();
                numbers++;
                sum = sum == null ? value : sum + value;
                min = min == null ? value : Math.min(min, value);
                max = max == null ? value : Math.max(max, value);
            }
            if (last == null || !point.at().isBefore(last.at())) {
                last = point;
            }
        }
    }

    /** Adds the values to their buckets, inside the caller's transaction. */
    static void add(DSLContext dsl, List<TelemetryPoint> points, int maxText) {
        Map<String, Bucket> buckets = new LinkedHashMap<>();
        for (TelemetryPoint point : points) {
            long second = point.at().getEpochSecond();
            for (int resolution : RESOLUTIONS) {
                Instant start = Instant.ofEpochSecond(Math.floorDiv(second, resolution) * resolution);
                String key = point.endpoint() + '\n' + point.path() + '\n' + resolution + '\n' + start.getEpochSecond();
                buckets.computeIfAbsent(key, k -> new Bucket(point, resolution, start)).add(point);
            }
        }
        List<Bucket> all = new ArrayList<>(buckets.values());
        BatchBindStep update = dsl.batch(dsl.query(UPDATE, new Object[18]));
        for (Bucket b : all) {
            OffsetDateTime lastAt = utc(b.last.at());
            update.bind(b.points, b.numbers, b.sum, b.sum, b.min, b.min, b.max, b.max, lastAt, b.last.number(), lastAt,
                    cut(b.last.text(), maxText), lastAt, lastAt, b.first.endpoint(), b.first.path(), b.resolution,
                    utc(b.start));
        }
        int[] updated = update.execute();
        BatchBindStep insert = dsl.batch(dsl.query(INSERT, new Object[12]));
        int inserts = 0;
        for (int i = 0; i < all.size(); i++) {
            if (updated[i] == 0) {
                Bucket b = all.get(i);
                insert.bind(b.first.endpoint(), b.first.path(), b.resolution, utc(b.start), b.points, b.numbers,
                        b.sum, b.min, b.max, utc(b.last.at()), b.last.number(), cut(b.last.text(), maxText));
                inserts++;
            }
        }
        if (inserts > 0) {
            insert.execute();
        }
    }

    private static String cut(String text, int maxText) {
        return text == null || text.length() <= maxText ? text : text.substring(0, maxText);
    }

    /**
     * The resolution a query's buckets can be read from: the longest that {@code from}, {@code to} and the step
     * are whole multiples of (0 when none is; the values themselves are read then).
     */
    static int resolutionFor(Instant from, Instant to, Duration step) {
        for (int resolution : RESOLUTIONS) {
            if (from.getNano() == 0 && to.getNano() == 0 && from.getEpochSecond() % resolution == 0
                    && to.getEpochSecond() % resolution == 0 && step.getNano() == 0
                    && step.getSeconds() % resolution == 0) {
                return resolution;
            }
        }
        return 0;
    }

    /** The series' buckets of {@code step} from {@code from}, read from rollups of {@code resolution}. */
    static List<TelemetryQueries.Bucket> buckets(DSLContext dsl, String endpoint, String path, Instant from,
            Instant to, Duration step, int resolution, int limit) {
        double origin = from.getEpochSecond();
        double seconds = step.getSeconds();
        return dsl.resultQuery(BUCKETS, origin, seconds, endpoint, path, resolution, utc(from),
                utc(to), limit).fetch(r -> TelemetryQueries.bucket(r, from, step));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
