package dev.ferry.server.telemetry;

import static dev.ferry.server.store.generated.Tables.DEVICE_TELEMETRY_PROFILE;
import static dev.ferry.server.store.generated.Tables.TELEMETRY_PROFILE;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jooq.impl.DSL;

import dev.ferry.server.store.Database;
import dev.ferry.server.store.generated.tables.records.TelemetryProfileRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Observation profiles: per device model, and a device's own observations that replace its model's. Every method
 * blocks on the database; listeners hear of a change after it committed, on the caller's thread.
 */
public final class TelemetryProfiles {
    /** Observations one profile may name at most. */
    public static final int MAX_OBSERVATIONS = 64;

    /** Hears of changed profiles, to reach registered devices at once. */
    public interface Changes {
        void modelChanged(String model);

        void deviceChanged(String endpoint);
    }

    private final Database database;
    private final Clock clock;
    private final CopyOnWriteArrayList<Changes> listeners = new CopyOnWriteArrayList<>();

    public TelemetryProfiles(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    public void listen(Changes listener) {
        listeners.add(listener);
    }

    /** The model's profile; an empty one when nobody described the model. */
    public TelemetryProfile profile(String model) {
        return database.dsl().selectFrom(TELEMETRY_PROFILE).where(TELEMETRY_PROFILE.MODEL.eq(model))
                .fetchOptional(TelemetryProfiles::profile).orElse(TelemetryProfile.empty(model));
    }

    private static TelemetryProfile profile(TelemetryProfileRecord r) {
        return new TelemetryProfile(r.getModel(), decode(r.getObservations()), r.getRetentionDays(), r.getUpdatedBy(),
                r.getUpdatedAt().toInstant());
    }

    /** Replaces the model's profile. */
    public TelemetryProfile put(String model, List<Observation> observations, Integer retentionDays, String actor) {
        check(observations);
        OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
        String encoded = encode(observations);
        database.dsl().mergeInto(TELEMETRY_PROFILE).using(DSL.selectOne()).on(TELEMETRY_PROFILE.MODEL.eq(model))
                .whenMatchedThenUpdate().set(TELEMETRY_PROFILE.OBSERVATIONS, encoded)
                .set(TELEMETRY_PROFILE.RETENTION_DAYS, retentionDays).set(TELEMETRY_PROFILE.UPDATED_BY, actor)
                .set(TELEMETRY_PROFILE.UPDATED_AT, now)
                .whenNotMatchedThenInsert(TELEMETRY_PROFILE.MODEL, TELEMETRY_PROFILE.OBSERVATIONS,
                        TELEMETRY_PROFILE.RETENTION_DAYS, TELEMETRY_PROFILE.UPDATED_BY, TELEMETRY_PROFILE.UPDATED_AT)
                .values(model, encoded, retentionDays, actor, now).execute();
        listeners.forEach(l -> l.modelChanged(model));
        return new TelemetryProfile(model, observations, retentionDays, actor, now.toInstant());
    }

    /** The device's own observations, when it has any. */
    public Optional<List<Observation>> deviceObservations(String endpoint) {
        return database.dsl().select(DEVICE_TELEMETRY_PROFILE.OBSERVATIONS).from(DEVICE_TELEMETRY_PROFILE)
                .where(DEVICE_TELEMETRY_PROFILE.ENDPOINT.eq(endpoint)).fetchOptional(r -> decode(r.value1()));
    }

    /** Gives the device observations of its own, replacing its model's. */
    public void putDevice(String endpoint, List<Observation> observations, String actor) {
        check(observations);
        OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
        String encoded = encode(observations);
        database.dsl().mergeInto(DEVICE_TELEMETRY_PROFILE).using(DSL.selectOne())
                .on(DEVICE_TELEMETRY_PROFILE.ENDPOINT.eq(endpoint))
                .whenMatchedThenUpdate().set(DEVICE_TELEMETRY_PROFILE.OBSERVATIONS, encoded)
                .set(DEVICE_TELEMETRY_PROFILE.UPDATED_BY, actor).set(DEVICE_TELEMETRY_PROFILE.UPDATED_AT, now)
                .whenNotMatchedThenInsert(DEVICE_TELEMETRY_PROFILE.ENDPOINT, DEVICE_TELEMETRY_PROFILE.OBSERVATIONS,
                        DEVICE_TELEMETRY_PROFILE.UPDATED_BY, DEVICE_TELEMETRY_PROFILE.UPDATED_AT)
                .values(endpoint, encoded, actor, now).execute();
        listeners.forEach(l -> l.deviceChanged(endpoint));
    }

    /** Returns the device to its model's profile; false when it had no observations of its own. */
    public boolean removeDevice(String endpoint) {
        int removed = database.dsl().deleteFrom(DEVICE_TELEMETRY_PROFILE)
                .where(DEVICE_TELEMETRY_PROFILE.ENDPOINT.eq(endpoint)).execute();
        if (removed > 0) {
            listeners.forEach(l -> l.deviceChanged(endpoint));
        }
        return removed > 0;
    }

    /** What the device is to report: its own observations, else its model's (none for an unknown model). */
    public List<Observation> observationsFor(String endpoint, String model) {
        Optional<List<Observation>> own = deviceObservations(endpoint);
        if (own.isPresent()) {
            return own.get();
        }
        return model == null ? List.of() : profile(model).observations();
    }

    private static void check(List<Observation> observations) {
        if (observations.size() > MAX_OBSERVATIONS) {
            throw new IllegalArgumentException("a profile observes at most " + MAX_OBSERVATIONS + " paths, got "
                    + observations.size());
        }
    }

    /** Observations as the API answers them and the tables keep them: [{"path": ..., "attributes": {...}}]. */
    public static JsonArray json(List<Observation> observations) {
        JsonArray array = new JsonArray();
        for (Observation observation : observations) {
            array.add(new JsonObject().put("path", observation.path())
                    .put("attributes", new JsonObject(new LinkedHashMap<>(observation.attributes()))));
        }
        return array;
    }

    static String encode(List<Observation> observations) {
        return json(observations).encode();
    }

    static List<Observation> decode(String json) {
        List<Observation> observations = new ArrayList<>();
        for (Object item : new JsonArray(json)) {
            JsonObject entry = (JsonObject) item;
            Map<String, Number> attributes = new LinkedHashMap<>();
            entry.getJsonObject("attributes", new JsonObject()).forEach(a -> attributes.put(a.getKey(),
                    (Number) a.getValue()));
            observations.add(new Observation(entry.getString("path"), attributes));
        }
        return observations;
    }
}
