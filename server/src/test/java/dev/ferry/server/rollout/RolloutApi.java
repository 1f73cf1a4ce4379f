package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The rollout API as a test uses it: create, act, read rollouts, their waves, devices and history, and wait until
 * a rollout is in a given shape. Speaks HTTP through a {@link Transport}, so it serves a server in the test's JVM
 * and one in a process of its own alike.
 */
final class RolloutApi {
    static final String ROLLOUTS = "/api/v1/rollouts";

    /** One HTTP exchange with the server, admin token included. */
    @FunctionalInterface
    interface Transport {
        TestServer.Reply send(String method, String path, String body);
    }

    /** Blocks until something may have changed on the server (an event arrived), or at most {@code max}. */
    @FunctionalInterface
    interface Changes {
        void await(Duration max);
    }

    private final Transport http;
    private final Changes changes;

    RolloutApi(Transport http, Changes changes) {
        this.http = http;
        this.changes = changes;
    }

    TestServer.Reply send(String method, String path, String body) {
        return http.send(method, path, body);
    }

    /** Creates a rollout (a draft) and returns it; the request must succeed. */
    JsonObject create(RolloutPlan plan) {
        TestServer.Reply reply = http.send("POST", ROLLOUTS, plan.encode());
        assertThat(reply.status()).as("creating a rollout: " + reply.body()).isEqualTo(201);
        return reply.json();
    }

    /** Creates and starts a rollout; returns its id. */
    long start(RolloutPlan plan) {
        long id = create(plan).getLong("id");
        act(id, "start");
        return id;
    }

    /** Takes an action ({@code start}, {@code pause}, {@code promote}, {@code rollback}...); it must apply. */
    JsonObject act(long id, String action) {
        TestServer.Reply reply = http.send("POST", ROLLOUTS + "/" + id + "/" + action, "{}");
        assertThat(reply.status()).as(action + " rollout " + id + ": " + reply.body()).isEqualTo(200);
        return reply.json();
    }

    JsonObject rollout(long id) {
        TestServer.Reply reply = http.send("GET", ROLLOUTS + "/" + id, null);
        assertThat(reply.status()).as("rollout " + id + ": " + reply.body()).isEqualTo(200);
        return reply.json();
    }

    List<JsonObject> list(String query) {
        TestServer.Reply reply = http.send("GET", ROLLOUTS + query, null);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return items(reply.json());
    }

    List<JsonObject> waves(long id) {
        TestServer.Reply reply = http.send("GET", ROLLOUTS + "/" + id + "/waves", null);
        assertThat(reply.status()).as("waves of rollout " + id + ": " + reply.body()).isEqualTo(200);
        return items(reply.json());
    }

    /** Every device of the rollout, page after page; {@code query} as the API takes it ("state=failed"), or "". */
    List<JsonObject> devices(long id, String query) {
        List<JsonObject> all = new ArrayList<>();
        String after = null;
        while (true) {
            String path = ROLLOUTS + "/" + id + "/devices?limit=500" + (query.isEmpty() ? "" : "&" + query)
                    + (after == null ? "" : "&after=" + after);
            TestServer.Reply reply = http.send("GET", path, null);
            assertThat(reply.status()).as("devices of rollout " + id + ": " + reply.body()).isEqualTo(200);
            List<JsonObject> page = items(reply.json());
            all.addAll(page);
            if (page.size() < 500) {
                return all;
            }
            after = page.get(page.size() - 1).getString("endpoint");
        }
    }

    /** Each device of the rollout by endpoint. */
    Map<String, JsonObject> devicesByEndpoint(long id) {
        Map<String, JsonObject> byEndpoint = new HashMap<>();
        devices(id, "").forEach(d -> byEndpoint.put(d.getString("endpoint"), d));
        return byEndpoint;
    }

    List<JsonObject> history(long id) {
        List<JsonObject> all = new ArrayList<>();
        long afterId = 0;
        while (true) {
            TestServer.Reply reply = http.send("GET", ROLLOUTS + "/" + id + "/history?limit=500&after=" + afterId,
                    null);
            assertThat(reply.status()).as("history of rollout " + id + ": " + reply.body()).isEqualTo(200);
            List<JsonObject> page = items(reply.json());
            all.addAll(page);
            if (page.size() < 500) {
                return all;
            }
            afterId = page.get(page.size() - 1).getLong("id");
        }
    }

    /** The count of devices in {@code state} ({@code succeeded}, {@code timed-out}...), from the rollout's counts. */
    static int count(JsonObject rollout, String state) {
        JsonObject counts = rollout.getJsonObject("counts");
        return counts == null ? 0 : counts.getInteger(state, 0);
    }

    /** Waits until the rollout meets {@code condition}, reading it again whenever the server reports a change. */
    JsonObject awaitRollout(long id, Predicate<JsonObject> condition, String what, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            JsonObject rollout = rollout(id);
            if (condition.test(rollout)) {
                return rollout;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                List<JsonObject> unsucceeded = devices(id, "").stream().filter(d -> !d.getString("state")
                        .equals("succeeded")).limit(5).toList();
                StringBuilder sessions = new StringBuilder();
                for (JsonObject device : unsucceeded) {
                    if (device.getString("session") != null) {
                        TestServer.Reply session = http.send("GET", device.getString("session"), null);
                        sessions.append("\n").append(device.getString("endpoint")).append(": ").append(session.body());
                    }
                }
                throw new AssertionError("rollout " + id + " is not " + what + " within " + within + "; it is "
                        + rollout.encodePrettily() + "\nits waves: " + waves(id) + "\nsome of its devices that did"
                        + " not succeed: " + unsucceeded + "\ntheir update sessions:" + sessions);
            }
            changes.await(Duration.ofNanos(Math.min(left, Duration.ofSeconds(1).toNanos())));
        }
    }

    /** Waits until the rollout's status is {@code status}. */
    JsonObject awaitStatus(long id, String status, Duration within) {
        return awaitRollout(id, r -> status.equals(r.getString("status")), status, within);
    }

    private static List<JsonObject> items(JsonObject page) {
        JsonArray items = page.getJsonArray("items");
        List<JsonObject> list = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            list.add(items.getJsonObject(i));
        }
        return list;
    }
}
