package dev.ferry.server.command;

import java.time.OffsetDateTime;
import java.util.Map;

import io.vertx.core.json.JsonObject;

/**
 * A command sent to many devices, as stored, with the number of its device commands in each state.
 *
 * @param target {@code {"group": name}} or {@code {"filter": {...}}}, as given
 * @param concurrency how many of its devices may have the command in flight at once
 */
public record CommandJob(long id, CommandKind kind, String path, JsonObject payload, JsonObject target,
        int concurrency, int deviceCount, OffsetDateTime deadline, String createdBy, OffsetDateTime createdAt,
        OffsetDateTime cancelledAt, Map<CommandState, Integer> counts) {

    /** Whether every device command of the job has ended. */
    public boolean isFinished() {
        return counts.getOrDefault(CommandState.PENDING, 0) == 0 && counts.getOrDefault(CommandState.SENT, 0) == 0;
    }
}
