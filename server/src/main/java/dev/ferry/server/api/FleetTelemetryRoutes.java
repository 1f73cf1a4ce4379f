package dev.ferry.server.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jooq.Record1;
import org.jooq.Select;

import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.device.DeviceGroups;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.telemetry.FleetTelemetry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * One path across a group or the whole fleet ({@code GET /api/v1/telemetry}): an aggregate per bucket of time
 * over every value its devices reported, with how many devices reported in each. A token limited to a device tag
 * sees only its tag's devices. Database work runs on worker threads.
 */
final class FleetTelemetryRoutes {
    static final String PATH = "/api/v1/telemetry";

    private final FleetTelemetry fleet;
    private final DeviceRepository devices;
    private final DeviceGroups groups;
    private final Blocking blocking;

    FleetTelemetryRoutes(FleetTelemetry fleet, DeviceRepository devices, DeviceGroups groups, Blocking blocking) {
        this.fleet = fleet;
        this.devices = devices;
        this.groups = groups;
        this.blocking = blocking;
    }

    List<ApiRoute> routes() {
        return List.of(ApiRoute.get(PATH, this::query).query("path", "group", "from", "to", "step", "agg", "limit")
                .answers(200, 404));
    }

    private void query(RoutingContext ctx) {
        TelemetryTimes.Window window = TelemetryTimes.window(ctx);
        String aggregateName = QueryParams.string(ctx, "agg");
        FleetTelemetry.Aggregate aggregate = aggregateName == null ? FleetTelemetry.Aggregate.AVG
                : FleetTelemetry.Aggregate.named(aggregateName);
        if (aggregate == null) {
            throw ApiProblem.badRequest("query parameter agg must be one of avg, min, max, sum, count, got '"
                    + aggregateName + "'");
        }
        String path = window.path();
        Instant from = window.from();
        Instant to = window.to();
        Duration step = window.step();
        int limit = window.limit();
        String group = QueryParams.string(ctx, "group");
        DeviceFilter scope = GroupRoutes.scope(ctx);
        JsonObject answer = new JsonObject().put("path", path).put("group", group).put("from", from.toString())
                .put("to", to.toString()).put("step", (step == null ? Duration.between(from, to) : step).toString())
                .put("agg", aggregate.name().toLowerCase(java.util.Locale.ROOT));
        blocking.run(() -> fleet.buckets(members(group, scope), path, from, to, step, aggregate, limit))
                .onSuccess(buckets -> {
                    JsonArray items = new JsonArray();
                    buckets.forEach(b -> items.add(new JsonObject().put("start", b.start().toString())
                            .put("devices", b.devices()).put("points", b.points()).put("value", b.value())));
                    Blocking.json(ctx, 200, answer.put("buckets", items).put("truncated", buckets.size() == limit));
                }).onFailure(ctx::fail);
    }

    /** The devices asked about: the group's members, or every device, within the caller's scope. Blocking. */
    private Select<Record1<String>> members(String group, DeviceFilter scope) {
        if (group == null) {
            return devices.endpointsMatching(scope);
        }
        return groups.memberEndpoints(groups.find(group).orElseThrow(() -> ApiProblem.notFound("no group named '"
                + group + "'; GET /api/v1/groups lists them, or leave group out to ask about the whole fleet")),
                scope);
    }
}
