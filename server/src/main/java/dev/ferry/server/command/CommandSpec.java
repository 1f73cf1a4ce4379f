package dev.ferry.server.command;

import java.time.Duration;

import io.vertx.core.json.JsonObject;

/** What to send, as checked by {@link CommandSpecs}: kind, path, the kind's payload, and how long it may wait. */
public record CommandSpec(CommandKind kind, String path, JsonObject payload, Duration deadline) {
}
