package dev.ferry.server.api;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import dev.ferry.server.auth.Principal;
import dev.ferry.server.device.Device;
import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.device.DeviceFilterJson;
import dev.ferry.server.device.DeviceGroup;
import dev.ferry.server.device.DeviceGroups;
import dev.ferry.server.device.DeviceQuery;
import dev.ferry.server.device.GroupException;
import dev.ferry.server.device.Names;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Saved groups: a named device filter, its members listed as they are now. A token limited to a device tag sees a
 * group's members (and their count) among its tag's devices only.
 */
final class GroupRoutes {
    static final String PATH = "/api/v1/groups";
    static final int MAX_DESCRIPTION = 1000;

    private final DeviceGroups groups;
    private final Blocking blocking;

    GroupRoutes(DeviceGroups groups, Blocking blocking) {
        this.groups = groups;
        this.blocking = blocking;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get(PATH, this::list).answers(200),
                ApiRoute.post(PATH, ApiRoute.Body.JSON, this::create).answers(201, 409, 422),
                ApiRoute.get(PATH + "/:name", this::show).answers(200, 404),
                ApiRoute.patch(PATH + "/:name", this::change).answers(200, 404, 409, 422),
                ApiRoute.delete(PATH + "/:name", this::delete).answers(204, 404, 409),
                ApiRoute.get(PATH + "/:name/devices", this::members).query("after", "limit").answers(200, 404));
    }

    private void list(RoutingContext ctx) {
        DeviceFilter scope = scope(ctx);
        blocking.run(() -> {
            JsonArray items = new JsonArray();
            groups.list().forEach(g -> items.add(json(g, groups.count(g, scope))));
            return new JsonObject().put("items", items);
        }).onSuccess(body -> Blocking.json(ctx, 200, body)).onFailure(e -> fail(ctx, e));
    }

    private void create(RoutingContext ctx) {
        JsonObject body = JsonInput.requireObject(ctx);
        BodyProblems problems = new BodyProblems();
        body.fieldNames().stream().filter(k -> !List.of("name", "description", "filter").contains(k)).sorted()
                .forEach(k -> problems.add(k, "is not a field of a group; a group has name, description and filter"));
        Object name = body.getValue("name");
        if (name == null) {
            problems.add("name", "is required: " + Names.ENDPOINT_RULE);
        } else if (!(name instanceof String text) || !Names.isEndpoint(text)) {
            problems.add("name", "'" + name + "' is not a group name: " + Names.ENDPOINT_RULE);
        }
        String description = description(body, problems);
        DeviceFilter filter = filter(body, problems, true);
        problems.throwIfAny("group not created");
        String creator = Caller.of(ctx).map(Principal::name).orElse(null);
        DeviceFilter scope = scope(ctx);
        blocking.run(() -> {
            DeviceGroup group = groups.create((String) name, description, filter, creator);
            return json(group, groups.count(group, scope));
        }).onSuccess(json -> {
            ctx.response().putHeader("location", PATH + "/" + json.getString("name"));
            Blocking.json(ctx, 201, json);
        }).onFailure(e -> fail(ctx, e));
    }

    private void show(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        DeviceFilter scope = scope(ctx);
        blocking.run(() -> {
            DeviceGroup group = groups.find(name).orElseThrow(() -> unknown(name));
            return json(group, groups.count(group, scope));
        }).onSuccess(json -> Blocking.json(ctx, 200, json)).onFailure(e -> fail(ctx, e));
    }

    private void change(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        JsonObject body = JsonInput.requireObject(ctx);
        BodyProblems problems = new BodyProblems();
        for (String key : new java.util.TreeSet<>(body.fieldNames())) {
            if (key.equals("name")) {
                problems.add("name", "a group cannot be renamed; create one with the new name and delete this one");
            } else if (!key.equals("description") && !key.equals("filter")) {
                problems.add(key, "is not a field that can be changed; send description and/or filter");
            }
        }
        if (!body.containsKey("description") && !body.containsKey("filter") && problems.isEmpty()) {
            problems.add("", "nothing to change: send description and/or filter (which replaces the whole filter)");
        }
        String description = description(body, problems);
        DeviceFilter filter = filter(body, problems, false);
        problems.throwIfAny("group not changed");
        DeviceFilter scope = scope(ctx);
        String newDescription = body.containsKey("description") && description == null ? "" : description;
        blocking.run(() -> {
            DeviceGroup group = groups.change(name, newDescription, filter);
            return json(group, groups.count(group, scope));
        }).onSuccess(json -> Blocking.json(ctx, 200, json)).onFailure(e -> fail(ctx, e));
    }

    private void delete(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        blocking.run(() -> {
            groups.delete(name);
            return true;
        }).onSuccess(done -> Blocking.noContent(ctx)).onFailure(e -> fail(ctx, e));
    }

    private void members(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        String after = QueryParams.name(ctx, "after", Names::isEndpoint, Names.ENDPOINT_RULE);
        int limit = QueryParams.integer(ctx, "limit", DeviceQuery.DEFAULT_LIMIT, 1, DeviceQuery.MAX_LIMIT);
        DeviceFilter scope = scope(ctx);
        blocking.run(() -> {
            DeviceGroup group = groups.find(name).orElseThrow(() -> unknown(name));
            List<Device> devices = groups.members(group, scope, after, limit);
            String next = devices.size() < limit ? null : devices.get(devices.size() - 1).endpoint();
            return new JsonObject().put("items", new JsonArray(devices.stream().map(DeviceJson::summary).toList()))
                    .put("total", groups.count(group, scope)).put("limit", limit).put("next", next);
        }).onSuccess(body -> Blocking.json(ctx, 200, body)).onFailure(e -> fail(ctx, e));
    }

    static JsonObject json(DeviceGroup group, int deviceCount) {
        return new JsonObject().put("name", group.name()).put("description", group.description())
                .put("filter", DeviceFilterJson.render(group.filter())).put("deviceCount", deviceCount)
                .put("createdBy", group.createdBy()).put("createdAt", time(group.createdAt()))
                .put("updatedAt", time(group.updatedAt()));
    }

    /** The devices a token limited to a device tag may see: those with its tag; everyone else sees all. */
    static DeviceFilter scope(RoutingContext ctx) {
        return Caller.deviceTag(ctx).map(tag -> new DeviceFilter(List.of(tag), null, null, null, null, null, null))
                .orElse(DeviceFilter.ALL);
    }

    private static String description(JsonObject body, BodyProblems problems) {
        Object value = body.getValue("description");
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text) || text.length() > MAX_DESCRIPTION) {
            problems.add("description", "must be a string of at most " + MAX_DESCRIPTION + " characters");
            return null;
        }
        return text;
    }

    private static DeviceFilter filter(JsonObject body, BodyProblems problems, boolean required) {
        Object value = body.getValue("filter");
        if (value == null && !required) {
            return null;
        }
        if (value != null && !(value instanceof JsonObject)) {
            problems.add("filter", "must be an object with any of " + String.join(", ", DeviceFilterJson.KEYS));
            return null;
        }
        return DeviceFilterJson.parse((JsonObject) value, "filter", problems::add);
    }

    private static ApiProblem unknown(String name) {
        return new ApiProblem(404, "unknown-group", "Unknown group",
                "no group named '" + name + "'; list groups with GET /api/v1/groups");
    }

    private static void fail(RoutingContext ctx, Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof GroupException e) {
            ctx.fail(switch (e.kind()) {
            case UNKNOWN -> new ApiProblem(404, "unknown-group", "Unknown group", e.getMessage());
            case EXISTS -> new ApiProblem(409, "group-exists", "Group exists", e.getMessage());
            case IN_USE -> new ApiProblem(409, "group-in-use", "Group in use", e.getMessage());
            });
        } else {
            ctx.fail(cause);
        }
    }

    private static String time(OffsetDateTime time) {
        return time == null ? null : time.toInstant().toString();
    }

    /** Every problem of a request body at once, answered as one 422 listing each field and what is wrong. */
    static final class BodyProblems {
        private final List<JsonObject> errors = new ArrayList<>();

        void add(String field, String reason) {
            errors.add(new JsonObject().put("field", field).put("reason", reason));
        }

        boolean isEmpty() {
            return errors.isEmpty();
        }

        void throwIfAny(String what) {
            if (errors.isEmpty()) {
                return;
            }
            StringBuilder detail = new StringBuilder(what).append(": ");
            for (int i = 0; i < errors.size(); i++) {
                JsonObject e = errors.get(i);
                String field = e.getString("field");
                detail.append(i == 0 ? "" : "; ").append(field.isEmpty() ? "" : field + " ").append(e.getString("reason"));
            }
            throw new ApiProblem(422, "invalid-group", "Invalid group", detail.toString())
                    .with("errors", new JsonArray(new ArrayList<>(errors)));
        }
    }

}
