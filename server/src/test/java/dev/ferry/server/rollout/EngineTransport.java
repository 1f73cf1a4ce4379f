package dev.ferry.server.rollout;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Until the rollout routes exist: answers the rollout calls {@link RolloutApi} makes straight from the server's
 * {@link Rollouts}, in the API's JSON shapes, and sends everything else over HTTP. To be removed once the routes are
 * on this branch.
 */
final class EngineTransport implements RolloutApi.Transport {
    private static final Pattern ONE = Pattern.compile("^/api/v1/rollouts/(\\d+)(?:/([a-z]+))?(?:\\?(.*))?$");

    private final TestServer server;

    EngineTransport(TestServer server) {
        this.server = server;
    }

    @Override
    public TestServer.Reply send(String method, String path, String body) {
        if (!path.startsWith(RolloutApi.ROLLOUTS)) {
            return server.send(method, path, body);
        }
        Rollouts rollouts = server.server().rollouts();
        try {
            if (method.equals("POST") && path.equals(RolloutApi.ROLLOUTS)) {
                RolloutSpec spec = RolloutPlanText.INSTANCE.read(complete(new JsonObject(body)).encode());
                return reply(201, rollout(rollouts.create(spec, "admin")));
            }
            Matcher m = ONE.matcher(path);
            if (!m.matches()) {
                throw new IllegalArgumentException("not answered without the routes: " + method + " " + path);
            }
            long id = Long.parseLong(m.group(1));
            String part = m.group(2);
            Map<String, String> query = query(m.group(3));
            if (method.equals("POST")) {
                return reply(200, rollout(rollouts.act(id, RolloutAction.fromWireName(part), "admin")));
            }
            if (part == null) {
                return reply(200, rollout(rollouts.find(id).orElseThrow(() -> new Rollouts.UnknownRolloutException(
                        id))));
            }
            JsonArray items = new JsonArray();
            switch (part) {
            case "waves" -> rollouts.waves(id).forEach(w -> items.add(new JsonObject().put("index", w.index())
                    .put("status", w.status().wireName()).put("planned", w.planned()).put("counts", counts(w.counts()))
                    .put("gateDetail", w.gateDetail()).put("startedAt", text(w.startedAt()))
                    .put("endedAt", text(w.endedAt()))));
            case "devices" -> rollouts.devices(id, Optional.ofNullable(query.get("state"))
                    .map(RolloutDeviceState::fromWireName), Optional.ofNullable(query.get("wave")).map(Integer::valueOf),
                    query.get("after"), Integer.parseInt(query.getOrDefault("limit", "100"))).forEach(d -> items.add(
                            new JsonObject().put("endpoint", d.endpoint()).put("wave", d.wave())
                                    .put("state", d.state().wireName()).put("attempts", d.attempts())
                                    .put("reason", d.reason()).put("detail", d.detail()).put("sessionId", d.sessionId())
                                    .put("previousVersion", d.previousVersion())
                                    .put("previousFirmwareId", d.previousFirmwareId())));
            case "history" -> rollouts.history(id, Long.parseLong(query.getOrDefault("after", "0")),
                    Integer.parseInt(query.getOrDefault("limit", "100"))).forEach(h -> items.add(new JsonObject()
                            .put("id", h.id()).put("scope", h.scope()).put("wave", h.wave()).put("endpoint", h.endpoint())
                            .put("from", h.from()).put("to", h.to()).put("detail", h.detail()).put("actor", h.actor())));
            default -> throw new IllegalArgumentException("no rollout part " + part);
            }
            return reply(200, new JsonObject().put("items", items));
        } catch (InvalidRolloutException e) {
            return reply(422, new JsonObject().put("detail", e.getMessage()));
        } catch (RolloutStateException e) {
            return reply(409, new JsonObject().put("detail", e.getMessage()));
        } catch (Rollouts.UnknownRolloutException e) {
            return reply(404, new JsonObject().put("detail", e.getMessage()));
        }
    }

    /** The stored plan text has every field; a request may leave out what has defaults. */
    private static JsonObject complete(JsonObject plan) {
        RolloutSpec.Gate g = RolloutSpec.Gate.DEFAULT;
        JsonObject gate = new JsonObject().put("successPercent", g.successPercent()).put("onSuccess", "next-wave")
                .put("errorPercent", g.errorPercent()).put("minFinished", g.minFinished()).put("onError", "pause")
                .put("deviceTimeoutSeconds", g.deviceTimeout().toSeconds()).put("soakSeconds", g.soak().toSeconds())
                .put("crashLoopRegistrations", g.crashLoopRegistrations());
        gate.mergeIn(plan.getJsonObject("gate", new JsonObject()));
        JsonObject retry = new JsonObject().put("on", new JsonArray().add("connection-lost").add("device-unreachable")
                .add("download-timeout")).put("maxAttempts", 3).put("backoffSeconds", 30).put("multiplier", 2.0);
        retry.mergeIn(plan.getJsonObject("retry", new JsonObject()));
        JsonObject target = plan.getJsonObject("target");
        JsonObject complete = plan.copy().put("gate", gate).put("retry", retry);
        complete.put("maxConcurrent", plan.getInteger("maxConcurrent", RolloutSpec.DEFAULT_MAX_CONCURRENT))
                .put("allowDowngrade", plan.getBoolean("allowDowngrade", false))
                .put("allowModelMismatch", plan.getBoolean("allowModelMismatch", false));
        if (target.containsKey("filter")) {
            complete.put("target", target);
        }
        return complete;
    }

    private static JsonObject rollout(Rollout r) {
        return new JsonObject().put("id", r.id()).put("name", r.name()).put("firmwareId", r.firmwareId())
                .put("status", r.status().wireName()).put("statusDetail", r.statusDetail())
                .put("currentWave", r.currentWave()).put("waveCount", r.waveCount()).put("counts", counts(r.counts()))
                .put("rollbackOf", r.rollbackOf()).put("rolledBackBy", r.rolledBackBy())
                .put("startedAt", text(r.startedAt())).put("finishedAt", text(r.finishedAt()));
    }

    private static JsonObject counts(Map<RolloutDeviceState, Integer> counts) {
        JsonObject json = new JsonObject();
        counts.forEach((state, n) -> json.put(state.wireName(), n));
        return json;
    }

    private static String text(Object time) {
        return time == null ? null : time.toString();
    }

    private static Map<String, String> query(String query) {
        Map<String, String> params = new java.util.HashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                params.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return params;
    }

    private static TestServer.Reply reply(int status, JsonObject body) {
        return new TestServer.Reply(status, "application/json", body.encode());
    }
}
