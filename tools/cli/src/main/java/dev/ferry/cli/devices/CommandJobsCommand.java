package dev.ferry.cli.devices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.ExitCodes;
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

/** Fleet command jobs: one command for every device of a group or filter, at a bounded concurrency. */
@Command(name = "job", mixinStandardHelpOptions = true, description = "One command for every device of a saved group"
        + " or filter, as one job.", subcommands = {CommandJobsCommand.Send.class, CommandJobsCommand.ListJobs.class,
        CommandJobsCommand.Show.class, CommandJobsCommand.Cancel.class})
final class CommandJobsCommand implements Runnable {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static void printJobs(ApiOptions api, Iterable<JsonNode> jobs) {
        Table table = new Table("id", "kind", "path", "devices", "counts", "finished", "created");
        for (JsonNode j : jobs) {
            table.row(Fields.text(j, "id"), Fields.text(j, "kind"), Fields.text(j, "path"), Fields.text(j, "devices"),
                    Fields.counts(j.path("counts")), j.path("finished").asBoolean() ? "yes" : "no",
                    Fields.text(j, "createdAt"));
        }
        table.print(api.out());
    }

    @Command(name = "send", mixinStandardHelpOptions = true, description = "Queue a command for every device the"
            + " target matches now.", footer = {"", "Example:", "  ferry commands job send --group hall-3 execute"
            + " /3/0/4 --concurrency 20"})
    static final class Send implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(index = "0", paramLabel = "KIND", description = "read, write, execute, write-attributes, observe"
                + " or cancel-observe.")
        String kind;
        @Parameters(index = "1", paramLabel = "PATH", description = "An LwM2M path, e.g. /3/0/4.")
        String path;
        @Mixin
        CommandOptions options;
        @Option(names = "--group", description = "Target: a saved group.")
        String group;
        @Option(names = "--tag", paramLabel = "TAG", description = "Target: devices with this tag (repeatable: all).")
        List<String> tags = List.of();
        @Option(names = "--concurrency", paramLabel = "N", description = "Devices with the command in flight at once.")
        Integer concurrency;

        @Override
        public Integer call() throws Exception {
            if ((group == null) == tags.isEmpty()) {
                throw new IllegalArgumentException("target either a --group or devices with --tag");
            }
            ObjectNode body = options.body(kind, path);
            ObjectNode target = body.putObject("target");
            if (group != null) {
                target.put("group", group);
            } else {
                tags.forEach(target.putObject("filter").putArray("tagsAll")::add);
            }
            if (concurrency != null) {
                body.put("concurrency", concurrency);
            }
            api.print(api.client().post("/api/v1/commands", body), j -> api.out().printf("job %s: %s %s queued for"
                    + " %s device(s)%n", Fields.text(j, "id"), kind, path, Fields.text(j, "devices")));
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Command jobs, newest first.")
    static final class ListJobs implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Option(names = "--limit", description = "At most this many (API default 100).")
        Integer limit;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().get(Query.of().add("limit", limit).to("/api/v1/commands")),
                    json -> printJobs(api, Fields.items(json)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "A job and its devices' commands.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ID", description = "The job id.")
        long id;

        @Override
        public Integer call() throws Exception {
            JsonNode devices = api.client().get("/api/v1/commands/" + id + "/devices").json();
            api.print(api.client().get("/api/v1/commands/" + id), j -> {
                printJobs(api, List.of(j));
                api.out().println();
                CommandsCommand.printCommands(api, Fields.items(devices));
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel the job's pending commands.")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ID", description = "The job id.")
        long id;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().delete("/api/v1/commands/" + id), j -> printJobs(api, List.of(j)));
            return ExitCodes.OK;
        }
    }
}
