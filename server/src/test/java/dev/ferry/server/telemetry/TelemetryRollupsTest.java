package dev.ferry.server.telemetry;

import static dev.ferry.server.store.generated.Tables.DEVICE;
import static dev.ferry.server.store.generated.Tables.TELEMETRY_ROLLUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.store.Database;

/**
 * Downsampling from the rollups gives exactly what the values themselves give: counts, minima, maxima, averages,
 * last values (numbers and text), whatever order and batches the values arrived in; retention removes the
 * rollups of buckets that ended before its cut-off; values stored before the rollups existed are rolled up.
 */
@Timeout(120)
class TelemetryRollupsTest {
    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");

    @TempDir
    Path dataDir;

    private Database open() {
        return Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())));
    }

    /** Three hours of a series with gaps, text values, and values that arrive late. */
    private static List<List<TelemetryPoint>> batches() {
        Random random = new Random(7);
        List<TelemetryPoint> all = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            Instant at = START.plusSeconds(random.nextInt(3 * 3600)).plusMillis(random.nextInt(1000));
            all.add(random.nextInt(10) == 0
                    ? new TelemetryPoint("meter-1", "/3/0/10", at, "STRING", null, "text " + i)
                    : new TelemetryPoint("meter-1", "/3/0/10", at, "INTEGER", (double) random.nextInt(10_000), null));
            if (i % 50 == 0) {
                all.add(new TelemetryPoint("meter-1", "/3/0/10", at.minusMillis(1), "INTEGER", (double) i, null));
            }
        }
        all.add(new TelemetryPoint("meter-2", "/3/0/10", START.plusSeconds(5), "INTEGER", 1.0, null));
        List<List<TelemetryPoint>> batches = new ArrayList<>();
        for (int from = 0; from < all.size(); from += 700) {
            batches.add(all.subList(from, Math.min(all.size(), from + 700)));
        }
        return batches;
    }

    private static void assertSame(List<TelemetryQueries.Bucket> rolled, List<TelemetryQueries.Bucket> raw) {
        assertThat(rolled).hasSameSizeAs(raw).isNotEmpty();
        for (int i = 0; i < raw.size(); i++) {
            TelemetryQueries.Bucket r = rolled.get(i);
            TelemetryQueries.Bucket v = raw.get(i);
            assertThat(r.start()).isEqualTo(v.start());
            assertThat(r.count()).as("count at " + v.start()).isEqualTo(v.count());
            assertThat(r.min()).isEqualTo(v.min());
            assertThat(r.max()).isEqualTo(v.max());
            assertThat(r.avg()).isCloseTo(v.avg(), within(1e-9));
            assertThat(r.last()).as("last at " + v.start()).isEqualTo(v.last());
            assertThat(r.lastText()).as("last text at " + v.start()).isEqualTo(v.lastText());
        }
    }

    @Test
    void buckets_read_from_the_rollups_equal_those_computed_from_the_values() {
        try (Database database = open()) {
            TelemetryStore store = new TelemetryStore(database);
            List<List<TelemetryPoint>> batches = batches();
            // The last batch first: its values are older than some already stored.
            store.insert(batches.get(batches.size() - 1), START);
            batches.subList(0, batches.size() - 1).forEach(batch -> store.insert(batch, START));
            TelemetryQueries queries = new TelemetryQueries(database);
            Instant to = START.plus(Duration.ofHours(3));

            for (Duration step : List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofHours(1),
                    Duration.ofHours(3))) {
                assertSame(queries.buckets("meter-1", "/3/0/10", START, to, step, 10_000),
                        queries.bucketsFromValues("meter-1", "/3/0/10", START, to, step, 10_000));
            }
            assertThat(TelemetryRollups.resolutionFor(START, to, Duration.ofHours(2))).isEqualTo(3600);
            assertThat(TelemetryRollups.resolutionFor(START, to, Duration.ofSeconds(90))).isZero();
            assertThat(TelemetryRollups.resolutionFor(START.plusSeconds(1), to, Duration.ofHours(1))).isZero();
        }
    }

    @Test
    void retention_removes_the_rollups_of_buckets_that_ended_before_its_cut_off() {
        try (Database database = open()) {
            OffsetDateTime now = START.atOffset(ZoneOffset.UTC);
            database.dsl().insertInto(DEVICE).set(DEVICE.ENDPOINT, "meter-1").set(DEVICE.SECURITY_MODE, "none")
                    .set(DEVICE.MODEL, "m").set(DEVICE.CREATED_AT, now).set(DEVICE.UPDATED_AT, now).execute();
            TelemetryStore store = new TelemetryStore(database);
            for (int day = 0; day < 5; day++) {
                store.insert(List.of(new TelemetryPoint("meter-1", "/3/0/10", START.minus(Duration.ofDays(day))
                        .plusSeconds(1800), "INTEGER", (double) day, null)), START);
            }
            // Three days back from 00:45: the value of three days ago at 00:30 stays, and so does its hour.
            Clock clock = Clock.fixed(START.plus(Duration.ofMinutes(45)), ZoneOffset.UTC);
            new TelemetryRetention(database, clock, 3).run();

            assertThat(database.dsl().selectDistinct(TELEMETRY_ROLLUP.BUCKET_START).from(TELEMETRY_ROLLUP)
                    .where(TELEMETRY_ROLLUP.RESOLUTION.eq(3600)).fetch(TELEMETRY_ROLLUP.BUCKET_START))
                    .extracting(OffsetDateTime::toInstant).containsExactlyInAnyOrder(START, START.minus(Duration
                            .ofDays(1)), START.minus(Duration.ofDays(2)), START.minus(Duration.ofDays(3)));
        }
    }

    @Test
    void values_stored_before_the_rollups_existed_are_rolled_up_by_the_migration() throws Exception {
        String url = FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())).databaseUrl();
        FerryConfig config = FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString()));
        Flyway.configure().dataSource(url, config.databaseUser(), config.databasePassword()).locations("classpath:db/migration").target("20").load()
                .migrate();
        List<TelemetryPoint> values = batches().get(0);
        try (Connection connection = DriverManager.getConnection(url, config.databaseUser(), config.databasePassword());
                PreparedStatement insert = connection.prepareStatement("INSERT INTO telemetry_point (endpoint, path,"
                        + " at, received_at, value_type, number_value, text_value) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (TelemetryPoint point : values) {
                insert.setString(1, point.endpoint());
                insert.setString(2, point.path());
                insert.setObject(3, point.at().atOffset(ZoneOffset.UTC));
                insert.setObject(4, point.at().atOffset(ZoneOffset.UTC));
                insert.setString(5, point.type());
                insert.setObject(6, point.number());
                insert.setString(7, point.text());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        try (Database database = open()) {
            TelemetryQueries queries = new TelemetryQueries(database);
            Instant to = START.plus(Duration.ofHours(3));
            for (Duration step : List.of(Duration.ofMinutes(1), Duration.ofHours(1))) {
                assertSame(queries.buckets("meter-1", "/3/0/10", START, to, step, 10_000),
                        queries.bucketsFromValues("meter-1", "/3/0/10", START, to, step, 10_000));
            }
        }
    }
}
