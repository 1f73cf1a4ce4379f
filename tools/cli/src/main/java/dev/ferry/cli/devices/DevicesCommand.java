package dev.ferry.cli.devices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.api.ApiClient;
import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.Fields;
import dev.ferry.cli.api.Query;
import dev.ferry.cli.api.Table;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The device registry: list, show, provision, tag, untag, delete. */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "List, provision, tag and delete devices.",
        subcommands = {DevicesCommand.ListDevices.class, DevicesCommand.Show.class, ProvisionCommand.class,
                DevicesCommand.Tag.class, DevicesCommand.Untag.class, DevicesCommand.Delete.class})
public final class DevicesCommand implements Runnable {

    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static String path(String endpoint) {
        return "/api/v1/devices/" + Query.segment(endpoint);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List devices, in endpoint order.",
            footer = {"", "Examples:", "  ferry devices list --tag hall-3 --online true",
                    "  ferry devices list --firmware-version '<2.0.0' --limit 500 -o json"})
    static final class ListDevices implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @Option(names = "--tag", description = "Only devices with this tag.")
        String tag;
        @Option(names = "--model", description = "Only devices that reported this model.")
        String model;
        @Option(names = "--online", arity = "1", paramLabel = "true|false", description = "Only online (true) or offline (false)"
                + " devices.")
        Boolean online;
        @Option(names = "--firmware-version", paramLabel = "VERSION", description = "An exact version (1.2.0) or a"
                + " range ('>=1.0.0 <2.0.0').")
        String firmwareVersion;
        @Option(names = "--search", description = "Substring of the endpoint (case-sensitive).")
        String search;
        @Option(names = "--group", description = "Only devices of this saved group.")
        String group;
        @Option(names = "--limit", defaultValue = "100", description = "Devices per page, 1 to 1000 (default:"
                + " ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--offset", description = "Devices to skip.")
        Integer offset;
        @Option(names = "--after", paramLabel = "ENDPOINT", description = "Start after this endpoint (the 'next'"
                + " of the previous page).")
        String after;

        @Override
        public Integer call() throws Exception {
            ApiClient.Response page = api.client().get(Query.of().add("tag", tag).add("model", model)
                    .add("online", online).add("firmwareVersion", firmwareVersion).add("search", search)
                    .add("group", group).add("limit", limit).add("offset", offset).add("after", after)
                    .to("/api/v1/devices"));
            api.print(page, json -> {
                Table table = new Table("endpoint", "online", "model", "firmware", "tags", "last seen");
                for (JsonNode d : Fields.items(json)) {
                    table.row(d.path("endpoint").asText(), d.path("online").asBoolean() ? "yes" : "no",
                            Fields.text(d, "model"), Fields.text(d, "firmwareVersion"), Fields.list(d, "tags"),
                            Fields.text(d, "lastSeen"));
                }
                table.print(api.out());
                int shown = json.path("items").size();
                String next = json.path("next").isTextual() ? json.get("next").asText() : null;
                api.out().printf("%d of %d device(s)%s%n", shown, json.path("total").asInt(),
                        next == null ? "" : "; next page: --after " + next);
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One device: registration, firmware,"
            + " update state, latest telemetry and recent events.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ENDPOINT", description = "The device.")
        String endpoint;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().get(path(endpoint)), d -> printDevice(api.out(), d));
            return ExitCodes.OK;
        }
    }

    static void printDevice(PrintWriter out, JsonNode d) {
        out.printf("Endpoint:      %s%n", d.path("endpoint").asText());
        out.printf("Online:        %s (last seen %s)%n", d.path("online").asBoolean() ? "yes" : "no",
                Fields.text(d, "lastSeen"));
        out.printf("Security:      %s%s%n", d.path("security").path("mode").asText(),
                d.path("security").hasNonNull("identity") ? ", identity " + d.path("security").get("identity").asText()
                        : "");
        out.printf("Tags:          %s%n", Fields.list(d, "tags"));
        out.printf("Model:         %s%n", Fields.text(d, "model"));
        out.printf("Manufacturer:  %s%n", Fields.text(d, "manufacturer"));
        out.printf("Serial number: %s%n", Fields.text(d, "serialNumber"));
        out.printf("Firmware:      %s%n", Fields.text(d, "firmwareVersion"));
        JsonNode fw = d.path("firmwareUpdate");
        if (fw.isObject()) {
            out.printf("Object 5:      state %s, result %s%n", Fields.text(fw, "state"), Fields.text(fw, "result"));
        }
        JsonNode registration = d.path("registration");
        if (registration.isObject()) {
            out.printf("Registration:  LwM2M %s, binding %s%s, lifetime %s s, from %s%n",
                    Fields.text(registration, "lwm2mVersion"), Fields.text(registration, "binding"),
                    registration.path("queueMode").asBoolean() ? " (queue mode)" : "",
                    Fields.text(registration, "lifetimeSeconds"), Fields.text(registration, "address"));
            out.printf("Objects:       %s%n", Fields.list(registration, "objects"));
        }
        if (d.path("metadata").size() > 0) {
            out.printf("Metadata:      %s%n", d.get("metadata"));
        }
        if (d.path("security").hasNonNull("key")) {
            out.printf("PSK key:       %s  (generated; shown only now, store it on the device)%n",
                    d.path("security").get("key").asText());
        }
        if (d.path("telemetry").size() > 0) {
            out.println("Telemetry (latest):");
            d.get("telemetry").fields().forEachRemaining(e -> out.printf("  %-20s %s  at %s%n", e.getKey(),
                    e.getValue().has("value") ? e.getValue().get("value").asText() : Fields.text(e.getValue(), "text"),
                    Fields.text(e.getValue(), "at")));
        }
        if (d.path("recentEvents").size() > 0) {
            out.println("Recent events:");
            for (JsonNode e : d.get("recentEvents")) {
                out.printf("  %s  %-13s %s%n", Fields.text(e, "at"), Fields.text(e, "type"), Fields.text(e, "detail"));
            }
        }
    }

    @Command(name = "tag", mixinStandardHelpOptions = true, description = "Add tags to a device (its other tags"
            + " stay).")
    static final class Tag implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(index = "0", paramLabel = "ENDPOINT", description = "The device.")
        String endpoint;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "TAG", description = "Tags.")
        List<String> tags;

        @Override
        public Integer call() throws Exception {
            return retag(api, endpoint, tags, true);
        }
    }

    @Command(name = "untag", mixinStandardHelpOptions = true, description = "Remove tags from a device.")
    static final class Untag implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(index = "0", paramLabel = "ENDPOINT", description = "The device.")
        String endpoint;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "TAG", description = "Tags.")
        List<String> tags;

        @Override
        public Integer call() throws Exception {
            return retag(api, endpoint, tags, false);
        }
    }

    /** The API replaces a device's tags whole: read them, change them, send them back. */
    private static int retag(ApiOptions api, String endpoint, List<String> tags, boolean add) throws Exception {
        JsonNode device = api.client().get(path(endpoint)).json();
        Set<String> current = new LinkedHashSet<>();
        device.path("tags").forEach(t -> current.add(t.asText()));
        Set<String> changed = new LinkedHashSet<>(current);
        if (add) {
            changed.addAll(tags);
        } else {
            changed.removeAll(tags);
        }
        ApiClient.Response answer;
        if (changed.equals(current)) {
            answer = api.client().get(path(endpoint));
        } else {
            ObjectNode body = ApiClient.JSON.createObjectNode();
            ArrayNode array = body.putArray("tags");
            new ArrayList<>(changed).forEach(array::add);
            answer = api.client().patch(path(endpoint), body);
        }
        api.print(answer, d -> api.out().printf("%s: tags %s%n", endpoint, Fields.list(d, "tags")));
        return ExitCodes.OK;
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deprovision devices: their"
            + " credentials are removed, their connections dropped, their registrations ended.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(arity = "1..*", paramLabel = "ENDPOINT", description = "The devices.")
        List<String> endpoints;

        @Override
        public Integer call() throws Exception {
            for (String endpoint : endpoints) {
                api.client().delete(path(endpoint));
                api.out().println("deleted " + endpoint);
            }
            return ExitCodes.OK;
        }
    }
}
