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

/** Saved groups: named device filters that rollouts and command jobs can target. */
@Command(name = "groups", mixinStandardHelpOptions = true, description = "Saved groups: named device filters.",
        subcommands = {GroupsCommand.ListGroups.class, GroupsCommand.Show.class, GroupsCommand.Create.class,
                GroupsCommand.Edit.class, GroupsCommand.Delete.class, GroupsCommand.Members.class})
public final class GroupsCommand implements Runnable {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static String path(String name) {
        return "/api/v1/groups/" + Query.segment(name);
    }

    static void printGroups(ApiOptions api, Iterable<JsonNode> groups) {
        Table table = new Table("name", "devices", "filter", "description");
        for (JsonNode g : groups) {
            table.row(g.path("name").asText(), Fields.text(g, "deviceCount"), g.path("filter").toString(),
                    Fields.text(g, "description"));
        }
        table.print(api.out());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every saved group with its device count.")
    static final class ListGroups implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().get("/api/v1/groups"), json -> printGroups(api, Fields.items(json)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One group.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "NAME", description = "The group's name.")
        String name;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().get(path(name)), g -> printGroups(api, List.of(g)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "devices", mixinStandardHelpOptions = true, description = "The devices a group matches now.")
    static final class Members implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "NAME", description = "The group's name.")
        String name;
        @Option(names = "--limit", defaultValue = "100", description = "Devices per page (default: ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--after", paramLabel = "ENDPOINT", description = "Start after this endpoint.")
        String after;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().get(Query.of().add("limit", limit).add("after", after).to(path(name) + "/devices")),
                    json -> {
                        Table table = new Table("endpoint", "online", "model", "firmware", "tags");
                        for (JsonNode d : Fields.items(json)) {
                            table.row(d.path("endpoint").asText(), d.path("online").asBoolean() ? "yes" : "no",
                                    Fields.text(d, "model"), Fields.text(d, "firmwareVersion"), Fields.list(d, "tags"));
                        }
                        table.print(api.out());
                        api.out().printf("%d of %d device(s)%n", json.path("items").size(), json.path("total").asInt());
                    });
            return ExitCodes.OK;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Save a group: every condition given"
            + " must hold; none means every device.",
            footer = {"", "Example:", "  ferry groups create hall-3-meters --tag-all hall-3 --model meter-4"})
    static final class Create implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "NAME", description = "The group's name.")
        String name;
        @Option(names = "--description", description = "What the group is for.")
        String description;
        @Mixin
        FilterOptions filter;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = ApiClient.JSON.createObjectNode().put("name", name);
            if (description != null) {
                body.put("description", description);
            }
            body.set("filter", filter.filter());
            api.print(api.client().post("/api/v1/groups", body), g -> printGroups(api, List.of(g)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "edit", mixinStandardHelpOptions = true, description = {"Change a group's description, and/or"
            + " replace its filter whole (when any filter option is given).", "A filter cannot change while a rollout"
            + " that has not ended targets the group."})
    static final class Edit implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "NAME", description = "The group's name.")
        String name;
        @Option(names = "--description", description = "The new description; empty removes it.")
        String description;
        @Mixin
        FilterOptions filter;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = ApiClient.JSON.createObjectNode();
            if (description != null) {
                body.put("description", description);
            }
            if (filter.given()) {
                body.set("filter", filter.filter());
            }
            if (body.isEmpty()) {
                throw new IllegalArgumentException("nothing to change: give --description or filter options");
            }
            api.print(api.client().patch(path(name), body), g -> printGroups(api, List.of(g)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a group (its devices stay as"
            + " they are).")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "NAME", description = "The group's name.")
        String name;

        @Override
        public Integer call() throws Exception {
            api.client().delete(path(name));
            api.out().println("deleted group " + name);
            return ExitCodes.OK;
        }
    }
}
