package dev.ferry.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.api.ApiClient;
import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.Durations;
import dev.ferry.cli.api.Fields;
import dev.ferry.cli.api.Query;
import dev.ferry.cli.api.Table;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** API tokens (admin): list, create, revoke. */
@Command(name = "tokens", mixinStandardHelpOptions = true, description = "API tokens (admin): list, create, revoke.",
        subcommands = {TokensCommand.ListTokens.class, TokensCommand.Create.class, TokensCommand.Revoke.class})
public final class TokensCommand implements Runnable {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every token, oldest first (never their"
            + " values).")
    static final class ListTokens implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().get("/api/v1/tokens"), json -> {
                Table table = new Table("id", "name", "role", "device tag", "expires", "last used", "created by");
                for (JsonNode t : Fields.items(json)) {
                    table.row(Fields.text(t, "id"), Fields.text(t, "name"), Fields.text(t, "role"),
                            Fields.text(t, "deviceTag"), Fields.text(t, "expiresAt"), Fields.text(t, "lastUsedAt"),
                            Fields.text(t, "createdBy"));
                }
                table.print(api.out());
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Make a token; its value is printed"
            + " this once.", footer = {"", "Example:", "  ferry tokens create release-pipeline --role ci"
            + " --expires-in 90d"})
    static final class Create implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "NAME", description = "The token's name (who or what uses it).")
        String name;
        @Option(names = "--role", required = true, description = "viewer, operator, admin or ci.")
        String role;
        @Option(names = "--device-tag", paramLabel = "TAG", description = "Limit the token to devices with this tag.")
        String deviceTag;
        @Option(names = "--expires-in", paramLabel = "TIME", converter = Durations.class, description = "e.g. 90d.")
        Duration expiresIn;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = ApiClient.JSON.createObjectNode().put("name", name).put("role", role);
            if (deviceTag != null) {
                body.put("deviceTag", deviceTag);
            }
            if (expiresIn != null) {
                body.put("expiresInSeconds", expiresIn.toSeconds());
            }
            api.print(api.client().post("/api/v1/tokens", body), t -> {
                api.out().printf("created token %s (%s, role %s)%n", Fields.text(t, "id"), Fields.text(t, "name"),
                        Fields.text(t, "role"));
                api.out().println(t.path("value").asText());
                api.err().println("(the value above is shown only now: store it safely)");
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token; its next request is"
            + " refused.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ID", description = "The token id (see 'ferry tokens list').")
        String id;

        @Override
        public Integer call() throws Exception {
            api.client().delete("/api/v1/tokens/" + Query.segment(id));
            api.out().printf("revoked token %s%n", id);
            return ExitCodes.OK;
        }
    }
}
