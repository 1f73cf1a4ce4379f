package dev.ferry.cli.devices;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.Durations;
import dev.ferry.cli.api.Fields;
import dev.ferry.cli.api.Query;
import dev.ferry.cli.api.Table;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** One path's stored values of a device, raw or downsampled. */
@Command(name = "telemetry", mixinStandardHelpOptions = true, description = "A device's stored values of one path,"
        + " oldest first; with --step, one bucket (min, max, avg, count, last) per step.",
        footer = {"", "Examples:", "  ferry telemetry sensor-1 /3303/0/5700 --since 1h",
                "  ferry telemetry sensor-1 /3303/0/5700 --since 7d --step 1h -o json"})
public final class TelemetryCommand implements Callable<Integer> {
    @Mixin
    ApiOptions api;
    @Parameters(index = "0", paramLabel = "ENDPOINT", description = "The device.")
    String endpoint;
    @Parameters(index = "1", paramLabel = "PATH", description = "An LwM2M resource path, e.g. /3303/0/5700.")
    String path;
    @Option(names = "--since", paramLabel = "TIME", defaultValue = "24h", converter = Durations.class,
            description = "How far back (default: ${DEFAULT-VALUE}).")
    Duration since;
    @Option(names = "--step", paramLabel = "TIME", converter = Durations.class, description = "Bucket size, e.g. 1m.")
    Duration step;
    @Option(names = "--limit", description = "At most this many values or buckets (API default 1000).")
    Integer limit;

    @Override
    public Integer call() throws Exception {
        Instant now = Instant.now();
        String query = Query.of().add("path", path).add("from", now.minus(since).toString()).add("to", now.toString())
                .add("step", step == null ? null : step.toString()).add("limit", limit)
                .to(DevicesCommand.path(endpoint) + "/telemetry");
        api.print(api.client().get(query), json -> {
            Table table;
            if (json.has("buckets") && json.get("buckets").isArray() && step != null) {
                table = new Table("start", "count", "min", "max", "avg", "last");
                for (JsonNode b : json.get("buckets")) {
                    table.row(Fields.text(b, "start"), Fields.text(b, "count"), Fields.text(b, "min"),
                            Fields.text(b, "max"), Fields.text(b, "avg"),
                            b.has("last") ? Fields.text(b, "last") : Fields.text(b, "lastText"));
                }
            } else {
                table = new Table("at", "type", "value");
                for (JsonNode v : json.path("values")) {
                    table.row(Fields.text(v, "at"), Fields.text(v, "type"),
                            v.has("value") ? Fields.text(v, "value") : Fields.text(v, "text"));
                }
            }
            table.print(api.out());
            if (json.path("truncated").asBoolean()) {
                api.out().println("(truncated by the limit: narrow --since or raise --limit)");
            }
        });
        return ExitCodes.OK;
    }
}
