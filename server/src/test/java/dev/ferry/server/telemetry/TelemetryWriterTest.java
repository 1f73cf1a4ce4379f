package dev.ferry.server.telemetry;

import static dev.ferry.server.store.generated.Tables.TELEMETRY_POINT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.metrics.Metrics;
import dev.ferry.server.store.Database;
import dev.ferry.server.testing.TestServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The writer's queue is bounded: what does not fit is dropped and counted; what fits is stored, then published. */
@Timeout(60)
class TelemetryWriterTest {
    @TempDir
    Path dataDir;

    private static List<TelemetryPoint> points(int count) {
        List<TelemetryPoint> points = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            points.add(new TelemetryPoint("dev-1", "/3/0/10", Instant.parse("2026-06-01T12:00:00Z").plusMillis(i),
                    "INTEGER", (double) i, null));
        }
        return points;
    }

    @Test
    void a_full_queue_drops_and_counts_what_does_not_fit_and_stores_the_rest_in_order() {
        PrometheusMeterRegistry meters = Metrics.create();
        try (Database database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())))) {
            TelemetryBus bus = new TelemetryBus();
            List<TelemetryPoint> published = new CopyOnWriteArrayList<>();
            bus.subscribe(published::addAll);
            TelemetryWriter writer = new TelemetryWriter(new TelemetryStore(database), bus,
                    new TelemetryWriter.Settings(10, 4), meters, Clock.systemUTC());
            try {
                // Not started yet: the database "falls behind" by exactly the queue.
                assertThat(writer.offer(points(15))).isEqualTo(10);
                assertThat(writer.pending()).isEqualTo(10);
                assertThat(writer.droppedCount()).isEqualTo(5);

                writer.start();
                TestServer.eventually("the ten queued values are published", () -> published.size() == 10);
                List<Double> stored = database.dsl().select(TELEMETRY_POINT.NUMBER_VALUE).from(TELEMETRY_POINT)
                        .orderBy(TELEMETRY_POINT.AT).fetch(TELEMETRY_POINT.NUMBER_VALUE);
                assertThat(stored).containsExactly(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0);
                String scraped = meters.scrape();
                assertThat(scraped).contains("ferry_telemetry_points_dropped_total 5.0")
                        .contains("ferry_telemetry_points_written_total 10.0")
                        .contains("ferry_telemetry_queue_depth 0.0");
            } finally {
                writer.close();
            }
            assertThat(writer.offer(points(1))).as("a closed writer takes nothing").isZero();
        } finally {
            meters.close();
        }
    }

    @Test
    void a_durable_offer_completes_once_its_values_are_committed_and_fails_when_their_batch_is_lost() throws Exception {
        PrometheusMeterRegistry meters = Metrics.create();
        Database database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())));
        TelemetryWriter writer = new TelemetryWriter(new TelemetryStore(database), new TelemetryBus(),
                new TelemetryWriter.Settings(10, 3), meters, Clock.systemUTC());
        try {
            java.util.concurrent.CompletableFuture<Void> spanning = writer.offerDurably(points(5));
            assertThat(spanning).isNotDone();
            assertThat(writer.offerDurably(points(6))).as("all or nothing: 6 more do not fit")
                    .isCompletedExceptionally();
            writer.start();
            spanning.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(database.dsl().fetchCount(TELEMETRY_POINT)).as("committed when the offer completed")
                    .isEqualTo(5);

            database.close(); // the next batch cannot be written
            java.util.concurrent.CompletableFuture<Void> lost = writer.offerDurably(points(2));
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> lost.get(20,
                    java.util.concurrent.TimeUnit.SECONDS))).hasCauseInstanceOf(TelemetryWriter.NotStored.class);
        } finally {
            writer.close();
            database.close();
            meters.close();
        }
    }
}
