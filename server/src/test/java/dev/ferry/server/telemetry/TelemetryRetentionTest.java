package dev.ferry.server.telemetry;

import static dev.ferry.server.store.generated.Tables.DEVICE;
import static dev.ferry.server.store.generated.Tables.TELEMETRY_POINT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.store.Database;

/** Retention deletes exactly what is older than each model's retention, and the default's for every other device. */
@Timeout(120)
class TelemetryRetentionTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    @TempDir
    Path dataDir;

    private static void device(Database database, String endpoint, String model) {
        OffsetDateTime now = NOW.atOffset(ZoneOffset.UTC);
        database.dsl().insertInto(DEVICE).set(DEVICE.ENDPOINT, endpoint).set(DEVICE.SECURITY_MODE, "none")
                .set(DEVICE.MODEL, model).set(DEVICE.CREATED_AT, now).set(DEVICE.UPDATED_AT, now).execute();
    }

    /** One value per day, from {@code days} days ago to today, at noon. */
    private static List<TelemetryPoint> daily(String endpoint, int days) {
        List<TelemetryPoint> points = new ArrayList<>();
        for (int age = 0; age <= days; age++) {
            points.add(new TelemetryPoint(endpoint, "/3/0/10", NOW.minus(Duration.ofDays(age)), "INTEGER",
                    (double) age, null));
        }
        return points;
    }

    private static List<Double> ages(Database database, String endpoint) {
        return database.dsl().select(TELEMETRY_POINT.NUMBER_VALUE).from(TELEMETRY_POINT)
                .where(TELEMETRY_POINT.ENDPOINT.eq(endpoint)).orderBy(TELEMETRY_POINT.AT.desc())
                .fetch(TELEMETRY_POINT.NUMBER_VALUE);
    }

    @Test
    void each_model_keeps_its_own_days_and_every_other_device_the_default() {
        try (Database database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())))) {
            device(database, "short-1", "short-lived");
            device(database, "long-1", "long-lived");
            device(database, "plain-1", "undescribed");
            TelemetryProfiles profiles = new TelemetryProfiles(database, Clock.systemUTC());
            profiles.put("short-lived", List.of(), 2, "alice");
            profiles.put("long-lived", List.of(), 40, "alice");
            profiles.put("no-retention", List.of(), null, "alice");
            TelemetryStore store = new TelemetryStore(database);
            for (String endpoint : List.of("short-1", "long-1", "plain-1", "gone-1")) {
                store.insert(daily(endpoint, 45), NOW);
            }

            // 1 second past noon: a value exactly N days old is older than N days.
            Clock clock = Clock.fixed(NOW.plusSeconds(1), ZoneOffset.UTC);
            long deleted = new TelemetryRetention(database, clock, 30).run();

            assertThat(ages(database, "short-1")).containsExactly(0.0, 1.0);
            assertThat(ages(database, "long-1")).hasSize(40).endsWith(39.0);
            assertThat(ages(database, "plain-1")).hasSize(30).endsWith(29.0);
            assertThat(ages(database, "gone-1")).as("a device no longer provisioned takes the default")
                    .hasSize(30);
            assertThat(deleted).isEqualTo((46 - 2) + (46 - 40) + 2 * (46 - 30));
            assertThat(new TelemetryRetention(database, clock, 30).run()).as("a second pass finds nothing").isZero();
        }
    }

    @Test
    void more_rows_than_one_chunk_are_deleted_in_several_statements() {
        try (Database database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())))) {
            List<TelemetryPoint> old = new ArrayList<>();
            for (int i = 0; i < TelemetryRetention.CHUNK * 2 + 5; i++) {
                old.add(new TelemetryPoint("bulk-1", "/3/0/10", NOW.minus(Duration.ofDays(31)).plusMillis(i),
                        "INTEGER", (double) i, null));
            }
            new TelemetryStore(database).insert(old, NOW);
            new TelemetryStore(database).insert(daily("bulk-1", 0), NOW);

            long deleted = new TelemetryRetention(database, Clock.fixed(NOW, ZoneOffset.UTC), 30).run();

            assertThat(deleted).isEqualTo(TelemetryRetention.CHUNK * 2 + 5);
            assertThat(ages(database, "bulk-1")).containsExactly(0.0);
        }
    }
}
