package dev.ferry.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.api.ApiClient;
import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.Fields;
import dev.ferry.cli.api.Query;
import dev.ferry.cli.api.Table;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The audit log (admin): who did what, chained by SHA-256. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "The audit log (admin): list entries,"
        + " verify the hash chain.", subcommands = {AuditCommand.ListEntries.class, AuditCommand.Verify.class})
public final class AuditCommand implements Runnable {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Audit entries, oldest first.")
    static final class ListEntries implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Option(names = "--actor", description = "Only entries of this token name.")
        String actor;
        @Option(names = "--target", description = "Only entries for this target, e.g. device:dev-1.")
        String target;
        @Option(names = "--action", description = "Only this action, e.g. 'POST /api/v1/devices'.")
        String action;
        @Option(names = "--since", paramLabel = "TIME", description = "At or after this time (RFC 3339).")
        String since;
        @Option(names = "--until", paramLabel = "TIME", description = "Before this time (RFC 3339).")
        String until;
        @Option(names = "--after", paramLabel = "SEQUENCE", description = "After this sequence number (the previous"
                + " page's next).")
        Long after;
        @Option(names = "--limit", description = "1 to 1000 (API default 100).")
        Integer limit;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().get(Query.of().add("actor", actor).add("target", target).add("action", action)
                    .add("since", since).add("until", until).add("after", after).add("limit", limit)
                    .to("/api/v1/audit")), json -> {
                Table table = new Table("seq", "time", "actor", "action", "target", "outcome");
                for (JsonNode e : Fields.items(json)) {
                    JsonNode who = e.path("actor");
                    table.row(Fields.text(e, "sequence"), Fields.text(e, "time"),
                            who.path("name").asText("-") + " (" + who.path("role").asText("-") + ")",
                            Fields.text(e, "action"), Fields.text(e, "target"), Fields.text(e, "outcome"));
                }
                table.print(api.out());
                if (json.hasNonNull("next")) {
                    api.out().printf("next page: --after %s%n", json.get("next").asText());
                }
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Recompute the audit log's hash chain on"
            + " the server; exits " + ExitCodes.REFUSED + " when it is broken.")
    static final class Verify implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @Override
        public Integer call() throws Exception {
            ApiClient.Response answer = api.client().get("/api/v1/audit/verify");
            JsonNode result = answer.json();
            api.print(answer, r -> {
                if (r.path("valid").asBoolean()) {
                    JsonNode head = r.path("head");
                    api.out().printf("audit log valid: %d entries; head %s %s%n", r.path("entries").asLong(),
                            Fields.text(head, "sequence"), Fields.text(head, "hash"));
                } else {
                    api.out().printf("audit log BROKEN at entry %s: %s%n", Fields.text(r.path("firstBroken"),
                            "sequence"), Fields.text(r.path("firstBroken"), "reason"));
                }
            });
            return result.path("valid").asBoolean() ? ExitCodes.OK : ExitCodes.REFUSED;
        }
    }
}
