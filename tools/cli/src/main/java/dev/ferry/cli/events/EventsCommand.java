package dev.ferry.cli.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.Durations;
import dev.ferry.cli.api.EventStream;
import dev.ferry.cli.api.Fields;
import dev.ferry.cli.api.OutputFormat;
import dev.ferry.cli.api.Query;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Tails the server's live event stream, one line per event, until stopped (or --count / --for). */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = {"Follow the server's live event stream: one line per device event (registrations, updates,"
                + " rollouts, commands...). A dropped stream is resumed with Last-Event-ID, so nothing is missed.",
                "Runs until Ctrl-C, --count events or --for a time."},
        footer = {"", "Examples:", "  ferry events --type online,offline", "  ferry events --device sensor-1 -o json",
                "  ferry events --group hall-3 --type update,rollout --for 10m"})
public final class EventsCommand implements Callable<Integer> {
    @Mixin
    ApiOptions api;
    @Option(names = "--device", paramLabel = "ENDPOINT", description = "Only events of this device.")
    String device;
    @Option(names = "--group", paramLabel = "NAME", description = "Only events of the devices of this saved group.")
    String group;
    @Option(names = "--type", paramLabel = "TYPES", description = "Comma-separated: registered, updated,"
            + " deregistered, expired, provisioned, changed, deprovisioned, rejected, update, rollout, command,"
            + " telemetry, online, offline (default: every type).")
    String type;
    @Option(names = "--since-id", paramLabel = "ID", description = "First replay the events after this event id.")
    Long sinceId;
    @Option(names = "--count", paramLabel = "N", description = "Stop after N events.")
    Integer count;
    @Option(names = "--for", paramLabel = "TIME", converter = Durations.class, description = "Stop after this long.")
    Duration duration;
    @Option(names = "--idle-timeout", paramLabel = "TIME", defaultValue = "45s", converter = Durations.class,
            description = "Reopen a stream silent this long, heartbeats included (default: ${DEFAULT-VALUE}).")
    Duration idle;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = api.out();
        long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        int seen = 0;
        try (EventStream stream = EventStream.open(api.client(), Query.of().add("device", device).add("group", group)
                .add("type", type).to(""), sinceId == null ? null : sinceId.toString(), idle)) {
            while ((count == null || seen < count) && System.nanoTime() < end) {
                long left = Math.min(end - System.nanoTime(), Duration.ofSeconds(1).toNanos());
                EventStream.Event event = stream.next(Duration.ofNanos(Math.max(left, 1)));
                if (event == null) {
                    continue;
                }
                seen++;
                if (api.format() == OutputFormat.table) {
                    out.println(line(event));
                } else {
                    out.println(event.data()); // JSON lines: each event's data as the server sent it
                }
                out.flush();
            }
        }
        return ExitCodes.OK;
    }

    static String line(EventStream.Event event) {
        JsonNode data = event.json();
        if (event.type().equals("telemetry")) {
            return String.format("%s  telemetry     %s %s = %s", Fields.text(data, "at"), Fields.text(data, "endpoint"),
                    Fields.text(data, "path"), Fields.text(data, "value"));
        }
        if (event.type().equals("gap")) {
            return "(events up to id " + Fields.text(data, "id") + " were not replayed: " + event.data() + ")";
        }
        String online = data.has("online") ? (data.get("online").asBoolean() ? " [online]" : " [offline]") : "";
        return String.format("%s  %-13s %s%s  %s", Fields.text(data, "occurredAt"), event.type(),
                Fields.text(data, "endpoint"), online, Fields.text(data, "detail"));
    }
}
