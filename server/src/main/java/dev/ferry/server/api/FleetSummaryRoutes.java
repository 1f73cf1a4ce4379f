package dev.ferry.server.api;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.ferry.server.auth.Principal;
import dev.ferry.server.device.DeviceCensus;
import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.rollout.RolloutStatus;
import dev.ferry.server.rollout.Rollouts;
import dev.ferry.server.update.UpdateRepository;
import dev.ferry.server.update.UpdateSession;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * What an operator's overview needs in one request: {@code GET /api/v1/fleet/summary} counts devices online and
 * offline, devices per model and firmware version, rollouts by status, and lists the newest failed update sessions;
 * {@code GET /api/v1/whoami} says which token is calling and its role, so a console shows only what it may do. A
 * token limited to a device tag sees its tag's devices and no rollouts (they span the fleet).
 */
final class FleetSummaryRoutes {
    static final String SUMMARY_PATH = "/api/v1/fleet/summary";
    static final String WHOAMI_PATH = "/api/v1/whoami";
    /** Model and version pairs listed; a fleet with more is shown by its largest groups. */
    static final int MAX_VERSIONS = 100;
    static final int RECENT_FAILURES = 10;
    /** Rollouts that may still touch devices. */
    private static final Set<RolloutStatus> ACTIVE = Set.of(RolloutStatus.SCHEDULED, RolloutStatus.RUNNING,
            RolloutStatus.PAUSED, RolloutStatus.ROLLING_BACK);

    private final DeviceCensus census;
    private final DeviceRepository devices;
    private final UpdateRepository updates;
    private final Rollouts rollouts;
    private final Blocking blocking;

    FleetSummaryRoutes(DeviceCensus census, DeviceRepository devices, UpdateRepository updates, Rollouts rollouts,
            Blocking blocking) {
        this.census = census;
        this.devices = devices;
        this.updates = updates;
        this.rollouts = rollouts;
        this.blocking = blocking;
    }

    List<ApiRoute> routes() {
        return List.of(ApiRoute.get(SUMMARY_PATH, this::summary).answers(200),
                ApiRoute.get(WHOAMI_PATH, this::whoami).answers(200));
    }

    private void summary(RoutingContext ctx) {
        DeviceFilter scope = GroupRoutes.scope(ctx);
        boolean fleetWide = Caller.deviceTag(ctx).isEmpty();
        blocking.run(() -> summary(scope, fleetWide)).onSuccess(json -> Blocking.json(ctx, 200, json))
                .onFailure(ctx::fail);
    }

    /** Blocking. */
    private JsonObject summary(DeviceFilter scope, boolean fleetWide) {
        DeviceCensus.Counts counts = census.counts(scope);
        JsonArray versions = new JsonArray();
        for (DeviceCensus.VersionCount v : census.firmwareVersions(scope, MAX_VERSIONS)) {
            versions.add(new JsonObject().put("model", v.model()).put("firmwareVersion", v.firmwareVersion())
                    .put("devices", v.devices()));
        }
        JsonArray failures = new JsonArray();
        for (UpdateSession s : updates.recentFailures(devices.endpointsMatching(scope), RECENT_FAILURES)) {
            failures.add(new JsonObject().put("endpoint", s.endpoint()).put("updateId", s.id())
                    .put("firmwareId", s.firmwareId())
                    .put("failureReason", s.failureReason() == null ? null : s.failureReason().wireName())
                    .put("message", s.failureReason() == null ? s.detail() : s.failureReason().description()
                            + (s.detail() == null ? "" : ": " + s.detail()))
                    .put("endedAt", s.finishedAt().toInstant().toString()));
        }
        return new JsonObject()
                .put("devices", new JsonObject().put("total", counts.total()).put("online", counts.online())
                        .put("offline", counts.offline()))
                .put("firmware", versions)
                .put("rollouts", fleetWide ? rolloutCounts(rollouts.countByStatus()) : null)
                .put("recentFailures", failures);
    }

    private static JsonObject rolloutCounts(Map<String, Long> byStatus) {
        long active = 0;
        JsonObject statuses = new JsonObject();
        for (RolloutStatus status : RolloutStatus.values()) {
            long count = byStatus.getOrDefault(status.wireName(), 0L);
            statuses.put(status.wireName(), count);
            if (ACTIVE.contains(status)) {
                active += count;
            }
        }
        return new JsonObject().put("active", active).put("byStatus", statuses);
    }

    private void whoami(RoutingContext ctx) {
        Principal caller = Caller.of(ctx).orElseThrow(() -> new IllegalStateException("route without a caller"));
        Blocking.json(ctx, 200, new JsonObject().put("id", caller.tokenId()).put("name", caller.name())
                .put("role", caller.role().wireName()).put("deviceTag", caller.deviceTag().orElse(null)));
    }
}
