package dev.ferry.cli.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.Fields;
import dev.ferry.cli.api.Query;
import dev.ferry.cli.api.Table;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Staged rollouts: create, list, show, the actions that move them on, and a live watch. */
@Command(name = "rollout", mixinStandardHelpOptions = true, description = "Staged rollouts of a firmware image to"
        + " many devices, in waves judged by gates.",
        subcommands = {RolloutCreate.class, RolloutCommand.ListRollouts.class, RolloutCommand.Show.class,
                RolloutCommand.Start.class, RolloutCommand.Pause.class, RolloutCommand.Resume.class,
                RolloutCommand.Promote.class, RolloutCommand.Cancel.class, RolloutCommand.Rollback.class,
                RolloutWatch.class, RolloutCommand.Delete.class})
public final class RolloutCommand implements Runnable {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static String path(long id) {
        return "/api/v1/rollouts/" + id;
    }

    static void summary(PrintWriter out, JsonNode r) {
        out.printf("rollout %s '%s': %s%s%n", Fields.text(r, "id"), Fields.text(r, "name"), Fields.text(r, "status"),
                r.hasNonNull("statusDetail") ? " (" + r.get("statusDetail").asText() + ")" : "");
        out.printf("  firmware %s, current wave %s (waves 0 to %d), counts %s%n", Fields.text(r, "firmwareId"),
                Fields.text(r, "currentWave"), r.path("waveCount").asInt() - 1,
                Fields.counts(r.path("counts")));
        out.printf("  next: %s%n", Fields.list(r, "allowedActions"));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Rollouts, newest first.")
    static final class ListRollouts implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Option(names = "--status", description = "draft, scheduled, running, paused, completed, cancelled,"
                + " rolling-back or rolled-back.")
        String status;
        @Option(names = "--offset", description = "Rollouts to skip.")
        Integer offset;
        @Option(names = "--limit", description = "At most this many (API default 100).")
        Integer limit;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().get(Query.of().add("status", status).add("offset", offset).add("limit", limit)
                    .to("/api/v1/rollouts")), json -> {
                Table table = new Table("id", "name", "status", "firmware", "wave", "counts", "created");
                for (JsonNode r : Fields.items(json)) {
                    table.row(Fields.text(r, "id"), Fields.text(r, "name"), Fields.text(r, "status"),
                            Fields.text(r, "firmwareId"), Fields.text(r, "currentWave") + " of 0-"
                                    + (r.path("waveCount").asInt() - 1), Fields.counts(r.path("counts")),
                            Fields.text(r, "createdAt"));
                }
                table.print(api.out());
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "A rollout: status, plan, counts and"
            + " waves.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ID", description = "The rollout id.")
        long id;

        @Override
        public Integer call() throws Exception {
            JsonNode waves = api.client().get(path(id) + "/waves").json();
            api.print(api.client().get(path(id)), r -> {
                summary(api.out(), r);
                api.out().printf("  plan: %s%n", r.path("plan"));
                for (String line : RolloutWatch.waveLines(r, waves)) {
                    api.out().println(line);
                }
            });
            return ExitCodes.OK;
        }
    }

    /** One action of the rollout state machine: POST /api/v1/rollouts/{id}/{action}. */
    abstract static class Action implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ID", description = "The rollout id.")
        long id;

        abstract String action();

        @Override
        public Integer call() throws Exception {
            api.print(api.client().action(path(id) + "/" + action()), r -> summary(api.out(), r));
            return ExitCodes.OK;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start a draft (now, or at its startAt).")
    static final class Start extends Action {
        String action() {
            return "start";
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause: no new update starts; running"
            + " ones finish.")
    static final class Pause extends Action {
        String action() {
            return "pause";
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused rollout.")
    static final class Resume extends Action {
        String action() {
            return "resume";
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Pass the current wave whatever its gate"
            + " says, and go on with the next.")
    static final class Promote extends Action {
        String action() {
            return "promote";
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Stop for good; unfinished updates are"
            + " cancelled where possible.")
    static final class Cancel extends Action {
        String action() {
            return "cancel";
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Put every device this rollout updated"
            + " back on its previous firmware, with the same waves and gates.")
    static final class Rollback extends Action {
        String action() {
            return "rollback";
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a draft.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ID", description = "The rollout id.")
        long id;

        @Override
        public Integer call() throws Exception {
            api.client().delete(path(id));
            api.out().printf("deleted rollout %d%n", id);
            return ExitCodes.OK;
        }
    }
}
