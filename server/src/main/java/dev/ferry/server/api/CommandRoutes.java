package dev.ferry.server.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import dev.ferry.server.command.Command;
import dev.ferry.server.command.CommandConflictException;
import dev.ferry.server.command.CommandService;
import dev.ferry.server.command.CommandSpec;
import dev.ferry.server.command.CommandState;
import dev.ferry.server.command.InvalidCommandException;
import dev.ferry.server.command.UnknownCommandException;
import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.device.DeviceFilterJson;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Commands queued for one device ({@code /api/v1/devices/{endpoint}/commands}) and fleet command jobs
 * ({@code /api/v1/commands}): queue or create (202: committed, sent when the devices are reachable), list, show,
 * cancel. Every handler hands its database work to a worker thread.
 */
final class CommandRoutes {
    static final String DEVICE_COMMANDS = "/api/v1/devices/:endpoint/commands";
    static final String JOBS = "/api/v1/commands";
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final CommandService commands;
    private final Predicate<String> provisioned;
    private final Blocking blocking;

    CommandRoutes(CommandService commands, Predicate<String> provisioned, Blocking blocking) {
        this.commands = commands;
        this.provisioned = provisioned;
        this.blocking = blocking;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.post(DEVICE_COMMANDS, ApiRoute.Body.JSON, this::queue).answers(202, 404, 422),
                ApiRoute.get(DEVICE_COMMANDS, this::list).query("state", "before", "limit").answers(200, 404),
                ApiRoute.get(DEVICE_COMMANDS + "/:id", this::show).answers(200, 404),
                ApiRoute.delete(DEVICE_COMMANDS + "/:id", this::cancel).answers(200, 404, 409),
                ApiRoute.post(JOBS, ApiRoute.Body.JSON, fleetWide(this::createJob)).answers(202, 422),
                ApiRoute.get(JOBS, fleetWide(this::listJobs)).query("offset", "limit").answers(200),
                ApiRoute.get(JOBS + "/:id", fleetWide(this::showJob)).answers(200, 404),
                ApiRoute.delete(JOBS + "/:id", fleetWide(this::cancelJob)).answers(200, 404, 409),
                ApiRoute.get(JOBS + "/:id/devices", fleetWide(this::jobDevices)).query("state", "after", "limit")
                        .answers(200, 404));
    }

    /** A fleet job reaches devices of every tag, so a token limited to one tag may not use jobs. */
    private static Handler<RoutingContext> fleetWide(Handler<RoutingContext> handler) {
        return ctx -> {
            if (Caller.deviceTag(ctx).isPresent()) {
                throw Caller.outOfScope(ctx, "command jobs reach devices of every tag; queue commands per device"
                        + " or use a token without a tag limit");
            }
            handler.handle(ctx);
        };
    }

    private void queue(RoutingContext ctx) {
        String endpoint = device(ctx);
        CommandSpec spec = spec(JsonInput.requireObject(ctx));
        String actor = Caller.actor(ctx);
        blocking.run(() -> commands.queue(endpoint, spec, actor)).onSuccess(command -> {
            ctx.response().putHeader("location", CommandJson.path(command));
            Blocking.json(ctx, 202, CommandJson.command(command));
        }).onFailure(e -> ctx.fail(problem(e)));
    }

    private void list(RoutingContext ctx) {
        String endpoint = device(ctx);
        Optional<CommandState> state = state(ctx);
        long before = QueryParams.string(ctx, "before") == null ? Long.MAX_VALUE
                : QueryParams.integer(ctx, "before", 0, 1, Integer.MAX_VALUE);
        int limit = QueryParams.integer(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        blocking.run(() -> commands.list(endpoint, state, before, limit))
                .onSuccess(page -> Blocking.json(ctx, 200, new JsonObject()
                        .put("items", new JsonArray(page.stream().map(CommandJson::command).toList()))
                        .put("next", page.size() < limit ? null : page.get(page.size() - 1).id())))
                .onFailure(e -> ctx.fail(problem(e)));
    }

    private void show(RoutingContext ctx) {
        String endpoint = device(ctx);
        long id = id(ctx, "command");
        blocking.run(() -> commands.find(endpoint, id))
                .onSuccess(command -> Blocking.json(ctx, 200, CommandJson.command(command)))
                .onFailure(e -> ctx.fail(problem(e)));
    }

    private void cancel(RoutingContext ctx) {
        String endpoint = device(ctx);
        long id = id(ctx, "command");
        blocking.run(() -> commands.cancel(endpoint, id))
                .onSuccess(command -> Blocking.json(ctx, 200, CommandJson.command(command)))
                .onFailure(e -> ctx.fail(problem(e)));
    }

    private void createJob(RoutingContext ctx) {
        JsonObject body = JsonInput.requireObject(ctx);
        CommandSpec spec = spec(body, "target", "concurrency");
        JsonObject target = body.getValue("target") instanceof JsonObject t ? t : null;
        DeviceFilter filter = target(target);
        Integer concurrency = concurrency(body.getValue("concurrency"));
        String actor = Caller.actor(ctx);
        blocking.run(() -> commands.createJob(spec, target, filter, concurrency, actor)).onSuccess(job -> {
            ctx.response().putHeader("location", CommandJson.jobPath(job.id()));
            Blocking.json(ctx, 202, CommandJson.job(job));
        }).onFailure(e -> ctx.fail(problem(e)));
    }

    private void listJobs(RoutingContext ctx) {
        int offset = QueryParams.integer(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = QueryParams.integer(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        blocking.run(() -> commands.jobs(offset, limit))
                .onSuccess(page -> Blocking.json(ctx, 200, new JsonObject()
                        .put("items", new JsonArray(page.stream().map(CommandJson::job).toList()))
                        .put("nextOffset", page.size() < limit ? null : offset + page.size())))
                .onFailure(e -> ctx.fail(problem(e)));
    }

    private void showJob(RoutingContext ctx) {
        long id = id(ctx, "command job");
        blocking.run(() -> commands.job(id)).onSuccess(job -> Blocking.json(ctx, 200, CommandJson.job(job)))
                .onFailure(e -> ctx.fail(problem(e)));
    }

    private void cancelJob(RoutingContext ctx) {
        long id = id(ctx, "command job");
        blocking.run(() -> commands.cancelJob(id)).onSuccess(job -> Blocking.json(ctx, 200, CommandJson.job(job)))
                .onFailure(e -> ctx.fail(problem(e)));
    }

    private void jobDevices(RoutingContext ctx) {
        long id = id(ctx, "command job");
        Optional<CommandState> state = state(ctx);
        String after = QueryParams.string(ctx, "after");
        int limit = QueryParams.integer(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        blocking.run(() -> commands.jobDevices(id, state, after, limit))
                .onSuccess(page -> Blocking.json(ctx, 200, new JsonObject()
                        .put("items", new JsonArray(page.stream().map(CommandJson::command).toList()))
                        .put("next", page.size() < limit ? null : page.get(page.size() - 1).endpoint())))
                .onFailure(e -> ctx.fail(problem(e)));
    }

    private CommandSpec spec(JsonObject body, String... extra) {
        try {
            return commands.specs().parse(body, extra);
        } catch (InvalidCommandException e) {
            throw invalid(e.getMessage());
        }
    }

    /** {"group": name} or {"filter": {...}}: exactly one. */
    private static DeviceFilter target(JsonObject target) {
        if (target == null || target.size() != 1 || !(target.getValue("group") instanceof String
                || target.containsKey("filter"))) {
            throw invalid("\"target\" is required: {\"group\": \"<saved group>\"} or {\"filter\": {...}} with any of "
                    + DeviceFilterJson.KEYS);
        }
        if (target.containsKey("group")) {
            return null;
        }
        List<String> problems = new ArrayList<>();
        Object filter = target.getValue("filter");
        DeviceFilter parsed = DeviceFilterJson.parse(filter instanceof JsonObject f ? f : null, "target.filter",
                (field, message) -> problems.add(field + " " + message));
        if (parsed == null) {
            throw invalid(String.join("; ", problems));
        }
        return parsed;
    }

    private static Integer concurrency(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.intValue() < 1
                || n.intValue() > CommandService.MAX_CONCURRENCY) {
            throw invalid("\"concurrency\" must be a whole number from 1 to " + CommandService.MAX_CONCURRENCY
                    + ", got " + value);
        }
        return n.intValue();
    }

    private String device(RoutingContext ctx) {
        return QueryParams.provisionedEndpoint(ctx, provisioned);
    }

    private static Optional<CommandState> state(RoutingContext ctx) {
        String name = QueryParams.string(ctx, "state");
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(CommandState.fromWireName(name));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("query parameter state must be one of " + String.join(", ",
                    Arrays.stream(CommandState.values()).map(CommandState::wireName).toList()) + ", got '" + name
                    + "'");
        }
    }

    private static long id(RoutingContext ctx, String what) {
        String text = ctx.pathParam("id");
        try {
            long id = Long.parseLong(text);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // Answered below.
        }
        throw ApiProblem.badRequest(what + " ids are positive whole numbers, got '" + text + "'");
    }

    private static ApiProblem invalid(String detail) {
        return new ApiProblem(422, "invalid-command", "Command cannot be queued", detail + "; nothing was queued");
    }

    static Throwable problem(Throwable e) {
        if (e instanceof InvalidCommandException) {
            return invalid(e.getMessage());
        }
        if (e instanceof CommandConflictException) {
            return new ApiProblem(409, "command-state", "Command cannot be cancelled", e.getMessage());
        }
        if (e instanceof UnknownCommandException) {
            return ApiProblem.notFound(e.getMessage());
        }
        return e;
    }
}
