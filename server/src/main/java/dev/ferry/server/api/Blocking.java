package dev.ferry.server.api;

import java.util.concurrent.Callable;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Runs database work off the event loop and writes JSON replies; shared by the route classes. */
final class Blocking {
    private final Vertx vertx;

    Blocking(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Unordered: independent requests may run their database work in parallel on worker threads. */
    <T> Future<T> run(Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }

    /** Sends a JSON reply; that of a mutating call once its audit entry is committed ({@link AuditRecording}). */
    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json");
        AuditRecording.send(ctx, null, () -> ctx.response().end(body.encode()));
    }

    /** Sends 204 No Content, as {@link #json} sends its reply. */
    static void noContent(RoutingContext ctx) {
        ctx.response().setStatusCode(204);
        AuditRecording.send(ctx, null, () -> ctx.response().end());
    }
}
