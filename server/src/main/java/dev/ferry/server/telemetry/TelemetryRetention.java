package dev.ferry.server.telemetry;

import static dev.ferry.server.store.generated.Tables.DEVICE;
import static dev.ferry.server.store.generated.Tables.TELEMETRY_POINT;
import static dev.ferry.server.store.generated.Tables.TELEMETRY_ROLLUP;
import static dev.ferry.server.store.generated.Tables.TELEMETRY_PROFILE;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jooq.Condition;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.store.Database;

/**
 * Deletes telemetry older than its device model's retention (the profile's, else the default), in chunks of
 * {@link #CHUNK} rows, each its own short transaction, so that the writer is never locked out for long. Runs on
 * its own thread, at start and then every {@code interval}.
 */
public final class TelemetryRetention implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryRetention.class);
    /** Rows one delete statement removes at most. */
    static final int CHUNK = 10_000;

    private final Database database;
    private final Clock clock;
    private final int defaultDays;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread t = new Thread(task, "ferry-telemetry-retention");
        t.setDaemon(true);
        return t;
    });

    public TelemetryRetention(Database database, Clock clock, int defaultDays) {
        this.database = database;
        this.clock = clock;
        this.defaultDays = defaultDays;
    }

    public void start(Duration interval) {
        thread.scheduleWithFixedDelay(this::runSafely, 1, interval.toSeconds(), TimeUnit.SECONDS);
    }

    private void runSafely() {
        try {
            long deleted = run();
            if (deleted > 0) {
                LOG.info("Telemetry retention deleted {} value(s)", deleted);
            }
        } catch (RuntimeException e) {
            LOG.warn("Telemetry retention failed, trying again at the next run: {}", e.getMessage());
        }
    }

    /**
     * One pass: deletes what every retention says is too old; answers how many values went. Rollup buckets go
     * once they have ended before the cut-off (one that straddles it keeps the aggregates of values since deleted).
     */
    public long run() {
        OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
        Map<String, Integer> explicit = database.dsl().select(TELEMETRY_PROFILE.MODEL, TELEMETRY_PROFILE.RETENTION_DAYS)
                .from(TELEMETRY_PROFILE).where(TELEMETRY_PROFILE.RETENTION_DAYS.isNotNull())
                .fetchMap(TELEMETRY_PROFILE.MODEL, TELEMETRY_PROFILE.RETENTION_DAYS);
        long deleted = 0;
        for (Map.Entry<String, Integer> model : explicit.entrySet()) {
            OffsetDateTime cutoff = now.minusDays(model.getValue());
            var ofModel = database.dsl().select(DEVICE.ENDPOINT).from(DEVICE).where(DEVICE.MODEL.eq(model.getKey()));
            deleted += deleteInChunks(TELEMETRY_POINT, TELEMETRY_POINT.AT.lt(cutoff)
                    .and(TELEMETRY_POINT.ENDPOINT.in(ofModel)));
            deleteInChunks(TELEMETRY_ROLLUP, endedBefore(cutoff).and(TELEMETRY_ROLLUP.ENDPOINT.in(ofModel)));
        }
        OffsetDateTime cutoff = now.minusDays(defaultDays);
        Condition others = TELEMETRY_POINT.AT.lt(cutoff);
        Condition otherRollups = endedBefore(cutoff);
        if (!explicit.isEmpty()) {
            List<String> models = List.copyOf(explicit.keySet());
            var ofModels = database.dsl().select(DEVICE.ENDPOINT).from(DEVICE).where(DEVICE.MODEL.in(models));
            others = others.and(TELEMETRY_POINT.ENDPOINT.notIn(ofModels));
            otherRollups = otherRollups.and(TELEMETRY_ROLLUP.ENDPOINT.notIn(ofModels));
        }
        deleteInChunks(TELEMETRY_ROLLUP, otherRollups);
        return deleted + deleteInChunks(TELEMETRY_POINT, others);
    }

    /** Rollup buckets that ended at or before the cut-off, for each resolution. */
    private static Condition endedBefore(OffsetDateTime cutoff) {
        Condition ended = DSL.falseCondition();
        for (int resolution : TelemetryRollups.RESOLUTIONS) {
            ended = ended.or(TELEMETRY_ROLLUP.RESOLUTION.eq(resolution)
                    .and(TELEMETRY_ROLLUP.BUCKET_START.le(cutoff.minusSeconds(resolution))));
        }
        return ended;
    }

    private long deleteInChunks(org.jooq.Table<?> table, Condition condition) {
        long total = 0;
        while (true) {
            int deleted = database.dsl().deleteFrom(table).where(condition).limit(CHUNK).execute();
            total += deleted;
            if (deleted < CHUNK) {
                return total;
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
