package dev.ferry.server.api;

import java.time.OffsetDateTime;

import dev.ferry.server.command.Command;
import dev.ferry.server.command.CommandJob;
import dev.ferry.server.command.CommandState;
import io.vertx.core.json.JsonObject;

/** Queued commands and fleet command jobs as the API shows them. */
final class CommandJson {
    private CommandJson() {
    }

    static String path(Command c) {
        return "/api/v1/devices/" + c.endpoint() + "/commands/" + c.id();
    }

    static String jobPath(long id) {
        return CommandRoutes.JOBS + "/" + id;
    }

    static JsonObject command(Command c) {
        JsonObject json = new JsonObject().put("id", c.id()).put("endpoint", c.endpoint())
                .put("kind", c.kind().wireName()).put("path", c.path());
        json.mergeIn(c.payload());
        JsonObject outcome = new JsonObject().put("responseCode", c.responseCode()).put("value", c.result())
                .put("error", c.error());
        return json.put("state", c.state().wireName()).put("attempts", c.attempts())
                .put("deadline", time(c.deadline())).put("jobId", c.jobId()).put("createdBy", c.createdBy())
                .put("createdAt", time(c.createdAt())).put("sentAt", time(c.sentAt()))
                .put("finishedAt", time(c.finishedAt())).put("outcome", outcome);
    }

    static JsonObject job(CommandJob j) {
        JsonObject counts = new JsonObject();
        for (CommandState state : CommandState.values()) {
            counts.put(state.wireName(), j.counts().getOrDefault(state, 0));
        }
        JsonObject json = new JsonObject().put("id", j.id()).put("kind", j.kind().wireName()).put("path", j.path());
        json.mergeIn(j.payload());
        return json.put("target", j.target()).put("concurrency", j.concurrency()).put("devices", j.deviceCount())
                .put("counts", counts).put("finished", j.isFinished()).put("deadline", time(j.deadline()))
                .put("createdBy", j.createdBy()).put("createdAt", time(j.createdAt()))
                .put("cancelledAt", time(j.cancelledAt()));
    }

    private static String time(OffsetDateTime t) {
        return t == null ? null : t.toInstant().toString();
    }
}
