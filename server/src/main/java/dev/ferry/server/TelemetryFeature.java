package dev.ferry.server;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

import org.eclipse.leshan.server.LeshanServer;

import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.lwm2m.ProfileObserver;
import dev.ferry.server.lwm2m.TelemetryIngest;
import dev.ferry.server.store.Database;
import dev.ferry.server.telemetry.TelemetryBus;
import dev.ferry.server.telemetry.TelemetryProfiles;
import dev.ferry.server.telemetry.FleetTelemetry;
import dev.ferry.server.telemetry.TelemetryQueries;
import dev.ferry.server.telemetry.TelemetryRetention;
import dev.ferry.server.telemetry.TelemetryStore;
import dev.ferry.server.telemetry.TelemetryWriter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Telemetry in: Leshan's notifications and Send requests become points ({@link TelemetryIngest}), queued to the
 * bounded {@link TelemetryWriter}, stored, then published on the bus; observation profiles are given to devices
 * as they register or as the profiles change ({@link ProfileObserver}).
 */
final class TelemetryFeature implements AutoCloseable {
    /** How often values older than their retention are deleted. */
    private static final Duration RETENTION_INTERVAL = Duration.ofHours(1);

    final TelemetryStore store;
    final TelemetryWriter writer;
    final TelemetryProfiles profiles;
    final TelemetryQueries queries;
    final FleetTelemetry fleet;
    private final TelemetryRetention retention;
    private final TelemetryIngest ingest;
    private final ProfileObserver observer;
    private final LeshanServer leshan;

    TelemetryFeature(FerryConfig config, Database database, TelemetryBus bus, MeterRegistry meters,
            LeshanServer leshan, Function<String, Optional<String>> modelOf) {
        this.leshan = leshan;
        this.store = new TelemetryStore(database);
        this.writer = new TelemetryWriter(store, bus, config.telemetrySettings(), meters, Clock.systemUTC());
        this.profiles = new TelemetryProfiles(database, Clock.systemUTC());
        this.queries = new TelemetryQueries(database);
        this.fleet = new FleetTelemetry(database);
        this.retention = new TelemetryRetention(database, Clock.systemUTC(), config.telemetryRetentionDays());
        this.ingest = new TelemetryIngest(writer::offer, writer::offerDurably, Clock.systemUTC());
        this.observer = new ProfileObserver(leshan, profiles, modelOf);
        profiles.listen(observer);
    }

    void start() {
        writer.start();
        leshan.getObservationService().addListener(ingest);
        leshan.getSendService().addListener(ingest);
        observer.start();
        retention.start(RETENTION_INTERVAL);
    }

    /** Before the LwM2M server: no more values are taken; what is queued is written. */
    @Override
    public void close() {
        retention.close();
        observer.close();
        leshan.getObservationService().removeListener(ingest);
        leshan.getSendService().removeListener(ingest);
        writer.close();
    }
}
