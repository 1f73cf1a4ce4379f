package dev.ferry.server.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import dev.ferry.server.rollout.InvalidRolloutException;
import dev.ferry.server.rollout.InvalidRolloutException.Problem;
import dev.ferry.server.rollout.Rollout;
import dev.ferry.server.rollout.RolloutAction;
import dev.ferry.server.rollout.RolloutDevice;
import dev.ferry.server.rollout.RolloutDeviceState;
import dev.ferry.server.rollout.RolloutHistoryEntry;
import dev.ferry.server.rollout.RolloutPlanCheck;
import dev.ferry.server.rollout.RolloutSpec;
import dev.ferry.server.rollout.RolloutSpecJson;
import dev.ferry.server.rollout.RolloutStateException;
import dev.ferry.server.rollout.RolloutStatus;
import dev.ferry.server.rollout.Rollouts;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Fleet rollouts: create (a draft), list, show, edit and delete drafts, take the actions of the state machine,
 * and read waves, devices and history. Every handler hands its work to a worker thread.
 */
final class RolloutRoutes {
    static final String PATH = "/api/v1/rollouts";
    static final String PREVIEW_PATH = PATH + ":preview";
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final Rollouts rollouts;
    private final RolloutPlanCheck check;
    private final Blocking blocking;

    RolloutRoutes(Rollouts rollouts, RolloutPlanCheck check, Blocking blocking) {
        this.rollouts = rollouts;
        this.check = check;
        this.blocking = blocking;
    }

    List<ApiRoute> routes() {
        List<ApiRoute> routes = new ArrayList<>(List.of(
                ApiRoute.post(PATH, ApiRoute.Body.JSON, fleetWide(this::create)).answers(201, 422),
                ApiRoute.post(PREVIEW_PATH, ApiRoute.Body.JSON, fleetWide(this::preview)).answers(200, 422),
                ApiRoute.get(PATH, fleetWide(this::list)).query("status", "offset", "limit").answers(200),
                ApiRoute.get(PATH + "/:id", fleetWide(this::show)).answers(200, 404),
                ApiRoute.patch(PATH + "/:id", fleetWide(this::edit)).answers(200, 404, 409, 422),
                ApiRoute.delete(PATH + "/:id", fleetWide(this::delete)).answers(204, 404, 409),
                ApiRoute.get(PATH + "/:id/waves", fleetWide(this::waves)).answers(200, 404),
                ApiRoute.get(PATH + "/:id/devices", fleetWide(this::devices)).query("state", "wave", "after", "limit")
                        .answers(200, 404),
                ApiRoute.get(PATH + "/:id/history", fleetWide(this::history)).query("after", "limit")
                        .answers(200, 404)));
        for (RolloutAction action : RolloutAction.values()) {
            routes.add(ApiRoute.post(PATH + "/:id/" + action.wireName(), ApiRoute.Body.ACTION,
                    fleetWide(ctx -> act(ctx, action))).answers(200, 404, 409));
        }
        return routes;
    }

    /**
     * A rollout reaches devices of every tag and lists them, so a token limited to one tag may not use rollouts
     * at all: what it could see or start would go beyond its tag.
     */
    private static Handler<RoutingContext> fleetWide(Handler<RoutingContext> handler) {
        return ctx -> {
            if (Caller.deviceTag(ctx).isPresent()) {
                throw Caller.outOfScope(ctx, "rollouts reach devices of every tag; use a token without a tag limit");
            }
            handler.handle(ctx);
        };
    }

    private void create(RoutingContext ctx) {
        JsonObject body = JsonInput.requireObject(ctx);
        String actor = Caller.actor(ctx);
        blocking.run(() -> rollouts.create(plan(body), actor))
                .onSuccess(rollout -> {
                    ctx.response().putHeader("location", RolloutJson.path(rollout.id()));
                    Blocking.json(ctx, 201, RolloutJson.rollout(rollout));
                })
                .onFailure(ctx::fail);
    }

    /** The plan judged as {@link #create} judges it, and what starting it now would do; nothing is stored. */
    private void preview(RoutingContext ctx) {
        JsonObject body = JsonInput.requireObject(ctx);
        blocking.run(() -> rollouts.preview(plan(body)))
                .onSuccess(preview -> Blocking.json(ctx, 200, RolloutJson.preview(preview)))
                .onFailure(ctx::fail);
    }

    /**
     * Edits a draft: each top-level field given replaces that field of the plan whole (a {@code null} removes an
     * optional one); the result is judged as a new plan would be.
     */
    private void edit(RoutingContext ctx) {
        long id = id(ctx);
        JsonObject changes = JsonInput.requireObject(ctx);
        if (changes.isEmpty()) {
            throw ApiProblem.badRequest("nothing to change; send the plan fields to replace");
        }
        String actor = Caller.actor(ctx);
        blocking.run(() -> {
            Rollout rollout = found(id);
            if (rollout.status() != RolloutStatus.DRAFT) {
                throw new RolloutStateException("rollout " + id + " is " + rollout.status().wireName()
                        + "; only a draft can be edited", rollout.status());
            }
            JsonObject plan = RolloutSpecJson.render(rollout.spec());
            changes.forEach(field -> {
                if (field.getValue() == null) {
                    plan.remove(field.getKey());
                } else {
                    plan.put(field.getKey(), field.getValue());
                }
            });
            return rollouts.edit(id, plan(plan), actor);
        }).onSuccess(rollout -> Blocking.json(ctx, 200, RolloutJson.rollout(rollout))).onFailure(ctx::fail);
    }

    /**
     * The plan of a request, or 422 with every problem: those of its shape and, for what could be read, those
     * of its sense, so that one answer lists them all. A plan whose shape is right is judged by the rollouts
     * themselves when they store it.
     */
    private RolloutSpec plan(JsonObject json) {
        List<Problem> problems = new ArrayList<>();
        RolloutSpec spec = RolloutSpecJson.parse(json, problems);
        if (problems.isEmpty()) {
            return spec;
        }
        List<Problem> shape = List.copyOf(problems);
        for (Problem problem : check.problems(spec)) {
            if (shape.stream().noneMatch(known -> related(known.field(), problem.field()))) {
                problems.add(problem);
            }
        }
        throw new InvalidRolloutException(problems);
    }

    /** Whether two field paths are about the same thing: equal, or one inside the other. */
    private static boolean related(String a, String b) {
        return a.equals(b) || inside(a, b) || inside(b, a);
    }

    private static boolean inside(String inner, String outer) {
        return inner.startsWith(outer) && (inner.charAt(outer.length()) == '.' || inner.charAt(outer.length()) == '[');
    }

    private void list(RoutingContext ctx) {
        Optional<RolloutStatus> status = Optional.ofNullable(QueryParams.string(ctx, "status"))
                .map(RolloutRoutes::status);
        int offset = QueryParams.integer(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = QueryParams.integer(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        blocking.run(() -> rollouts.list(status, offset, limit))
                .onSuccess(page -> Blocking.json(ctx, 200, new JsonObject()
                        .put("items", new JsonArray(page.stream().map(RolloutJson::rollout).toList()))
                        .put("nextOffset", page.size() < limit ? null : offset + page.size())))
                .onFailure(ctx::fail);
    }

    private void show(RoutingContext ctx) {
        long id = id(ctx);
        blocking.run(() -> found(id)).onSuccess(r -> Blocking.json(ctx, 200, RolloutJson.rollout(r)))
                .onFailure(ctx::fail);
    }

    private void delete(RoutingContext ctx) {
        long id = id(ctx);
        String actor = Caller.actor(ctx);
        blocking.run(() -> {
            rollouts.delete(id, actor);
            return null;
        }).onSuccess(done -> Blocking.noContent(ctx)).onFailure(ctx::fail);
    }

    private void act(RoutingContext ctx, RolloutAction action) {
        long id = id(ctx);
        String actor = Caller.actor(ctx);
        blocking.run(() -> rollouts.act(id, action, actor))
                .onSuccess(r -> Blocking.json(ctx, 200, RolloutJson.rollout(r))).onFailure(ctx::fail);
    }

    private void waves(RoutingContext ctx) {
        long id = id(ctx);
        blocking.run(() -> rollouts.waves(id))
                .onSuccess(waves -> Blocking.json(ctx, 200, new JsonObject()
                        .put("items", new JsonArray(waves.stream().map(RolloutJson::wave).toList()))))
                .onFailure(ctx::fail);
    }

    private void devices(RoutingContext ctx) {
        long id = id(ctx);
        Optional<RolloutDeviceState> state = Optional.ofNullable(QueryParams.string(ctx, "state"))
                .map(RolloutRoutes::deviceState);
        String waveText = QueryParams.string(ctx, "wave");
        Optional<Integer> wave = waveText == null ? Optional.empty()
                : Optional.of(QueryParams.integer(ctx, "wave", 0, 0, Integer.MAX_VALUE));
        String after = QueryParams.string(ctx, "after");
        int limit = QueryParams.integer(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        blocking.run(() -> rollouts.devices(id, state, wave, after, limit))
                .onSuccess(page -> Blocking.json(ctx, 200, new JsonObject()
                        .put("items", new JsonArray(page.stream().map(RolloutJson::device).toList()))
                        .put("next", page.size() < limit ? null : page.get(page.size() - 1).endpoint())))
                .onFailure(ctx::fail);
    }

    private void history(RoutingContext ctx) {
        long id = id(ctx);
        String afterText = QueryParams.string(ctx, "after");
        long after = afterText == null ? 0 : QueryParams.integer(ctx, "after", 0, 0, Integer.MAX_VALUE);
        int limit = QueryParams.integer(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        blocking.run(() -> rollouts.history(id, after, limit))
                .onSuccess(page -> Blocking.json(ctx, 200, new JsonObject()
                        .put("items", new JsonArray(page.stream().map(RolloutJson::history).toList()))
                        .put("next", page.size() < limit ? null : page.get(page.size() - 1).id())))
                .onFailure(ctx::fail);
    }

    private Rollout found(long id) {
        return rollouts.find(id).orElseThrow(() -> new Rollouts.UnknownRolloutException(id));
    }

    /** Rollout ids are positive whole numbers; anything else is a malformed request, not an unknown rollout. */
    private static long id(RoutingContext ctx) {
        String text = ctx.pathParam("id");
        try {
            long id = Long.parseLong(text);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // Answered below.
        }
        throw ApiProblem.badRequest("rollout ids are positive whole numbers, got '" + text
                + "'; list rollouts with GET " + PATH);
    }

    private static RolloutStatus status(String name) {
        try {
            return RolloutStatus.fromWireName(name);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("query parameter status must be one of " + String.join(", ",
                    Arrays.stream(RolloutStatus.values()).map(RolloutStatus::wireName).toList())
                    + ", got '" + name + "'");
        }
    }

    private static RolloutDeviceState deviceState(String name) {
        try {
            return RolloutDeviceState.fromWireName(name);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("query parameter state must be one of " + String.join(", ",
                    Arrays.stream(RolloutDeviceState.values()).map(RolloutDeviceState::wireName).toList())
                    + ", got '" + name + "'");
        }
    }

    /** The calling token's name, which the rollout's history and the audit log record. */

    /** The problem documents of the rollout exceptions; {@link Problems} hands them here. */
    static ApiProblem problem(RuntimeException e) {
        if (e instanceof InvalidRolloutException invalid) {
            JsonArray problems = new JsonArray();
            invalid.problems().forEach(p -> problems.add(new JsonObject().put("field", p.field())
                    .put("message", p.message())));
            return new ApiProblem(422, "invalid-rollout", "Rollout cannot be made", invalid.problems().size()
                    + " problem(s) with the plan; each is listed in problems with its field; nothing was created or"
                    + " changed").with("problems", problems);
        }
        if (e instanceof RolloutStateException state) {
            return new ApiProblem(409, "rollout-state", "Action does not apply", state.getMessage()
                    + "; allowed now: " + (state.allowed().isEmpty() ? "none" : String.join(", ",
                            state.allowed().stream().map(RolloutAction::wireName).toList())))
                    .with("rolloutStatus", state.status().wireName())
                    .with("allowedActions", new JsonArray(state.allowed().stream().map(RolloutAction::wireName)
                            .toList()));
        }
        return new ApiProblem(404, "unknown-rollout", "Unknown rollout", e.getMessage());
    }
}
