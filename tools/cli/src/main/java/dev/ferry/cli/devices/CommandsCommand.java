package dev.ferry.cli.devices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.api.ApiClient;
import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.Fields;
import dev.ferry.cli.api.Query;
import dev.ferry.cli.api.Table;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A device's command queue: LwM2M operations delivered when the device is reachable, in order. */
@Command(name = "commands", mixinStandardHelpOptions = true, description = "Queue LwM2M commands for a device and"
        + " see their outcomes.", subcommands = {CommandsCommand.Send.class, CommandsCommand.ListCommands.class,
        CommandsCommand.Show.class, CommandJobsCommand.class})
public final class CommandsCommand implements Runnable {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static void printCommands(ApiOptions api, Iterable<JsonNode> commands) {
        Table table = new Table("id", "device", "kind", "path", "state", "attempts", "created", "outcome");
        for (JsonNode c : commands) {
            JsonNode outcome = c.path("outcome");
            String result = outcome.hasNonNull("error") ? outcome.get("error").asText()
                    : outcome.hasNonNull("value") ? outcome.get("value").toString() : Fields.text(outcome, "responseCode");
            table.row(Fields.text(c, "id"), Fields.text(c, "endpoint"), Fields.text(c, "kind"), Fields.text(c, "path"), Fields.text(c, "state"),
                    Fields.text(c, "attempts"), Fields.text(c, "createdAt"), result);
        }
        table.print(api.out());
    }

    @Command(name = "send", mixinStandardHelpOptions = true, description = "Queue a command; an online device gets it"
            + " at once, a sleeping one when it wakes up.",
            footer = {"", "Examples:", "  ferry commands send sensor-1 read /3/0/9",
                    "  ferry commands send sensor-1 write /1/0/1 --value 600",
                    "  ferry commands send sensor-1 execute /3/0/4"})
    static final class Send implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(index = "0", paramLabel = "ENDPOINT", description = "The device.")
        String endpoint;
        @Parameters(index = "1", paramLabel = "KIND", description = "read, write, execute, write-attributes, observe"
                + " or cancel-observe.")
        String kind;
        @Parameters(index = "2", paramLabel = "PATH", description = "An LwM2M path, e.g. /3/0/9.")
        String path;
        @Mixin
        CommandOptions options;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = options.body(kind, path);
            api.print(api.client().post(DevicesCommand.path(endpoint) + "/commands", body),
                    c -> api.out().printf("queued command %s (%s %s) for %s: %s%n", Fields.text(c, "id"),
                            Fields.text(c, "kind"), Fields.text(c, "path"), endpoint, Fields.text(c, "state")));
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "A device's commands, newest first.")
    static final class ListCommands implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ENDPOINT", description = "The device.")
        String endpoint;
        @Option(names = "--state", description = "pending, sent, succeeded, failed, expired or cancelled.")
        String state;
        @Option(names = "--limit", defaultValue = "100", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().get(Query.of().add("state", state).add("limit", limit)
                    .to(DevicesCommand.path(endpoint) + "/commands")), json -> printCommands(api, Fields.items(json)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One command, its state and outcome.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(index = "0", paramLabel = "ENDPOINT", description = "The device.")
        String endpoint;
        @Parameters(index = "1", paramLabel = "ID", description = "The command id.")
        long id;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().get(DevicesCommand.path(endpoint) + "/commands/" + id),
                    c -> printCommands(api, List.of(c)));
            return ExitCodes.OK;
        }
    }
}
