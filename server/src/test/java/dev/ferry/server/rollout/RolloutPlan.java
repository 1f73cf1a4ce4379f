package dev.ferry.server.rollout;

import java.time.Duration;
import java.util.List;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The JSON body of {@code POST /api/v1/rollouts}, built the way a test reads: {@code RolloutPlan.of("canary",
 * firmware).group("hall-3").canary(10, 45).gate(g -> g.errorPercent(5).onError("pause"))}. The JSON field names
 * are those of the API's rollout schema, kept here in one place.
 */
final class RolloutPlan {
    private final JsonObject body = new JsonObject();
    private final JsonObject gate = new JsonObject();

    private RolloutPlan(String name, long firmwareId) {
        body.put("name", name).put("firmwareId", firmwareId);
    }

    static RolloutPlan of(String name, long firmwareId) {
        return new RolloutPlan(name, firmwareId);
    }

    /** Targets a saved group. */
    RolloutPlan group(String name) {
        body.put("target", new JsonObject().put("group", name));
        return this;
    }

    /** Targets the devices carrying every one of these tags. */
    RolloutPlan tagged(String... tags) {
        body.put("target", new JsonObject().put("filter", new JsonObject().put("tagsAll", new JsonArray(List.of(tags)))));
        return this;
    }

    /** A first wave of {@code firstPercent} of the target, then waves growing by {@code stepPercent}. */
    RolloutPlan canary(double firstPercent, double stepPercent) {
        body.put("strategy", new JsonObject().put("type", "canary")
                .put("first", new JsonObject().put("percent", firstPercent)).put("stepPercent", stepPercent));
        return this;
    }

    /** Explicit waves, each a percentage of the target; {@code rest} last takes every device not yet reached. */
    RolloutPlan waves(double... percents) {
        JsonArray waves = new JsonArray();
        for (double percent : percents) {
            waves.add(new JsonObject().put("percent", percent));
        }
        body.put("strategy", new JsonObject().put("type", "waves").put("waves", waves));
        return this;
    }

    /** Explicit waves of these percentages, then one wave of every device not yet reached. */
    RolloutPlan wavesThenRest(double... percents) {
        waves(percents);
        body.getJsonObject("strategy").getJsonArray("waves").add(new JsonObject().put("rest", true));
        return this;
    }

    RolloutPlan allAtOnce() {
        body.put("strategy", new JsonObject().put("type", "all-at-once"));
        return this;
    }

    RolloutPlan successPercent(double percent, String then) {
        gate.put("successPercent", percent).put("onSuccess", then);
        return this;
    }

    RolloutPlan errorPercent(double percent, int minFinished, String then) {
        gate.put("errorPercent", percent).put("minFinished", minFinished).put("onError", then);
        return this;
    }

    RolloutPlan deviceTimeout(Duration timeout) {
        gate.put("deviceTimeoutSeconds", timeout.toSeconds());
        return this;
    }

    RolloutPlan soak(Duration soak, int crashLoopRegistrations) {
        gate.put("soakSeconds", soak.toSeconds()).put("crashLoopRegistrations", crashLoopRegistrations);
        return this;
    }

    /** Retries failures of these reasons, {@code maxAttempts} in all, {@code backoff} before the first retry. */
    RolloutPlan retry(List<String> reasons, int maxAttempts, Duration backoff) {
        body.put("retry", new JsonObject().put("on", new JsonArray(reasons)).put("maxAttempts", maxAttempts)
                .put("backoffSeconds", backoff.toSeconds()).put("multiplier", 1));
        return this;
    }

    RolloutPlan maxConcurrent(int sessions) {
        body.put("maxConcurrent", sessions);
        return this;
    }

    /** Any other field, as the API names it (for requests a test means to be refused). */
    RolloutPlan with(String field, Object value) {
        body.put(field, value);
        return this;
    }

    JsonObject json() {
        JsonObject json = body.copy();
        if (!gate.isEmpty()) {
            json.put("gate", gate.copy());
        }
        return json;
    }

    String encode() {
        return json().encode();
    }
}
