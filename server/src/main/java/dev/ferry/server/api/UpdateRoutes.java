package dev.ferry.server.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.ferry.server.update.Delivery;
import dev.ferry.server.update.UpdateRepository;
import dev.ferry.server.update.UpdateRequest;
import dev.ferry.server.update.UpdateService;
import dev.ferry.server.update.UpdateSession;
import dev.ferry.server.update.UpdateTransition;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Update sessions of one device: start, list with history, show, cancel. */
final class UpdateRoutes {
    static final int MAX_LISTED = 100;

    private final UpdateService updates;
    private final Blocking blocking;
    private final dev.ferry.server.distribution.DownloadProgress progress;

    UpdateRoutes(UpdateService updates, Blocking blocking, dev.ferry.server.distribution.DownloadProgress progress) {
        this.updates = updates;
        this.blocking = blocking;
        this.progress = progress;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.post("/api/v1/devices/:endpoint/updates", ApiRoute.Body.JSON, this::create)
                        .answers(201, 404, 409, 422),
                ApiRoute.get("/api/v1/devices/:endpoint/updates", this::list).answers(200),
                ApiRoute.get("/api/v1/devices/:endpoint/updates/:id", this::show).answers(200, 404),
                ApiRoute.post("/api/v1/devices/:endpoint/updates/:id/cancel", ApiRoute.Body.ACTION, this::cancel)
                        .answers(200, 404, 409));
    }

    private void create(RoutingContext ctx) {
        String endpoint = ctx.pathParam("endpoint");
        UpdateRequest request = updateRequest(JsonInput.requireObject(ctx));
        blocking.run(() -> updates.create(endpoint, request))
                .onSuccess(session -> {
                    ctx.response().putHeader("location", "/api/v1/devices/" + endpoint + "/updates/" + session.id());
                    Blocking.json(ctx, 201, json(session, null));
                })
                .onFailure(ctx::fail);
    }

    static UpdateRequest updateRequest(JsonObject body) {
        JsonInput.allowOnly(body, "the update", "firmwareId", "delivery", "deadlineSeconds", "allowModelMismatch",
                "allowDowngrade");
        Long id = wholeNumber(body, "firmwareId");
        if (id == null || id <= 0) {
            throw ApiProblem.badRequest("firmwareId is required: the id (a positive integer) of a published"
                    + " firmware image");
        }
        String deliveryName = JsonInput.optString(body, "delivery", "");
        Optional<Delivery> delivery = deliveryName == null ? Optional.empty()
                : Optional.of(Delivery.fromWireName(deliveryName).orElseThrow(() -> ApiProblem.badRequest(
                        "delivery '" + deliveryName + "' is not supported; use one of " + Delivery.allWireNames())));
        Long deadline = wholeNumber(body, "deadlineSeconds");
        return new UpdateRequest(id, delivery, deadline == null ? null : Duration.ofSeconds(deadline),
                flag(body, "allowModelMismatch"), flag(body, "allowDowngrade"));
    }

    /** An integer field as JSON gives it (no fraction, no exponent, within 64 bits); null when absent. */
    private static Long wholeNumber(JsonObject body, String field) {
        Object value = body.getValue(field);
        if (value == null) {
            return null;
        }
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        throw ApiProblem.badRequest(field + " must be a whole number, not " + (value instanceof Number
                ? value + " (fractions and numbers beyond 64 bits are not accepted)" : jsonType(value)));
    }

    private static boolean flag(JsonObject body, String field) {
        Object value = body.getValue(field);
        if (value != null && !(value instanceof Boolean)) {
            throw ApiProblem.badRequest(field + " must be true or false, not " + jsonType(value));
        }
        return Boolean.TRUE.equals(value);
    }

    private static String jsonType(Object value) {
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof Number) {
            return "a number";
        }
        return value instanceof JsonArray ? "an array" : "an object";
    }

    private void list(RoutingContext ctx) {
        String endpoint = ctx.pathParam("endpoint");
        UpdateRepository repository = updates.repository();
        blocking.run(() -> new JsonObject().put("items", new JsonArray(repository.forDevice(endpoint, MAX_LISTED)
                .stream().map(s -> json(s, repository)).toList())))
                .onSuccess(body -> Blocking.json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    private void show(RoutingContext ctx) {
        String endpoint = ctx.pathParam("endpoint");
        long id = sessionId(ctx);
        UpdateRepository repository = updates.repository();
        blocking.run(() -> repository.find(id).filter(s -> s.endpoint().equals(endpoint)))
                .onSuccess(found -> found.ifPresentOrElse(s -> Blocking.json(ctx, 200, json(s, repository)),
                        () -> ctx.fail(unknownSession(endpoint, id))))
                .onFailure(ctx::fail);
    }

    private void cancel(RoutingContext ctx) {
        String endpoint = ctx.pathParam("endpoint");
        long id = sessionId(ctx);
        UpdateRepository repository = updates.repository();
        blocking.run(() -> repository.find(id).filter(s -> s.endpoint().equals(endpoint)))
                .compose(found -> found.isEmpty() ? io.vertx.core.Future.failedFuture(unknownSession(endpoint, id))
                        : io.vertx.core.Future.fromCompletionStage(updates.cancel(id)))
                .onSuccess(session -> Blocking.json(ctx, 200, json(session, null)))
                .onFailure(ctx::fail);
    }

    private static long sessionId(RoutingContext ctx) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw ApiProblem.notFound("update ids are numbers, got '" + ctx.pathParam("id") + "'");
        }
    }

    private static ApiProblem unknownSession(String endpoint, long id) {
        return new ApiProblem(404, "unknown-update", "Unknown update", "device '" + endpoint
                + "' has no update " + id + "; list them with GET /api/v1/devices/" + endpoint + "/updates");
    }

    /**
     * How far the server has served the device an image over CoAP since the session began (object 5 reports no
     * progress of its own); null before the first block, for push and HTTP deliveries, and once the session ended.
     */
    private JsonObject download(UpdateSession s) {
        return progress.of(s.endpoint()).filter(p -> !p.at().isBefore(s.createdAt().toInstant()))
                .map(p -> new JsonObject().put("bytesServed", p.bytesServed()).put("totalBytes", p.totalBytes())
                        .put("at", p.at().toString()))
                .orElse(null);
    }

    /** The session, with its history when a repository is given (read on the caller's worker thread). */
    private JsonObject json(UpdateSession s, UpdateRepository history) {
        JsonObject json = new JsonObject()
                .put("id", s.id())
                .put("endpoint", s.endpoint())
                .put("firmwareId", s.firmwareId())
                .put("delivery", s.delivery().wireName())
                .put("state", s.state().wireName())
                .put("failureReason", s.failureReason() == null ? null : s.failureReason().wireName())
                .put("failureDescription", s.failureReason() == null ? null : s.failureReason().description())
                .put("detail", s.detail())
                .put("previousVersion", s.previousVersion())
                .put("attempts", s.attempts())
                .put("deadlineAt", s.deadlineAt() == null ? null : s.deadlineAt().toInstant().toString())
                .put("createdAt", s.createdAt().toInstant().toString())
                .put("updatedAt", s.updatedAt().toInstant().toString())
                .put("finishedAt", s.finishedAt() == null ? null : s.finishedAt().toInstant().toString())
                .put("download", s.finishedAt() == null ? download(s) : null);
        if (history != null) {
            JsonArray steps = new JsonArray();
            for (UpdateTransition t : history.history(s.id())) {
                steps.add(new JsonObject().put("state", t.state().wireName()).put("detail", t.detail())
                        .put("at", t.occurredAt().toInstant().toString()));
            }
            json.put("history", steps);
        }
        return json;
    }
}
