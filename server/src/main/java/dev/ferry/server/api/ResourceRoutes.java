package dev.ferry.server.api;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

import dev.ferry.server.lwm2m.DeviceResources;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** Read (GET), write (PUT) and execute (POST) one resource of a registered device. */
final class ResourceRoutes {
    static final String PATH = "/api/v1/devices/:endpoint/resources/:objectId/:instanceId/:resourceId";
    static final int MAX_ID = 65535;

    private final DeviceResources resources;
    private final Predicate<String> provisioned;
    private final Duration defaultTimeout;

    ResourceRoutes(DeviceResources resources, Predicate<String> provisioned, Duration defaultTimeout) {
        this.resources = resources;
        this.provisioned = provisioned;
        this.defaultTimeout = defaultTimeout;
    }

    void mount(Router router) {
        router.get(PATH).handler(this::read);
        router.put(PATH).handler(this::write);
        router.post(PATH).handler(this::execute);
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
                .onSuccess(done -> ctx.response().setStatusCode(204).end())
                .onFailure(ctx::fail);
    }

    private void execute(RoutingContext ctx) {
        Target t = target(ctx);
        JsonObject body = JsonInput.optionalObject(ctx);
        JsonInput.allowOnly(body, "the execute", "arguments");
        String arguments = JsonInput.optString(body, "arguments", "");
        await(ctx, resources.execute(t.endpoint, t.objectId, t.instanceId, t.resourceId, arguments, t.timeout))
                .onSuccess(done -> ctx.response().setStatusCode(204).end())
                .onFailure(ctx::fail);
    }

    private Target target(RoutingContext ctx) {
        Target target = Target.of(ctx, defaultTimeout);
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
        static Target of(RoutingContext ctx, Duration defaultTimeout) {
            int timeoutMs = QueryParams.integer(ctx, "timeoutMs", (int) defaultTimeout.toMillis(), 100, 600_000);
            return new Target(ctx.pathParam("endpoint"), id(ctx, "objectId"), id(ctx, "instanceId"),
                    id(ctx, "resourceId"), Duration.ofMillis(timeoutMs));
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
