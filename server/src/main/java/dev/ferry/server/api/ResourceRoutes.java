package dev.ferry.server.api;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

import dev.ferry.server.lwm2m.DeviceResources;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Read (GET), write (PUT) and execute (POST) one resource of a registered device; read a whole object or object
 * instance (GET).
 */
final class ResourceRoutes {
    static final String OBJECT_PATH = "/api/v1/devices/:endpoint/resources/:objectId";
    static final String INSTANCE_PATH = OBJECT_PATH + "/:instanceId";
    static final String PATH = INSTANCE_PATH + "/:resourceId";
    static final int MAX_ID = 65535;

    private final DeviceResources resources;
    private final Predicate<String> provisioned;
    private final Duration defaultTimeout;

    ResourceRoutes(DeviceResources resources, Predicate<String> provisioned, Duration defaultTimeout) {
        this.resources = resources;
        this.provisioned = provisioned;
        this.defaultTimeout = defaultTimeout;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get(OBJECT_PATH, this::readObject).query("timeoutMs").answers(answers(200)),
                ApiRoute.get(INSTANCE_PATH, this::readInstance).query("timeoutMs").answers(answers(200)),
                ApiRoute.get(PATH, this::read).query("timeoutMs").answers(answers(200)),
                ApiRoute.put(PATH, this::write).query("timeoutMs").answers(answers(204)),
                ApiRoute.post(PATH, ApiRoute.Body.JSON, this::execute).query("timeoutMs").answers(answers(204)));
    }

    /** Success, plus what a device request can end in: unknown, refused, offline, unreachable, timed out. */
    private static Integer[] answers(int success) {
        return new Integer[] {success, 403, 404, 405, 409, 415, 502, 504};
    }

    /** The HTTP methods that carry out the LwM2M operations a resource allows ("R", "RW", "E", ...). */
    static String allowedMethods(String operations) {
        List<String> methods = new java.util.ArrayList<>();
        if (operations.contains("R")) {
            methods.add("GET");
            methods.add("HEAD");
        }
        if (operations.contains("W")) {
            methods.add("PUT");
        }
        if (operations.contains("E")) {
            methods.add("POST");
        }
        return String.join(", ", methods);
    }

    private void readObject(RoutingContext ctx) {
        Target t = target(ctx, false, false);
        await(ctx, resources.readNode(t.endpoint, t.objectId, null, t.timeout))
                .onSuccess(node -> Blocking.json(ctx, 200, new JsonObject(node)))
                .onFailure(ctx::fail);
    }

    private void readInstance(RoutingContext ctx) {
        Target t = target(ctx, true, false);
        await(ctx, resources.readNode(t.endpoint, t.objectId, t.instanceId, t.timeout))
                .onSuccess(node -> Blocking.json(ctx, 200, new JsonObject(node)))
                .onFailure(ctx::fail);
    }

    private void read(RoutingContext ctx) {
        Target t = target(ctx);
        await(ctx, resources.read(t.endpoint, t.objectId, t.instanceId, t.resourceId, t.timeout))
                .onSuccess(value -> Blocking.json(ctx, 200, new JsonObject().put("path", value.path())
                        .put("type", value.type()).put("value", value.value())))
                .onFailure(ctx::fail);
    }

    private void write(RoutingContext ctx) {
        Target t = target(ctx);
        JsonObject body = JsonInput.requireObject(ctx);
        JsonInput.allowOnly(body, "the write", "value");
        if (!body.containsKey("value") || body.getValue("value") == null) {
            throw ApiProblem.badRequest("\"value\" is required, e.g. {\"value\": 42}");
        }
        await(ctx, resources.write(t.endpoint, t.objectId, t.instanceId, t.resourceId, body.getValue("value"),
                t.timeout))
                .onSuccess(done -> Blocking.noContent(ctx))
                .onFailure(ctx::fail);
    }

    private void execute(RoutingContext ctx) {
        Target t = target(ctx);
        JsonObject body = JsonInput.optionalObject(ctx);
        JsonInput.allowOnly(body, "the execute", "arguments");
        String arguments = JsonInput.optString(body, "arguments", "");
        await(ctx, resources.execute(t.endpoint, t.objectId, t.instanceId, t.resourceId, arguments, t.timeout))
                .onSuccess(done -> Blocking.noContent(ctx))
                .onFailure(ctx::fail);
    }

    private Target target(RoutingContext ctx) {
        return target(ctx, true, true);
    }

    private Target target(RoutingContext ctx, boolean hasInstance, boolean hasResource) {
        Target target = Target.of(ctx, defaultTimeout, hasInstance, hasResource);
        if (!provisioned.test(target.endpoint)) {
            throw ApiProblem.unknownDevice(target.endpoint);
        }
        return target;
    }

    /** Completes on the request's own context, so the reply is written from the event loop that owns it. */
    private static <T> Future<T> await(RoutingContext ctx, CompletionStage<T> stage) {
        return Future.fromCompletionStage(stage, ctx.vertx().getOrCreateContext());
    }

    private record Target(String endpoint, int objectId, int instanceId, int resourceId, Duration timeout) {
        static Target of(RoutingContext ctx, Duration defaultTimeout, boolean hasInstance, boolean hasResource) {
            int timeoutMs = QueryParams.integer(ctx, "timeoutMs", (int) defaultTimeout.toMillis(), 100, 600_000);
            return new Target(ctx.pathParam("endpoint"), id(ctx, "objectId"), hasInstance ? id(ctx, "instanceId") : -1,
                    hasResource ? id(ctx, "resourceId") : -1, Duration.ofMillis(timeoutMs));
        }

        private static int id(RoutingContext ctx, String name) {
            String raw = ctx.pathParam(name);
            try {
                int value = Integer.parseInt(raw);
                if (value >= 0 && value <= MAX_ID) {
                    return value;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw ApiProblem.badRequest(name + " must be a whole number from 0 to " + MAX_ID + ", got '" + raw + "'");
        }
    }
}
