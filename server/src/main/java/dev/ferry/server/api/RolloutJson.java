package dev.ferry.server.api;

import java.time.OffsetDateTime;
import java.util.Map;

import dev.ferry.server.rollout.Rollout;
import dev.ferry.server.rollout.RolloutAction;
import dev.ferry.server.rollout.RolloutDevice;
import dev.ferry.server.rollout.RolloutDeviceState;
import dev.ferry.server.rollout.RolloutHistoryEntry;
import dev.ferry.server.rollout.RolloutSpecJson;
import dev.ferry.server.rollout.RolloutWave;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Rollouts, their waves, devices and history as the API shows them (schemas {@code Rollout...} in openapi.yaml). */
final class RolloutJson {
    private RolloutJson() {
    }

    static String path(long id) {
        return RolloutRoutes.PATH + "/" + id;
    }

    static JsonObject preview(dev.ferry.server.rollout.RolloutPreview p) {
        JsonObject skipped = new JsonObject();
        p.skipped().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> skipped.put(e.getKey(), e.getValue()));
        return new JsonObject().put("matched", p.matched()).put("eligible", p.eligible())
                .put("waveSizes", new io.vertx.core.json.JsonArray(p.waveSizes())).put("waveCount", p.waveCount())
                .put("skipped", skipped);
    }

    static JsonObject rollout(Rollout r) {
        return new JsonObject()
                .put("id", r.id())
                .put("name", r.name())
                .put("firmwareId", r.firmwareId())
                .put("status", r.status().wireName())
                .put("statusDetail", r.statusDetail())
                .put("allowedActions", new JsonArray(r.status().allowed().stream().map(RolloutAction::wireName)
                        .toList()))
                .put("currentWave", r.currentWave())
                .put("waveCount", r.waveCount())
                .put("counts", counts(r.counts()))
                .put("rollbackOf", r.rollbackOf())
                .put("rolledBackBy", r.rolledBackBy())
                .put("plan", r.spec() == null ? null : RolloutSpecJson.render(r.spec()))
                .put("createdBy", r.createdBy())
                .put("createdAt", time(r.createdAt()))
                .put("updatedAt", time(r.updatedAt()))
                .put("startedAt", time(r.startedAt()))
                .put("finishedAt", time(r.finishedAt()))
                .put("links", new JsonObject().put("self", path(r.id())).put("waves", path(r.id()) + "/waves")
                        .put("devices", path(r.id()) + "/devices").put("history", path(r.id()) + "/history"));
    }

    static JsonObject wave(RolloutWave w) {
        return new JsonObject()
                .put("index", w.index())
                .put("status", w.status().wireName())
                .put("planned", w.planned())
                .put("counts", counts(w.counts()))
                .put("gateDetail", w.gateDetail())
                .put("startedAt", time(w.startedAt()))
                .put("endedAt", time(w.endedAt()));
    }

    static JsonObject device(RolloutDevice d) {
        return new JsonObject()
                .put("endpoint", d.endpoint())
                .put("wave", d.wave())
                .put("state", d.state().wireName())
                .put("attempts", d.attempts())
                .put("reason", d.reason())
                .put("detail", d.detail())
                .put("sessionId", d.sessionId())
                .put("session", d.sessionId() == null ? null
                        : "/api/v1/devices/" + d.endpoint() + "/updates/" + d.sessionId())
                .put("previousVersion", d.previousVersion())
                .put("previousFirmwareId", d.previousFirmwareId())
                .put("nextAttemptAt", time(d.nextAttemptAt()))
                .put("updatedAt", time(d.updatedAt()));
    }

    static JsonObject history(RolloutHistoryEntry h) {
        return new JsonObject()
                .put("id", h.id())
                .put("scope", h.scope())
                .put("wave", h.wave())
                .put("endpoint", h.endpoint())
                .put("from", h.from())
                .put("to", h.to())
                .put("detail", h.detail())
                .put("actor", h.actor())
                .put("at", time(h.occurredAt()));
    }

    /** Every state, zeros included, so that a client need not know which are absent. */
    private static JsonObject counts(Map<RolloutDeviceState, Integer> counts) {
        JsonObject json = new JsonObject();
        for (RolloutDeviceState state : RolloutDeviceState.values()) {
            json.put(state.wireName(), counts == null ? 0 : counts.getOrDefault(state, 0));
        }
        return json;
    }

    private static String time(OffsetDateTime time) {
        return time == null ? null : time.toInstant().toString();
    }
}
