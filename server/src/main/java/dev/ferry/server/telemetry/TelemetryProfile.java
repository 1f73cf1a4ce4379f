package dev.ferry.server.telemetry;

import java.time.Instant;
import java.util.List;

/**
 * What the devices of one model report, and for how long their values are kept.
 *
 * @param model the device model (object 3's Model Number)
 * @param retentionDays days values are kept; null: telemetry.retention-days
 * @param updatedBy who last changed it; null for a model without a stored profile
 */
public record TelemetryProfile(String model, List<Observation> observations, Integer retentionDays,
        String updatedBy, Instant updatedAt) {
    public TelemetryProfile {
        observations = List.copyOf(observations);
    }

    /** A model nobody described: nothing observed, the default retention. */
    public static TelemetryProfile empty(String model) {
        return new TelemetryProfile(model, List.of(), null, null, null);
    }
}
