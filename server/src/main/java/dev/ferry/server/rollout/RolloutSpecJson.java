package dev.ferry.server.rollout;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.device.DeviceFilterJson;
import dev.ferry.server.update.Delivery;
import dev.ferry.server.update.FailureReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A rollout plan in JSON, as the API takes and shows it and as it is stored ({@code openapi.yaml}, schema
 * {@code RolloutPlan}). {@link #parse} judges shapes only (types, required and unknown fields, names of days,
 * zones, reasons); {@link RolloutPlanCheck} judges whether the plan makes sense. {@code parse(render(spec))}
 * gives {@code spec} back.
 */
public final class RolloutSpecJson {
    private RolloutSpecJson() {
    }

    /**
     * Reads a plan, adding every shape problem to {@code problems} and never throwing on bad input. Absent
     * optional fields take the defaults of {@link RolloutSpec}, {@link RolloutSpec.Gate#DEFAULT} and
     * {@link RolloutSpec.RetryPolicy#DEFAULT}. When problems were added the answer is a partial plan (what could
     * not be read is null or zero) that must not be stored; it can still be checked for further problems.
     */
    public static RolloutSpec parse(JsonObject json, List<InvalidRolloutException.Problem> problems) {
        PlanFields plan = new PlanFields(json, "", problems);
        plan.allowOnly("name", "firmwareId", "target", "delivery", "strategy", "gate", "retry", "startAt", "window",
                "maxConcurrent", "allowDowngrade", "allowModelMismatch");
        String name = plan.string("name", true);
        Long firmwareId = plan.whole("firmwareId", true);
        RolloutSpec.Target target = target(plan.object("target", true));
        Optional<Delivery> delivery = delivery(plan);
        PlanFields strategy = plan.object("strategy", true);
        PlanFields gate = plan.object("gate", false);
        PlanFields retry = plan.object("retry", false);
        PlanFields window = plan.object("window", false);
        Integer maxConcurrent = plan.count("maxConcurrent", false);
        Boolean allowDowngrade = plan.bool("allowDowngrade", false);
        Boolean allowModelMismatch = plan.bool("allowModelMismatch", false);
        return new RolloutSpec(name, firmwareId == null ? 0 : firmwareId, target, delivery,
                strategy == null ? null : strategy(strategy),
                gate == null ? RolloutSpec.Gate.DEFAULT : gate(gate),
                retry == null ? RolloutSpec.RetryPolicy.DEFAULT : retry(retry), startAt(plan),
                window == null ? null : MaintenanceWindowJson.parse(window),
                maxConcurrent == null ? RolloutSpec.DEFAULT_MAX_CONCURRENT : maxConcurrent,
                Boolean.TRUE.equals(allowDowngrade), Boolean.TRUE.equals(allowModelMismatch));
    }

    /** The plan as JSON, every field written (defaults included) so that what is shown is what runs. */
    public static JsonObject render(RolloutSpec spec) {
        JsonObject json = new JsonObject().put("name", spec.name()).put("firmwareId", spec.firmwareId())
                .put("target", render(spec.target()));
        spec.delivery().ifPresent(delivery -> json.put("delivery", delivery.wireName()));
        json.put("strategy", render(spec.strategy())).put("gate", render(spec.gate()))
                .put("retry", render(spec.retry()));
        if (spec.startAt() != null) {
            json.put("startAt", spec.startAt().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        }
        if (spec.window() != null) {
            json.put("window", MaintenanceWindowJson.render(spec.window()));
        }
        return json.put("maxConcurrent", spec.maxConcurrent()).put("allowDowngrade", spec.allowDowngrade())
                .put("allowModelMismatch", spec.allowModelMismatch());
    }

    private static RolloutSpec.Target target(PlanFields target) {
        if (target == null) {
            return null;
        }
        target.allowOnly("group", "filter");
        boolean group = target.has("group");
        if (group == target.has("filter")) {
            target.problem(target.path("group"), "give either a saved group's name (group) or a filter, not "
                    + (group ? "both" : "neither"));
            return null;
        }
        if (group) {
            String name = target.string("group", true);
            return name == null ? null : RolloutSpec.Target.group(name);
        }
        PlanFields filter = target.object("filter", true);
        DeviceFilter parsed = filter == null ? null : DeviceFilterJson.parse(filter.json(), target.path("filter"),
                filter::problem);
        return parsed == null ? null : RolloutSpec.Target.filter(parsed);
    }

    private static JsonObject render(RolloutSpec.Target target) {
        if (target.group() != null) {
            return new JsonObject().put("group", target.group());
        }
        return new JsonObject().put("filter", DeviceFilterJson.render(target.filter()));
    }

    private static Optional<Delivery> delivery(PlanFields plan) {
        String name = plan.string("delivery", false);
        if (name == null) {
            return Optional.empty();
        }
        Optional<Delivery> delivery = Delivery.fromWireName(name);
        if (delivery.isEmpty()) {
            plan.problem("delivery", "unknown delivery '" + name + "'; use one of " + Delivery.allWireNames()
                    + ", or leave it out for each device's default");
        }
        return delivery;
    }

    private static RolloutSpec.Strategy strategy(PlanFields strategy) {
        String type = strategy.string("type", true);
        if (type == null) {
            return null;
        }
        switch (type) {
        case "canary" -> {
            strategy.allowOnly("type", "first", "stepPercent");
            PlanFields first = strategy.object("first", true);
            RolloutSpec.WaveSize size = first == null ? null : size(first, false);
            Double step = strategy.number("stepPercent", true);
            return size == null || step == null ? null : new RolloutSpec.Strategy.Canary(size, step);
        }
        case "rolling" -> {
            strategy.allowOnly("type", "waveSize");
            PlanFields waveSize = strategy.object("waveSize", true);
            RolloutSpec.WaveSize size = waveSize == null ? null : size(waveSize, false);
            return size == null ? null : new RolloutSpec.Strategy.Rolling(size);
        }
        case "all-at-once" -> {
            strategy.allowOnly("type");
            return new RolloutSpec.Strategy.AllAtOnce();
        }
        case "waves" -> {
            strategy.allowOnly("type", "waves");
            List<PlanFields> items = strategy.objects("waves", true);
            if (items == null) {
                return null;
            }
            List<RolloutSpec.WaveSize> waves = new ArrayList<>(items.size());
            for (PlanFields item : items) {
                waves.add(item == null ? null : size(item, true));
            }
            return waves.contains(null) ? null : new RolloutSpec.Strategy.Explicit(waves);
        }
        default -> {
            strategy.problem(strategy.path("type"), "unknown strategy '" + type
                    + "'; use canary, rolling, all-at-once or waves");
            return null;
        }
        }
    }

    /** {@code {percent}}, {@code {count}}, or (for explicit waves) {@code {rest: true}}: exactly one of them. */
    private static RolloutSpec.WaveSize size(PlanFields size, boolean restAllowed) {
        String[] allowed = restAllowed ? new String[] {"percent", "count", "rest"} : new String[] {"percent", "count"};
        size.allowOnly(allowed);
        int given = (size.has("percent") ? 1 : 0) + (size.has("count") ? 1 : 0)
                + (restAllowed && size.has("rest") ? 1 : 0);
        if (given != 1) {
            size.problem(size.path("percent"), "give exactly one of " + String.join(", ", allowed)
                    + (given == 0 ? "" : ", not several"));
            return null;
        }
        if (size.has("percent")) {
            Double percent = size.number("percent", true);
            return percent == null ? null : RolloutSpec.WaveSize.percent(percent);
        }
        if (size.has("count")) {
            Integer count = size.count("count", true);
            return count == null ? null : RolloutSpec.WaveSize.count(count);
        }
        Boolean rest = size.bool("rest", true);
        if (Boolean.FALSE.equals(rest)) {
            size.problem(size.path("rest"), "can only be true (every device not yet reached); give percent or count"
                    + " instead");
        }
        return Boolean.TRUE.equals(rest) ? RolloutSpec.WaveSize.REST : null;
    }

    private static JsonObject render(RolloutSpec.WaveSize size) {
        if (size.rest()) {
            return new JsonObject().put("rest", true);
        }
        return size.count() != null ? new JsonObject().put("count", size.count())
                : new JsonObject().put("percent", size.percent());
    }

    private static JsonObject render(RolloutSpec.Strategy strategy) {
        if (strategy instanceof RolloutSpec.Strategy.Canary canary) {
            return new JsonObject().put("type", "canary").put("first", render(canary.first()))
                    .put("stepPercent", canary.stepPercent());
        }
        if (strategy instanceof RolloutSpec.Strategy.Rolling rolling) {
            return new JsonObject().put("type", "rolling").put("waveSize", render(rolling.waveSize()));
        }
        if (strategy instanceof RolloutSpec.Strategy.Explicit explicit) {
            return new JsonObject().put("type", "waves").put("waves",
                    new JsonArray(explicit.waves().stream().map(RolloutSpecJson::render).toList()));
        }
        return new JsonObject().put("type", "all-at-once");
    }

    private static RolloutSpec.Gate gate(PlanFields gate) {
        RolloutSpec.Gate d = RolloutSpec.Gate.DEFAULT;
        gate.allowOnly("successPercent", "onSuccess", "errorPercent", "minFinished", "onError",
                "deviceTimeoutSeconds", "soakSeconds", "crashLoopRegistrations");
        Double successPercent = gate.number("successPercent", false);
        RolloutSpec.SuccessAction onSuccess = choice(gate, "onSuccess", RolloutSpec.SuccessAction.class,
                d.onSuccess());
        Double errorPercent = gate.number("errorPercent", false);
        Integer minFinished = gate.count("minFinished", false);
        RolloutSpec.ErrorAction onError = choice(gate, "onError", RolloutSpec.ErrorAction.class, d.onError());
        Long timeout = gate.whole("deviceTimeoutSeconds", false);
        Long soak = gate.whole("soakSeconds", false);
        Integer crashLoop = gate.count("crashLoopRegistrations", false);
        return new RolloutSpec.Gate(successPercent == null ? d.successPercent() : successPercent, onSuccess,
                errorPercent == null ? d.errorPercent() : errorPercent, minFinished == null ? d.minFinished()
                        : minFinished, onError, timeout == null ? d.deviceTimeout() : Duration.ofSeconds(timeout),
                soak == null ? d.soak() : Duration.ofSeconds(soak), crashLoop == null ? d.crashLoopRegistrations()
                        : crashLoop);
    }

    private static JsonObject render(RolloutSpec.Gate gate) {
        return new JsonObject().put("successPercent", gate.successPercent())
                .put("onSuccess", wireName(gate.onSuccess())).put("errorPercent", gate.errorPercent())
                .put("minFinished", gate.minFinished()).put("onError", wireName(gate.onError()))
                .put("deviceTimeoutSeconds", gate.deviceTimeout().toSeconds())
                .put("soakSeconds", gate.soak().toSeconds())
                .put("crashLoopRegistrations", gate.crashLoopRegistrations());
    }

    private static RolloutSpec.RetryPolicy retry(PlanFields retry) {
        RolloutSpec.RetryPolicy d = RolloutSpec.RetryPolicy.DEFAULT;
        retry.allowOnly("on", "maxAttempts", "backoffSeconds", "multiplier");
        List<String> names = retry.strings("on", false);
        Set<FailureReason> on = names == null ? d.retryOn() : reasons(retry, names);
        Integer maxAttempts = retry.count("maxAttempts", false);
        Long backoff = retry.whole("backoffSeconds", false);
        Double multiplier = retry.number("multiplier", false);
        return new RolloutSpec.RetryPolicy(on, maxAttempts == null ? d.maxAttempts() : maxAttempts,
                backoff == null ? d.backoff() : Duration.ofSeconds(backoff),
                multiplier == null ? d.multiplier() : multiplier);
    }

    private static Set<FailureReason> reasons(PlanFields retry, List<String> names) {
        Set<FailureReason> reasons = EnumSet.noneOf(FailureReason.class);
        for (int i = 0; i < names.size(); i++) {
            FailureReason reason = reason(names.get(i));
            if (reason == null && names.get(i) != null) {
                retry.problem(retry.path("on") + "[" + i + "]", "unknown failure reason '" + names.get(i)
                        + "'; the reasons are " + Arrays.stream(FailureReason.values())
                                .map(FailureReason::wireName).collect(Collectors.joining(", ")));
            } else if (reason != null) {
                reasons.add(reason);
            }
        }
        return reasons;
    }

    private static FailureReason reason(String name) {
        for (FailureReason reason : FailureReason.values()) {
            if (reason.wireName().equals(name)) {
                return reason;
            }
        }
        return null;
    }

    private static JsonObject render(RolloutSpec.RetryPolicy retry) {
        return new JsonObject()
                .put("on", new JsonArray(retry.retryOn().stream().sorted().map(FailureReason::wireName).toList()))
                .put("maxAttempts", retry.maxAttempts()).put("backoffSeconds", retry.backoff().toSeconds())
                .put("multiplier", retry.multiplier());
    }

    private static OffsetDateTime startAt(PlanFields plan) {
        String text = plan.string("startAt", false);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            plan.problem("startAt", "must be an RFC 3339 date and time with its offset, e.g."
                    + " 2026-12-24T02:00:00Z, got \"" + text + "\"");
            return null;
        }
    }

    private static <E extends Enum<E>> E choice(PlanFields fields, String field, Class<E> type, E fallback) {
        String text = fields.string(field, false);
        if (text == null) {
            return fallback;
        }
        for (E value : type.getEnumConstants()) {
            if (wireName(value).equals(text)) {
                return value;
            }
        }
        fields.problem(fields.path(field), "unknown value '" + text + "'; use " + Arrays.stream(type
                .getEnumConstants()).map(RolloutSpecJson::wireName).collect(Collectors.joining(" or ")));
        return fallback;
    }

    static String wireName(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
