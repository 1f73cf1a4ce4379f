package dev.ferry.server.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import dev.ferry.server.telemetry.Observation;
import dev.ferry.server.telemetry.TelemetryProfile;
import dev.ferry.server.telemetry.TelemetryProfiles;
import dev.ferry.server.telemetry.TelemetryQueries;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Observation profiles: what the devices of a model report ({@code /api/v1/models/{model}/telemetry}) and a
 * device's own observations replacing its model's ({@code /api/v1/devices/{endpoint}/telemetry-profile}). A
 * change reaches registered devices at once. Database work runs on worker threads.
 */
final class TelemetryRoutes {
    static final String MODEL_PROFILE = "/api/v1/models/:model/telemetry";
    static final String DEVICE_PROFILE = "/api/v1/devices/:endpoint/telemetry-profile";
    static final String DEVICE_TELEMETRY = "/api/v1/devices/:endpoint/telemetry";
    static final int MAX_RETENTION_DAYS = 36_500;
    static final int DEFAULT_LIMIT = 1000;
    static final Duration DEFAULT_SPAN = Duration.ofDays(1);

    private final TelemetryProfiles profiles;
    private final TelemetryQueries queries;
    private final Predicate<String> provisioned;
    private final Blocking blocking;

    TelemetryRoutes(TelemetryProfiles profiles, TelemetryQueries queries, Predicate<String> provisioned,
            Blocking blocking) {
        this.profiles = profiles;
        this.queries = queries;
        this.provisioned = provisioned;
        this.blocking = blocking;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get(MODEL_PROFILE, this::showModel).answers(200),
                ApiRoute.put(MODEL_PROFILE, this::putModel).answers(200, 400, 422),
                ApiRoute.get(DEVICE_PROFILE, this::showDevice).answers(200, 404),
                ApiRoute.put(DEVICE_PROFILE, this::putDevice).answers(200, 400, 404, 422),
                ApiRoute.delete(DEVICE_PROFILE, this::removeDevice).answers(204, 404),
                ApiRoute.get(DEVICE_TELEMETRY, this::series).query("path", "from", "to", "step", "limit")
                        .answers(200, 404));
    }

    private void showModel(RoutingContext ctx) {
        String model = ctx.pathParam("model");
        blocking.run(() -> profiles.profile(model)).onSuccess(p -> Blocking.json(ctx, 200, json(p)))
                .onFailure(ctx::fail);
    }

    private void putModel(RoutingContext ctx) {
        String model = ctx.pathParam("model");
        JsonObject body = JsonInput.requireObject(ctx);
        JsonInput.allowOnly(body, "the profile", "observations", "retentionDays");
        List<Observation> observations = observations(body);
        Integer retention = retention(body.getValue("retentionDays"));
        String actor = Caller.actor(ctx);
        blocking.run(() -> profiles.put(model, observations, retention, actor))
                .onSuccess(p -> Blocking.json(ctx, 200, json(p))).onFailure(ctx::fail);
    }

    private void showDevice(RoutingContext ctx) {
        String endpoint = device(ctx);
        blocking.run(() -> profiles.deviceObservations(endpoint)).onSuccess(own -> {
            if (own.isEmpty()) {
                ctx.fail(ApiProblem.notFound(endpoint + " has no observations of its own; it reports what its"
                        + " model's profile (GET /api/v1/models/{model}/telemetry) names"));
            } else {
                Blocking.json(ctx, 200, new JsonObject().put("endpoint", endpoint)
                        .put("observations", TelemetryProfiles.json(own.get())));
            }
        }).onFailure(ctx::fail);
    }

    private void putDevice(RoutingContext ctx) {
        String endpoint = device(ctx);
        JsonObject body = JsonInput.requireObject(ctx);
        JsonInput.allowOnly(body, "the device's observations", "observations");
        List<Observation> observations = observations(body);
        String actor = Caller.actor(ctx);
        blocking.run(() -> {
            profiles.putDevice(endpoint, observations, actor);
            return observations;
        }).onSuccess(o -> Blocking.json(ctx, 200, new JsonObject().put("endpoint", endpoint)
                .put("observations", TelemetryProfiles.json(o)))).onFailure(ctx::fail);
    }

    private void removeDevice(RoutingContext ctx) {
        String endpoint = device(ctx);
        blocking.run(() -> profiles.removeDevice(endpoint)).onSuccess(removed -> {
            if (removed) {
                Blocking.noContent(ctx);
            } else {
                ctx.fail(ApiProblem.notFound(endpoint + " has no observations of its own"));
            }
        }).onFailure(ctx::fail);
    }

    /** One path's values in [from, to), raw or, with {@code step}, downsampled per bucket. */
    private void series(RoutingContext ctx) {
        String endpoint = device(ctx);
        TelemetryTimes.Window window = TelemetryTimes.window(ctx);
        String path = window.path();
        Instant from = window.from();
        Instant to = window.to();
        Duration step = window.step();
        int limit = window.limit();
        JsonObject answer = new JsonObject().put("endpoint", endpoint).put("path", path).put("from", from.toString())
                .put("to", to.toString());
        if (step == null) {
            blocking.run(() -> queries.values(endpoint, path, from, to, limit)).onSuccess(values -> {
                JsonArray items = new JsonArray();
                values.forEach(v -> items.add(TelemetryTimes.value(v)));
                Blocking.json(ctx, 200, answer.put("values", items).put("truncated", values.size() == limit));
            }).onFailure(ctx::fail);
        } else {
            blocking.run(() -> queries.buckets(endpoint, path, from, to, step, limit)).onSuccess(buckets -> {
                JsonArray items = new JsonArray();
                buckets.forEach(b -> items.add(TelemetryTimes.bucket(b)));
                Blocking.json(ctx, 200, answer.put("step", step.toString()).put("buckets", items)
                        .put("truncated", buckets.size() == limit));
            }).onFailure(ctx::fail);
        }
    }

    private static List<Observation> observations(JsonObject body) {
        if (!(body.getValue("observations") instanceof JsonArray array)) {
            throw invalid("\"observations\" is required: a list of {\"path\": \"/3303/0/5700\", \"attributes\":"
                    + " {\"pmin\": 10, \"pmax\": 60, \"st\": 0.5}}");
        }
        if (array.size() > TelemetryProfiles.MAX_OBSERVATIONS) {
            throw invalid("a profile observes at most " + TelemetryProfiles.MAX_OBSERVATIONS + " paths, got "
                    + array.size());
        }
        List<Observation> observations = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String where = "observations[" + i + "]";
            if (!(array.getValue(i) instanceof JsonObject entry)) {
                throw invalid(where + " must be an object with \"path\" and optional \"attributes\"");
            }
            JsonInput.allowOnly(entry, where, "path", "attributes");
            Object attributesValue = entry.getValue("attributes");
            if (attributesValue != null && !(attributesValue instanceof JsonObject)) {
                throw invalid(where + ".attributes must be an object such as {\"pmin\": 10, \"pmax\": 60}");
            }
            Map<String, Object> raw = attributesValue == null ? Map.of() : ((JsonObject) attributesValue).getMap();
            String path = entry.getValue("path") instanceof String s ? s : null;
            String problem = Observation.problem(path, raw, where);
            if (problem != null) {
                throw invalid(problem);
            }
            if (seen.contains(path)) {
                throw invalid(where + ".path " + path + " is named twice");
            }
            seen.add(path);
            Map<String, Number> attributes = new LinkedHashMap<>();
            raw.forEach((k, v) -> attributes.put(k, (Number) v));
            observations.add(new Observation(path, attributes));
        }
        return observations;
    }

    private static Integer retention(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.intValue() < 1
                || n.intValue() > MAX_RETENTION_DAYS) {
            throw invalid("\"retentionDays\" must be a whole number of days from 1 to " + MAX_RETENTION_DAYS
                    + ", or absent for telemetry.retention-days; got " + value);
        }
        return n.intValue();
    }

    static JsonObject json(TelemetryProfile profile) {
        return new JsonObject().put("model", profile.model())
                .put("observations", TelemetryProfiles.json(profile.observations()))
                .put("retentionDays", profile.retentionDays()).put("updatedBy", profile.updatedBy())
                .put("updatedAt", profile.updatedAt() == null ? null : profile.updatedAt().toString());
    }


    private String device(RoutingContext ctx) {
        return QueryParams.provisionedEndpoint(ctx, provisioned);
    }

    private static ApiProblem invalid(String detail) {
        return new ApiProblem(422, "invalid-profile", "Observation profile not accepted",
                detail + "; nothing was changed");
    }
}
