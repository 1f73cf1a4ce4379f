package dev.ferry.server.api;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

import dev.ferry.server.telemetry.Observation;
import dev.ferry.server.telemetry.TelemetryPoint;
import dev.ferry.server.telemetry.TelemetryQueries;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Times and steps as telemetry queries take them, and values and buckets as they are answered. */
final class TelemetryTimes {
    /** Epoch numbers above this are milliseconds, below it seconds (it is 5138 AD in seconds). */
    private static final long MILLIS_THRESHOLD = 100_000_000_000L;
    static final Duration MIN_STEP = Duration.ofSeconds(1);

    private TelemetryTimes() {
    }

    /** What a telemetry query asks for: a path, the span [from, to), the step (null: none) and the limit. */
    record Window(String path, Instant from, Instant to, Duration step, int limit) {
    }

    /**
     * The query parameters every telemetry query takes: {@code path} (required), {@code from} and {@code to}
     * (by default the last {@link TelemetryRoutes#DEFAULT_SPAN}), {@code step} and {@code limit}; 400 when one is
     * not valid.
     */
    static Window window(RoutingContext ctx) {
        String path = QueryParams.string(ctx, "path");
        if (path == null || Observation.problem(path, Map.of(), "path") != null) {
            throw ApiProblem.badRequest("query parameter path is required: the LwM2M resource path, such as"
                    + " path=/3303/0/5700");
        }
        Instant to = instant(QueryParams.string(ctx, "to"), "to", Instant.now());
        Instant from = instant(QueryParams.string(ctx, "from"), "from", to.minus(TelemetryRoutes.DEFAULT_SPAN));
        if (!from.isBefore(to)) {
            throw ApiProblem.badRequest("from (" + from + ") must be before to (" + to + ")");
        }
        Duration step = step(QueryParams.string(ctx, "step"));
        int limit = QueryParams.integer(ctx, "limit", TelemetryRoutes.DEFAULT_LIMIT, 1, TelemetryQueries.MAX_LIMIT);
        return new Window(path, from, to, step, limit);
    }

    /** ISO-8601 ("2026-03-02T10:00:00Z") or epoch seconds or milliseconds; {@code absent} when not given. */
    static Instant instant(String text, String name, Instant absent) {
        if (text == null) {
            return absent;
        }
        try {
            if (text.matches("\\d{1,16}")) {
                long number = Long.parseLong(text);
                return number >= MILLIS_THRESHOLD ? Instant.ofEpochMilli(number) : Instant.ofEpochSecond(number);
            }
            return Instant.parse(text);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw ApiProblem.badRequest("query parameter " + name + " must be an ISO-8601 time such as"
                    + " 2026-03-02T10:00:00Z or epoch seconds or milliseconds, got '" + text + "'");
        }
    }

    /** Whole seconds ("60") or an ISO-8601 duration ("PT1M"), at least one second; null when not given. */
    static Duration step(String text) {
        if (text == null) {
            return null;
        }
        Duration step;
        try {
            step = text.matches("\\d{1,10}") ? Duration.ofSeconds(Long.parseLong(text)) : Duration.parse(text);
        } catch (DateTimeParseException | NumberFormatException e) {
            step = null;
        }
        if (step == null || step.compareTo(MIN_STEP) < 0) {
            throw ApiProblem.badRequest("query parameter step must be whole seconds (60) or an ISO-8601 duration"
                    + " (PT1M) of at least one second, got '" + text + "'");
        }
        return step;
    }

    static JsonObject value(TelemetryPoint point) {
        JsonObject json = new JsonObject().put("at", point.at().toString()).put("type", point.type());
        return point.number() != null ? json.put("value", point.number()) : json.put("text", point.text());
    }

    static JsonObject bucket(TelemetryQueries.Bucket bucket) {
        JsonObject json = new JsonObject().put("start", bucket.start().toString()).put("count", bucket.count());
        if (bucket.min() == null && bucket.lastText() != null) {
            return json.put("lastText", bucket.lastText());
        }
        return json.put("min", bucket.min()).put("max", bucket.max()).put("avg", bucket.avg())
                .put("last", bucket.last());
    }
}
