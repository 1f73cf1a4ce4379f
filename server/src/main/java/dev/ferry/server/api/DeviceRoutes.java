package dev.ferry.server.api;

import java.util.List;
import java.util.Optional;

import dev.ferry.server.device.Device;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.device.DeviceGroups;
import dev.ferry.server.device.DeviceQuery;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.device.Names;
import dev.ferry.server.device.ProvisionRequest;
import dev.ferry.server.device.ProvisioningService;
import dev.ferry.server.device.SecurityMode;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The device registry routes: list, show, provision, change, deprovision, event log. */
final class DeviceRoutes {
    static final int RECENT_EVENTS = 20;
    static final int MAX_EVENTS = 1000;

    private final DeviceRepository repository;
    private final ProvisioningService provisioning;
    private final DeviceGroups groups;
    private final Blocking blocking;

    DeviceRoutes(DeviceRepository repository, ProvisioningService provisioning, DeviceGroups groups,
            dev.ferry.server.telemetry.TelemetryQueries telemetry, Blocking blocking) {
        this.telemetry = telemetry;
        this.repository = repository;
        this.provisioning = provisioning;
        this.groups = groups;
        this.blocking = blocking;
    }

    private final dev.ferry.server.telemetry.TelemetryQueries telemetry;

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get("/api/v1/devices", this::list)
                        .query("tag", "model", "online", "firmwareVersion", "search", "offset", "limit", "after",
                                "tagsAll", "tagsAny", "endpointPrefix", "endpoints", "group")
                        .answers(200),
                ApiRoute.post("/api/v1/devices", ApiRoute.Body.JSON, this::provision).answers(201, 409),
                ApiRoute.get("/api/v1/devices/:endpoint", this::show).answers(200, 404),
                ApiRoute.patch("/api/v1/devices/:endpoint", this::change).answers(200, 404),
                ApiRoute.delete("/api/v1/devices/:endpoint", this::deprovision).answers(204, 404),
                ApiRoute.get("/api/v1/devices/:endpoint/events", this::deviceEvents).query("type", "limit")
                        .answers(200, 404),
                ApiRoute.get("/api/v1/events", this::allEvents).query("type", "limit").answers(200));
    }

    private void list(RoutingContext ctx) {
        DeviceQuery query = new DeviceQuery(scopedTag(ctx, QueryParams.name(ctx, "tag", Names::isTag, Names.TAG_RULE)),
                QueryParams.name(ctx, "model", Names::isModel, Names.MODEL_RULE),
                QueryParams.bool(ctx, "online"), null,
                QueryParams.string(ctx, "search"), QueryParams.integer(ctx, "offset", 0, 0, Integer.MAX_VALUE),
                QueryParams.integer(ctx, "limit", DeviceQuery.DEFAULT_LIMIT, 1, DeviceQuery.MAX_LIMIT),
                QueryParams.name(ctx, "after", Names::isEndpoint, Names.ENDPOINT_RULE));
        DeviceListFilter filter = DeviceListFilter.of(ctx);
        blocking.run(() -> page(query, filter.resolve(groups))).onSuccess(body -> Blocking.json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    /** A page of the list; {@code next} is the cursor for the following page, null after the last one. */
    private JsonObject page(DeviceQuery query, List<DeviceFilter> filters) {
        List<Device> devices = repository.list(query, filters);
        String next = devices.size() < query.limit() ? null : devices.get(devices.size() - 1).endpoint();
        return new JsonObject()
                .put("items", new io.vertx.core.json.JsonArray(devices.stream().map(DeviceJson::summary).toList()))
                .put("total", repository.count(query, filters)).put("offset", query.offset())
                .put("limit", query.limit()).put("next", next);
    }

    private void show(RoutingContext ctx) {
        String endpoint = ctx.pathParam("endpoint");
        blocking.run(() -> repository.find(endpoint)
                .map(device -> DeviceJson.detail(device, repository.events(endpoint, null, RECENT_EVENTS))
                        .put("telemetry", latestTelemetry(endpoint))))
                .onSuccess(found -> reply(ctx, 200, found, endpoint))
                .onFailure(ctx::fail);
    }

    /** The latest stored value of every path the device reported, by path. */
    private JsonObject latestTelemetry(String endpoint) {
        JsonObject latest = new JsonObject();
        telemetry.latest(endpoint).forEach(point -> latest.put(point.path(), TelemetryTimes.value(point)));
        return latest;
    }

    private void provision(RoutingContext ctx) {
        ProvisionRequest request = ProvisionBody.parse(JsonInput.requireObject(ctx));
        Caller.requireTag(ctx, request.tags(), "provision");
        blocking.run(() -> provisioning.provision(request))
                .onSuccess(result -> {
                    ctx.response().putHeader("location", "/api/v1/devices/" + result.device().endpoint());
                    Blocking.json(ctx, 201, DeviceJson.provisioned(result.device(), result.generatedPskKey()));
                })
                .onFailure(ctx::fail);
    }

    private void change(RoutingContext ctx) {
        String endpoint = ctx.pathParam("endpoint");
        JsonObject body = JsonInput.requireObject(ctx);
        JsonInput.allowOnly(body, "the change", "tags", "metadata");
        List<String> tags = JsonInput.optStringList(body, "tags", "");
        if (tags != null) {
            Caller.requireTag(ctx, tags, "tag");
        }
        JsonObject metadataPatch = JsonInput.optObject(body, "metadata", "");
        if (tags == null && metadataPatch == null) {
            throw ApiProblem.badRequest("nothing to change: send \"tags\" (replaces all tags) and/or \"metadata\""
                    + " (merged; a null value removes a key)");
        }
        blocking.run(() -> {
            Optional<String> metadata = Optional.empty();
            if (metadataPatch != null) {
                Optional<JsonObject> current = repository.find(endpoint).map(d -> new JsonObject(d.metadata()));
                if (current.isEmpty()) {
                    return Optional.<JsonObject>empty();
                }
                metadata = Optional.of(mergePatch(current.get(), metadataPatch).encode());
            }
            return provisioning.change(endpoint, tags, metadata.orElse(null))
                    .map(device -> DeviceJson.detail(device, repository.events(endpoint, null, RECENT_EVENTS)));
        }).onSuccess(found -> reply(ctx, 200, found, endpoint)).onFailure(ctx::fail);
    }

    private void deprovision(RoutingContext ctx) {
        String endpoint = ctx.pathParam("endpoint");
        blocking.run(() -> provisioning.deprovision(endpoint))
                .onSuccess(deleted -> {
                    if (deleted) {
                        Blocking.noContent(ctx);
                    } else {
                        ctx.fail(ApiProblem.unknownDevice(endpoint));
                    }
                })
                .onFailure(ctx::fail);
    }

    private void deviceEvents(RoutingContext ctx) {
        String endpoint = ctx.pathParam("endpoint");
        DeviceEventType type = eventType(ctx);
        int limit = QueryParams.integer(ctx, "limit", 100, 1, MAX_EVENTS);
        blocking.run(() -> repository.find(endpoint).isEmpty() && repository.events(endpoint, null, 1).isEmpty()
                ? Optional.<JsonObject>empty()
                : Optional.of(new JsonObject().put("items", DeviceJson.events(repository.events(endpoint, type, limit)))))
                .onSuccess(found -> reply(ctx, 200, found, endpoint))
                .onFailure(ctx::fail);
    }

    private void allEvents(RoutingContext ctx) {
        if (Caller.deviceTag(ctx).isPresent()) {
            throw Caller.outOfScope(ctx, "GET /api/v1/events spans the whole fleet; read the events of one device with"
                    + " GET /api/v1/devices/{endpoint}/events");
        }
        DeviceEventType type = eventType(ctx);
        int limit = QueryParams.integer(ctx, "limit", 100, 1, MAX_EVENTS);
        blocking.run(() -> new JsonObject().put("items", DeviceJson.events(repository.events(null, type, limit))))
                .onSuccess(body -> Blocking.json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    /**
     * The tag filter of a device list: a token limited to a tag lists only its devices, so its tag is the filter;
     * asking it for another tag is refused rather than answered with a list that could only be empty or wrong.
     */
    private static String scopedTag(RoutingContext ctx, String asked) {
        Optional<String> limit = Caller.deviceTag(ctx);
        if (limit.isEmpty() || asked == null || asked.equals(limit.get())) {
            return limit.orElse(asked);
        }
        throw Caller.outOfScope(ctx, "it lists only devices tagged '" + limit.get() + "'; leave out tag or give tag="
                + limit.get());
    }

    private static DeviceEventType eventType(RoutingContext ctx) {
        String type = QueryParams.string(ctx, "type");
        if (type == null) {
            return null;
        }
        try {
            return DeviceEventType.fromWireName(type);
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (DeviceEventType t : DeviceEventType.values()) {
                allowed.append(allowed.length() == 0 ? "" : ", ").append(t.wireName());
            }
            throw ApiProblem.badRequest("type must be one of " + allowed + "; got '" + type + "'");
        }
    }

    private static void reply(RoutingContext ctx, int status, Optional<JsonObject> found, String endpoint) {
        if (found.isPresent()) {
            Blocking.json(ctx, status, found.get());
        } else {
            ctx.fail(ApiProblem.unknownDevice(endpoint));
        }
    }

    /** RFC 7386 JSON merge patch: objects merge recursively, null removes a key, anything else replaces. */
    static JsonObject mergePatch(JsonObject target, JsonObject patch) {
        JsonObject result = target.copy();
        for (String key : patch.fieldNames()) {
            Object value = patch.getValue(key);
            if (value == null) {
                result.remove(key);
            } else if (value instanceof JsonObject object && result.getValue(key) instanceof JsonObject existing) {
                result.put(key, mergePatch(existing, object));
            } else {
                result.put(key, value);
            }
        }
        return result;
    }

    /** Parses the provisioning body; every malformed part is a 400 naming the field. */
    static final class ProvisionBody {
        private ProvisionBody() {
        }

        static ProvisionRequest parse(JsonObject body) {
            JsonInput.allowOnly(body, "the device", "endpoint", "security", "tags", "metadata");
            String endpoint = JsonInput.requireString(body, "endpoint", "");
            JsonObject security = JsonInput.optObject(body, "security", "");
            if (security == null) {
                throw ApiProblem.badRequest("security is required, e.g. {\"mode\": \"psk\"} (the server generates"
                        + " a key) or {\"mode\": \"none\"} for plain CoAP; modes: " + SecurityMode.allWireNames());
            }
            String modeName = JsonInput.requireString(security, "mode", "security.");
            SecurityMode mode = SecurityMode.fromWireName(modeName).orElseThrow(() -> ApiProblem.badRequest(
                    "security.mode '" + modeName + "' is not supported; use one of " + SecurityMode.allWireNames()));
            switch (mode) {
            case PSK -> JsonInput.allowOnly(security, "security (mode psk)", "mode", "identity", "key");
            case RPK -> JsonInput.allowOnly(security, "security (mode rpk)", "mode", "publicKey");
            default -> JsonInput.allowOnly(security, "security (mode " + modeName + ")", "mode");
            }
            JsonObject metadata = JsonInput.optObject(body, "metadata", "");
            return new ProvisionRequest(endpoint, mode, JsonInput.optString(security, "identity", "security."),
                    JsonInput.optHex(security, "key", "security."),
                    JsonInput.optBase64(security, "publicKey", "security."),
                    JsonInput.optStringList(body, "tags", ""), metadata == null ? null : metadata.encode());
        }
    }
}
