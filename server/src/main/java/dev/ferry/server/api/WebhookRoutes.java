package dev.ferry.server.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;

import dev.ferry.server.auth.Principal;
import dev.ferry.server.device.DeviceGroups;
import dev.ferry.server.device.Names;
import dev.ferry.server.events.EventHub;
import dev.ferry.server.events.EventTypes;
import dev.ferry.server.events.Webhook;
import dev.ferry.server.events.WebhookDelivery;
import dev.ferry.server.events.WebhookSigner;
import dev.ferry.server.events.WebhookStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Webhooks: receivers told of device events as signed CloudEvents. The secret that signs them is in the answer to
 * the creation only.
 */
final class WebhookRoutes {
    static final String PATH = "/api/v1/webhooks";
    static final int RECENT_DELIVERIES = 20;
    static final int MAX_URL = 2000;

    private final WebhookStore store;
    private final EventHub hub;
    private final DeviceGroups groups;
    private final Runnable created;
    private final Blocking blocking;

    WebhookRoutes(WebhookStore store, EventHub hub, DeviceGroups groups, Runnable created, Blocking blocking) {
        this.store = store;
        this.hub = hub;
        this.groups = groups;
        this.created = created;
        this.blocking = blocking;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get(PATH, this::list).answers(200),
                ApiRoute.post(PATH, ApiRoute.Body.JSON, this::create).answers(201, 404),
                ApiRoute.get(PATH + "/:id", this::show).query("limit").answers(200, 404),
                ApiRoute.delete(PATH + "/:id", this::delete).answers(204, 404));
    }

    private void list(RoutingContext ctx) {
        blocking.run(() -> new JsonObject().put("items",
                new JsonArray(store.list().stream().map(WebhookRoutes::json).toList())))
                .onSuccess(body -> Blocking.json(ctx, 200, body)).onFailure(ctx::fail);
    }

    private void create(RoutingContext ctx) {
        JsonObject body = JsonInput.requireObject(ctx);
        JsonInput.allowOnly(body, "the webhook", "url", "types", "filter");
        String url = url(JsonInput.requireString(body, "url", ""));
        List<String> names = JsonInput.optStringList(body, "types", "");
        Set<String> types = types(names);
        JsonObject filter = JsonInput.optObject(body, "filter", "");
        String device = null;
        String group = null;
        if (filter != null) {
            JsonInput.allowOnly(filter, "filter", "device", "group");
            device = JsonInput.optString(filter, "device", "filter.");
            group = JsonInput.optString(filter, "group", "filter.");
            if (device != null && !Names.isEndpoint(device)) {
                throw ApiProblem.badRequest("filter.device '" + device + "' is no endpoint: " + Names.ENDPOINT_RULE);
            }
        }
        String creator = Caller.of(ctx).map(Principal::name).orElse(null);
        String device0 = device;
        String group0 = group;
        blocking.run(() -> {
            if (group0 != null && groups.find(group0).isEmpty()) {
                throw ApiProblem.notFound("filter.group: no group named '" + group0 + "'; list groups with GET"
                        + " /api/v1/groups");
            }
            // After the newest event the stream has made final: the webhook is sent what happens from now on.
            return store.create(url, types, device0, group0, creator, hub.horizon(), OffsetDateTime.now());
        }).onSuccess(made -> {
            created.run();
            ctx.response().putHeader("location", PATH + "/" + made.webhook().id());
            Blocking.json(ctx, 201, json(made.webhook()).put("secret", made.secret()).put("signature",
                    WebhookSigner.HEADER + ": t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" keyed with the"
                            + " secret>; refuse a t far from your clock"));
        }).onFailure(ctx::fail);
    }

    private void show(RoutingContext ctx) {
        long id = id(ctx);
        int limit = QueryParams.integer(ctx, "limit", RECENT_DELIVERIES, 1, 1000);
        blocking.run(() -> store.find(id).map(hook -> json(hook).put("deliveries",
                new JsonArray(store.recentDeliveries(id, limit).stream().map(WebhookRoutes::json).toList()))))
                .onSuccess(found -> {
                    if (found.isPresent()) {
                        Blocking.json(ctx, 200, found.get());
                    } else {
                        ctx.fail(unknown(id));
                    }
                }).onFailure(ctx::fail);
    }

    private void delete(RoutingContext ctx) {
        long id = id(ctx);
        blocking.run(() -> store.delete(id)).onSuccess(deleted -> {
            if (deleted) {
                Blocking.noContent(ctx);
            } else {
                ctx.fail(unknown(id));
            }
        }).onFailure(ctx::fail);
    }

    private static long id(RoutingContext ctx) {
        String raw = ctx.pathParam("id");
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw unknown(raw);
        }
    }

    private static ApiProblem unknown(Object id) {
        return ApiProblem.notFound("no webhook with id " + id + "; list webhooks with GET " + PATH);
    }

    private static String url(String text) {
        if (text.length() > MAX_URL) {
            throw ApiProblem.badRequest("url is longer than " + MAX_URL + " characters");
        }
        try {
            URI uri = new URI(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getUserInfo() == null && uri.getFragment() == null) {
                return text;
            }
        } catch (URISyntaxException e) {
            // answered below
        }
        throw ApiProblem.badRequest("url must be an absolute http:// or https:// URL with a host and no user"
                + " name or fragment, e.g. https://hooks.example.com/ferry; got '" + text + "'");
    }

    private static Set<String> types(List<String> names) {
        if (names == null || names.isEmpty()) {
            return Set.of();
        }
        if (names.contains(EventTypes.TELEMETRY)) {
            throw ApiProblem.badRequest("types: telemetry is not sent to webhooks (one delivery per stored value"
                    + " would outgrow any receiver); follow it on GET /api/v1/events/stream?type=telemetry");
        }
        try {
            return EventTypes.parse(String.join(",", names));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("types: " + e.getMessage());
        }
    }

    static JsonObject json(Webhook hook) {
        JsonObject filter = new JsonObject();
        if (hook.device() != null) {
            filter.put("device", hook.device());
        }
        if (hook.group() != null) {
            filter.put("group", hook.group());
        }
        return new JsonObject().put("id", hook.id()).put("url", hook.url())
                .put("types", new JsonArray(List.copyOf(hook.types()))).put("filter", filter)
                .put("enabled", hook.enabled()).put("disabledReason", hook.disabledReason())
                .put("createdBy", hook.createdBy()).put("createdAt", hook.createdAt().toInstant().toString());
    }

    private static JsonObject json(WebhookDelivery d) {
        JsonArray attempts = new JsonArray();
        for (WebhookDelivery.Attempt a : d.attemptLog()) {
            attempts.add(new JsonObject().put("attempt", a.attempt()).put("at", a.at().toInstant().toString())
                    .put("statusCode", a.statusCode()).put("error", a.error()).put("durationMs", a.durationMillis()));
        }
        return new JsonObject().put("id", d.id()).put("eventId", d.eventId()).put("eventType", d.eventType())
                .put("state", d.state()).put("attempts", d.attempts())
                .put("nextAttemptAt", "pending".equals(d.state()) ? d.nextAttemptAt().toInstant().toString() : null)
                .put("lastError", d.lastError()).put("createdAt", d.createdAt().toInstant().toString())
                .put("finishedAt", d.finishedAt() == null ? null : d.finishedAt().toInstant().toString())
                .put("attemptLog", attempts);
    }
}
