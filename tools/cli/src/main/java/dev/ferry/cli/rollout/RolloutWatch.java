package dev.ferry.cli.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.api.ApiClient;
import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.EventStream;
import dev.ferry.cli.api.Fields;
import dev.ferry.cli.api.LiveDisplay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Follows a rollout live: one progress bar per wave, redrawn on a terminal, one line per change otherwise. The
 * rollout and its waves are read again on each rollout or update event (at most every {@code --interval}) and at
 * least every 5 s; the exit code says how it ended, so a CI pipeline can gate on it.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Follow a rollout live until it completes, pauses or ends.",
        footer = {"", "Bars: # succeeded, x failed (failed, timed out, unhealthy), > in progress (updating, soaking),"
                + " - skipped or cancelled, . waiting.", "",
                "With -o json or -o yaml nothing is drawn; the rollout as it ended is printed.", "",
                "A draft or scheduled rollout is waited for until it runs (bound it with the CI job's timeout).", "",
                "Exits " + ExitCodes.OK + " when the rollout completed, " + ExitCodes.PAUSED + " when it paused (an"
                        + " operator's pause or a gate's), " + ExitCodes.NOT_COMPLETED + " when it was cancelled or"
                        + " rolled back.", "",
                "Example (a CI gate):", "  ferry rollout start 7 && ferry rollout watch 7 --no-tty"})
final class RolloutWatch implements Callable<Integer> {
    private static final Duration REFRESH = Duration.ofSeconds(5);
    private static final int BAR = 30;

    @Mixin
    ApiOptions api;
    @Parameters(paramLabel = "ID", description = "The rollout id.")
    long id;
    @Option(names = "--no-tty", description = "One line per change, even on a terminal.")
    boolean noTty;
    @Option(names = "--interval", paramLabel = "TIME", defaultValue = "500ms",
            converter = dev.ferry.cli.api.Durations.class, description = "Re-read at most this often while events come"
            + " (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Override
    public Integer call() throws Exception {
        ApiClient client = api.client();
        boolean table = api.format() == dev.ferry.cli.api.OutputFormat.table;
        LiveDisplay display = LiveDisplay.of(api, noTty);
        try (EventStream stream = openStream(client)) {
            while (true) {
                ApiClient.Response answer = client.get(RolloutCommand.path(id));
                JsonNode rollout = answer.json();
                JsonNode waves = client.get(RolloutCommand.path(id) + "/waves").json();
                List<String> lines = new ArrayList<>();
                lines.add(header(rollout));
                lines.addAll(waveLines(rollout, waves));
                if (table) {
                    display.show(lines);
                }
                Integer exit = exitCode(rollout.path("status").asText());
                if (exit != null) {
                    if (!table) {
                        api.print(answer, r -> { }); // -o json|yaml: the rollout as it ended, for the script
                    }
                    api.err().printf("rollout %d %s%s%n", id, rollout.path("status").asText(),
                            rollout.hasNonNull("statusDetail") ? ": " + rollout.get("statusDetail").asText() : "");
                    return exit;
                }
                if (stream == null) {
                    Thread.sleep(REFRESH.toMillis());
                } else if (stream.next(REFRESH) != null) {
                    Thread.sleep(interval.toMillis()); // a burst of events costs one read
                    while (stream.next(Duration.ofMillis(1)) != null) {
                        // drained: the next read answers them all
                    }
                }
            }
        }
    }

    /**
     * Rollout and update events; null for a token the stream is closed to (a ci token follows the rollout its
     * pipeline started, but may not read the fleet's events): then the rollout is read every few seconds.
     */
    private static EventStream openStream(ApiClient client) throws Exception {
        try {
            return EventStream.open(client, "?type=rollout,update", null, Duration.ofSeconds(45));
        } catch (dev.ferry.cli.api.ApiRefusedException e) {
            if (e.status() != 403) {
                throw e;
            }
            return null;
        }
    }

    /** Null while the rollout is still going (draft, scheduled, running). */
    static Integer exitCode(String status) {
        return switch (status) {
            case "completed" -> ExitCodes.OK;
            case "paused" -> ExitCodes.PAUSED;
            case "cancelled", "rolling-back", "rolled-back" -> ExitCodes.NOT_COMPLETED;
            default -> null;
        };
    }

    static String header(JsonNode r) {
        return String.format("rollout %s '%s' %s%s: %s", Fields.text(r, "id"), Fields.text(r, "name"),
                Fields.text(r, "status"), r.hasNonNull("statusDetail") ? " (" + r.get("statusDetail").asText() + ")"
                        : "", Fields.counts(r.path("counts")));
    }

    /** One line per wave of the plan, numbered from 0 as the API and its gate details number them. */
    static List<String> waveLines(JsonNode rollout, JsonNode waves) {
        List<String> lines = new ArrayList<>();
        int started = 0;
        for (JsonNode wave : waves.path("items")) {
            started++;
            JsonNode c = wave.path("counts");
            int succeeded = c.path("succeeded").asInt();
            int failed = c.path("failed").asInt() + c.path("timed-out").asInt() + c.path("unhealthy").asInt();
            int inProgress = c.path("updating").asInt() + c.path("soaking").asInt();
            int waiting = c.path("pending").asInt();
            int other = c.path("skipped").asInt() + c.path("cancelled").asInt();
            int total = Math.max(wave.path("planned").asInt(), succeeded + failed + inProgress + waiting + other);
            lines.add(String.format("wave %d %s %d/%d succeeded, %d failed, %d in progress, %d waiting%s  %s%s",
                    wave.path("index").asInt(), LiveDisplay.bar(BAR, total, succeeded, failed, inProgress, other),
                    succeeded, total, failed, inProgress, waiting, other > 0 ? ", " + other + " skipped/cancelled" : "",
                    wave.path("status").asText(), wave.hasNonNull("gateDetail") ? " (" + wave.get("gateDetail").asText()
                            + ")" : ""));
        }
        for (int i = started; i < rollout.path("waveCount").asInt(); i++) {
            lines.add(String.format("wave %d %s not started", i, LiveDisplay.bar(BAR, 0, 0, 0, 0, 0)));
        }
        return lines;
    }
}
