package dev.ferry.server.rollout;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.update.Delivery;
import dev.ferry.server.update.FailureReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Plans in the JSON field names of the API, written and read back whole, without the API's checks. The server
 * stores plans with {@link RolloutPlanJson}; this form serves callers that build plans in code and send them to
 * the rollouts directly.
 */
public final class RolloutPlanText implements RolloutPlans {
    public static final RolloutPlanText INSTANCE = new RolloutPlanText();

    private RolloutPlanText() {
    }

    @Override
    public String write(RolloutSpec spec) {
        JsonObject json = new JsonObject().put("name", spec.name()).put("firmwareId", spec.firmwareId())
                .put("target", spec.target().group() != null ? new JsonObject().put("group", spec.target().group())
                        : new JsonObject().put("filter", filter(spec.target().filter())))
                .put("strategy", strategy(spec.strategy())).put("gate", gate(spec.gate()))
                .put("retry", retry(spec.retry())).put("maxConcurrent", spec.maxConcurrent())
                .put("allowDowngrade", spec.allowDowngrade()).put("allowModelMismatch", spec.allowModelMismatch());
        spec.delivery().ifPresent(d -> json.put("delivery", d.wireName()));
        if (spec.startAt() != null) {
            json.put("startAt", spec.startAt().toString());
        }
        if (spec.window() != null) {
            RolloutSpec.MaintenanceWindow w = spec.window();
            json.put("window", new JsonObject().put("days", new JsonArray(w.days().stream().sorted()
                    .map(d -> d.name().substring(0, 3).toLowerCase(Locale.ROOT)).toList()))
                    .put("start", w.start().toString()).put("durationMinutes", w.duration().toMinutes())
                    .put("timeZone", w.zone().getId()));
        }
        return json.encode();
    }

    @Override
    public RolloutSpec read(String text) {
        JsonObject json = new JsonObject(text);
        JsonObject target = json.getJsonObject("target");
        JsonObject w = json.getJsonObject("window");
        return new RolloutSpec(json.getString("name"), json.getLong("firmwareId"),
                target.containsKey("group") ? RolloutSpec.Target.group(target.getString("group"))
                        : RolloutSpec.Target.filter(filter(target.getJsonObject("filter"))),
                Optional.ofNullable(json.getString("delivery")).flatMap(Delivery::fromWireName),
                strategy(json.getJsonObject("strategy")), gate(json.getJsonObject("gate")),
                retry(json.getJsonObject("retry")),
                json.getString("startAt") == null ? null : OffsetDateTime.parse(json.getString("startAt")),
                w == null ? null : new RolloutSpec.MaintenanceWindow(w.getJsonArray("days").stream()
                        .map(d -> day((String) d)).collect(Collectors.toSet()), LocalTime.parse(w.getString("start")),
                        Duration.ofMinutes(w.getLong("durationMinutes")), ZoneId.of(w.getString("timeZone"))),
                json.getInteger("maxConcurrent"), json.getBoolean("allowDowngrade"),
                json.getBoolean("allowModelMismatch"));
    }

    private static DayOfWeek day(String abbreviation) {
        for (DayOfWeek day : DayOfWeek.values()) {
            if (day.name().substring(0, 3).equalsIgnoreCase(abbreviation)) {
                return day;
            }
        }
        throw new IllegalArgumentException(abbreviation);
    }

    private static JsonObject filter(DeviceFilter f) {
        return new JsonObject().put("tagsAll", new JsonArray(f.tagsAll())).put("tagsAny", new JsonArray(f.tagsAny()))
                .put("model", f.model()).put("firmwareVersion", f.firmwareVersion()).put("online", f.online())
                .put("endpointPrefix", f.endpointPrefix()).put("endpoints", new JsonArray(f.endpoints()));
    }

    private static DeviceFilter filter(JsonObject f) {
        return new DeviceFilter(strings(f.getJsonArray("tagsAll")), strings(f.getJsonArray("tagsAny")),
                f.getString("model"), f.getString("firmwareVersion"), f.getBoolean("online"),
                f.getString("endpointPrefix"), strings(f.getJsonArray("endpoints")));
    }

    private static List<String> strings(JsonArray array) {
        List<String> strings = new ArrayList<>();
        if (array != null) {
            array.forEach(v -> strings.add((String) v));
        }
        return strings;
    }

    private static JsonObject size(RolloutSpec.WaveSize size) {
        if (size.rest()) {
            return new JsonObject().put("rest", true);
        }
        return size.count() != null ? new JsonObject().put("count", size.count())
                : new JsonObject().put("percent", size.percent());
    }

    private static RolloutSpec.WaveSize size(JsonObject json) {
        if (json.getBoolean("rest", false)) {
            return RolloutSpec.WaveSize.REST;
        }
        return json.containsKey("count") ? RolloutSpec.WaveSize.count(json.getInteger("count"))
                : RolloutSpec.WaveSize.percent(json.getDouble("percent"));
    }

    private static JsonObject strategy(RolloutSpec.Strategy strategy) {
        if (strategy instanceof RolloutSpec.Strategy.Canary c) {
            return new JsonObject().put("type", "canary").put("first", size(c.first())).put("stepPercent",
                    c.stepPercent());
        }
        if (strategy instanceof RolloutSpec.Strategy.Rolling r) {
            return new JsonObject().put("type", "rolling").put("waveSize", size(r.waveSize()));
        }
        if (strategy instanceof RolloutSpec.Strategy.Explicit e) {
            return new JsonObject().put("type", "waves").put("waves", new JsonArray(e.waves().stream()
                    .map(RolloutPlanText::size).toList()));
        }
        return new JsonObject().put("type", "all-at-once");
    }

    private static RolloutSpec.Strategy strategy(JsonObject json) {
        return switch (json.getString("type")) {
        case "canary" -> new RolloutSpec.Strategy.Canary(size(json.getJsonObject("first")),
                json.getDouble("stepPercent"));
        case "rolling" -> new RolloutSpec.Strategy.Rolling(size(json.getJsonObject("waveSize")));
        case "waves" -> new RolloutSpec.Strategy.Explicit(json.getJsonArray("waves").stream()
                .map(w -> size((JsonObject) w)).toList());
        default -> new RolloutSpec.Strategy.AllAtOnce();
        };
    }

    private static JsonObject gate(RolloutSpec.Gate g) {
        return new JsonObject().put("successPercent", g.successPercent())
                .put("onSuccess", g.onSuccess().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .put("errorPercent", g.errorPercent()).put("minFinished", g.minFinished())
                .put("onError", g.onError().name().toLowerCase(Locale.ROOT))
                .put("deviceTimeoutSeconds", g.deviceTimeout().toSeconds()).put("soakSeconds", g.soak().toSeconds())
                .put("crashLoopRegistrations", g.crashLoopRegistrations());
    }

    private static RolloutSpec.Gate gate(JsonObject g) {
        return new RolloutSpec.Gate(g.getDouble("successPercent"),
                RolloutSpec.SuccessAction.valueOf(g.getString("onSuccess").toUpperCase(Locale.ROOT).replace('-', '_')),
                g.getDouble("errorPercent"), g.getInteger("minFinished"),
                RolloutSpec.ErrorAction.valueOf(g.getString("onError").toUpperCase(Locale.ROOT)),
                Duration.ofSeconds(g.getLong("deviceTimeoutSeconds")), Duration.ofSeconds(g.getLong("soakSeconds")),
                g.getInteger("crashLoopRegistrations"));
    }

    private static JsonObject retry(RolloutSpec.RetryPolicy r) {
        return new JsonObject().put("on", new JsonArray(r.retryOn().stream().map(FailureReason::wireName).sorted()
                .toList())).put("maxAttempts", r.maxAttempts()).put("backoffSeconds", r.backoff().toSeconds())
                .put("multiplier", r.multiplier());
    }

    private static RolloutSpec.RetryPolicy retry(JsonObject r) {
        Set<FailureReason> on = r.getJsonArray("on").stream().map(v -> FailureReason.fromWireName((String) v))
                .collect(Collectors.toSet());
        return new RolloutSpec.RetryPolicy(on, r.getInteger("maxAttempts"),
                Duration.ofSeconds(r.getLong("backoffSeconds")), r.getDouble("multiplier"));
    }
}
