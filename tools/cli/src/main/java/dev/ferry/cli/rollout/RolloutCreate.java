package dev.ferry.cli.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.UserInputException;
import dev.ferry.cli.api.ApiClient;
import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.Durations;
import dev.ferry.cli.firmware.FirmwareRef;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Makes a rollout draft from flags, or from a plan file (YAML or JSON, the API's RolloutPlan) with flags on top. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Create a rollout as a draft (nothing is touched until it is started; --start starts it).",
                "The plan comes from the flags, or from -f FILE (YAML or JSON: the API's RolloutPlan); flags given"
                        + " with -f replace those fields of the file. The server judges the whole plan at once and"
                        + " lists every problem."},
        footer = {"", "Sizes: 5% (of the target), 10 (devices), rest (the devices not yet reached).", "",
                "Examples:",
                "  ferry rollout create --name 'meters 1.1' --firmware 1.1.0 --tag hall-3 --strategy canary"
                        + " --first 5% --step 20 --error-percent 10 --on-error pause",
                "  ferry rollout create --name fleet --firmware 12 --group all-meters --strategy waves"
                        + " --waves 10,25%,rest --window-days mon,tue,wed --window-start 02:00 --window-duration 3h",
                "  ferry rollout create -f rollout.yaml --start"})
final class RolloutCreate implements Callable<Integer> {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Mixin
    ApiOptions api;
    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "A plan file, YAML (.yaml/.yml) or JSON.")
    Path file;
    @Option(names = "--name", description = "The rollout's name.")
    String name;
    @Option(names = "--firmware", paramLabel = "ID|VERSION", description = "The published image to roll out.")
    String firmware;
    @Option(names = "--model", description = "With --firmware VERSION: the model whose image it is.")
    String model;

    @Option(names = "--group", description = "Target: a saved group.")
    String group;
    @Option(names = "--tag", paramLabel = "TAG", description = "Target: devices with this tag (repeatable: all).")
    List<String> tags = List.of();
    @Option(names = "--target-model", paramLabel = "MODEL", description = "Target: devices of this model.")
    String targetModel;
    @Option(names = "--running", paramLabel = "VERSION", description = "Target: devices running this version or"
            + " range ('<1.1.0').")
    String running;
    @Option(names = "--endpoint", paramLabel = "ENDPOINT", description = "Target: these devices (repeatable).")
    List<String> endpoints = List.of();

    @Option(names = "--strategy", description = "canary, rolling, all-at-once or waves (default: canary when a"
            + " plan is made from flags).")
    String strategy;
    @Option(names = "--first", paramLabel = "SIZE", description = "canary: the first wave (default 5%).")
    String first;
    @Option(names = "--step", paramLabel = "PERCENT", description = "canary: each next wave grows by this share of"
            + " the target.")
    Double step;
    @Option(names = "--wave-size", paramLabel = "SIZE", description = "rolling: the size of every wave.")
    String waveSize;
    @Option(names = "--waves", paramLabel = "SIZE,...", split = ",", description = "waves: explicit sizes, e.g."
            + " 10,25%,rest.")
    List<String> waves;

    @Option(names = "--success-percent", paramLabel = "PERCENT", description = "Gate: a wave passes with this share"
            + " succeeded (default 95).")
    Double successPercent;
    @Option(names = "--on-success", paramLabel = "ACTION", description = "next-wave or pause.")
    String onSuccess;
    @Option(names = "--error-percent", paramLabel = "PERCENT", description = "Gate: the error action is taken above"
            + " this share failed (default 5).")
    Double errorPercent;
    @Option(names = "--min-finished", paramLabel = "N", description = "Gate: judge errors once N devices finished.")
    Integer minFinished;
    @Option(names = "--on-error", paramLabel = "ACTION", description = "pause, cancel or rollback.")
    String onError;
    @Option(names = "--device-timeout", paramLabel = "TIME", converter = Durations.class, description = "Gate: a"
            + " device without an outcome this long after its update started counts as timed out (default 1h).")
    Duration deviceTimeout;
    @Option(names = "--soak", paramLabel = "TIME", converter = Durations.class, description = "A device must stay"
            + " healthy this long after succeeding.")
    Duration soak;

    @Option(names = "--window-days", paramLabel = "DAYS", split = ",", description = "Maintenance window days:"
            + " mon,tue,...")
    List<String> windowDays;
    @Option(names = "--window-start", paramLabel = "HH:MM", description = "When the window opens.")
    String windowStart;
    @Option(names = "--window-duration", paramLabel = "TIME", converter = Durations.class, description = "How"
            + " long it stays open, e.g. 3h.")
    Duration windowDuration;
    @Option(names = "--window-time-zone", paramLabel = "ZONE", description = "e.g. Europe/Berlin (default UTC).")
    String windowTimeZone;

    @Option(names = "--start-at", paramLabel = "TIME", description = "RFC 3339 start time, in the future.")
    String startAt;
    @Option(names = "--max-concurrent", paramLabel = "N", description = "At most N updates of the rollout at"
            + " once (default 100).")
    Integer maxConcurrent;
    @Option(names = "--delivery", paramLabel = "MODE", description = "pull-coap, pull-coaps, pull-http or push.")
    String delivery;
    @Option(names = "--allow-downgrade", description = "Install on devices running a newer image.")
    boolean allowDowngrade;
    @Option(names = "--allow-model-mismatch", description = "Do not skip devices of another model.")
    boolean allowModelMismatch;
    @Option(names = "--start", description = "Start the draft once it is created.")
    boolean start;

    @Override
    public Integer call() throws Exception {
        ObjectNode plan = file != null ? readPlan(file) : ApiClient.JSON.createObjectNode();
        applyFlags(plan);
        if (!plan.has("strategy")) {
            plan.putObject("strategy").put("type", "canary");
        }
        ApiClient.Response created = api.client().post("/api/v1/rollouts", plan);
        ApiClient.Response answer = created;
        if (start) {
            answer = api.client().action(RolloutCommand.path(created.json().path("id").asLong()) + "/start");
        }
        api.print(answer, r -> RolloutCommand.summary(api.out(), r));
        return ExitCodes.OK;
    }

    private static ObjectNode readPlan(Path file) throws IOException, UserInputException {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? YAML : ApiClient.JSON;
        JsonNode plan;
        try {
            plan = mapper.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UserInputException(file + " is not a readable plan: " + e.getOriginalMessage());
        }
        if (plan == null || !plan.isObject()) {
            throw new UserInputException(file + " must hold one object: the rollout plan");
        }
        return (ObjectNode) plan;
    }

    private void applyFlags(ObjectNode plan) throws Exception {
        if (name != null) {
            plan.put("name", name);
        }
        if (firmware != null) {
            plan.put("firmwareId", FirmwareRef.resolve(api.client(), firmware, model));
        }
        applyTarget(plan);
        applyStrategy(plan);
        applyGate(plan);
        if (windowDays != null || windowStart != null || windowDuration != null || windowTimeZone != null) {
            ObjectNode window = object(plan, "window");
            if (windowDays != null) {
                windowDays.forEach(window.putArray("days")::add);
            }
            put(window, "start", windowStart);
            if (windowDuration != null) {
                window.put("durationMinutes", windowDuration.toMinutes());
            }
            put(window, "timeZone", windowTimeZone);
        }
        put(plan, "startAt", startAt);
        put(plan, "delivery", delivery);
        if (maxConcurrent != null) {
            plan.put("maxConcurrent", maxConcurrent);
        }
        if (allowDowngrade) {
            plan.put("allowDowngrade", true);
        }
        if (allowModelMismatch) {
            plan.put("allowModelMismatch", true);
        }
    }

    private void applyTarget(ObjectNode plan) {
        boolean filterGiven = !tags.isEmpty() || targetModel != null || running != null || !endpoints.isEmpty();
        if (group != null && filterGiven) {
            throw new IllegalArgumentException("target a --group or a filter (--tag, --target-model, --running,"
                    + " --endpoint), not both");
        }
        if (group != null) {
            plan.putObject("target").put("group", group);
        } else if (filterGiven) {
            ObjectNode filter = plan.putObject("target").putObject("filter");
            if (!tags.isEmpty()) {
                tags.forEach(filter.putArray("tagsAll")::add);
            }
            if (!endpoints.isEmpty()) {
                endpoints.forEach(filter.putArray("endpoints")::add);
            }
            put(filter, "model", targetModel);
            put(filter, "firmwareVersion", running);
        }
    }

    private void applyStrategy(ObjectNode plan) {
        if (strategy == null && first == null && step == null && waveSize == null && waves == null) {
            return;
        }
        String type = strategy != null ? strategy : plan.path("strategy").path("type").asText("canary");
        ObjectNode s = plan.putObject("strategy").put("type", type);
        if (first != null) {
            s.set("first", size(first));
        }
        if (step != null) {
            s.put("stepPercent", step);
        }
        if (waveSize != null) {
            s.set("waveSize", size(waveSize));
        }
        if (waves != null) {
            ArrayNode array = s.putArray("waves");
            waves.forEach(w -> array.add(size(w)));
        }
        if (type.equals("canary") && first == null) {
            s.set("first", size("5%"));
        }
        if (type.equals("canary") && step == null) {
            s.put("stepPercent", 25);
        }
    }

    private void applyGate(ObjectNode plan) {
        if (successPercent == null && onSuccess == null && errorPercent == null && minFinished == null
                && onError == null && deviceTimeout == null && soak == null) {
            return;
        }
        ObjectNode gate = object(plan, "gate");
        if (successPercent != null) {
            gate.put("successPercent", successPercent);
        }
        put(gate, "onSuccess", onSuccess);
        if (errorPercent != null) {
            gate.put("errorPercent", errorPercent);
        }
        if (minFinished != null) {
            gate.put("minFinished", minFinished);
        }
        put(gate, "onError", onError);
        if (deviceTimeout != null) {
            gate.put("deviceTimeoutSeconds", Math.max(1, deviceTimeout.toSeconds()));
        }
        if (soak != null) {
            gate.put("soakSeconds", soak.toSeconds());
        }
    }

    /** {@code 5%} is a percentage, {@code 10} a count, {@code rest} every device not yet reached. */
    static ObjectNode size(String text) {
        String t = text.trim();
        ObjectNode size = ApiClient.JSON.createObjectNode();
        if (t.equals("rest")) {
            return size.put("rest", true);
        }
        try {
            if (t.endsWith("%")) {
                return size.put("percent", Double.parseDouble(t.substring(0, t.length() - 1)));
            }
            return size.put("count", Integer.parseInt(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a wave size; write e.g. 5%, 10 or rest");
        }
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        return parent.get(field) instanceof ObjectNode existing ? existing : parent.putObject(field);
    }

    private static void put(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
