package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.TestServer;
import dev.ferry.server.testing.TestServer.Reply;
import dev.ferry.sim.device.Faults;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A rollout over real simulated devices, followed only through the API: waves, devices with sessions, history. */
class RolloutApiDevicesTest {

    @Test
    @Timeout(120)
    void aRolloutStartedThroughTheApiShowsEachDeviceWithItsSessionAndEachWaveWithItsCounts() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            fixture.devices("pump", 3, "plant");
            fixture.device("pump-current", fixture.v2, Faults.none(), b -> b, "plant");
            TestServer server = fixture.server;
            Reply created = server.post("/api/v1/rollouts", new JsonObject().put("name", "pumps to 1.1.0")
                    .put("firmwareId", fixture.firmwareV2)
                    .put("target", new JsonObject().put("filter", new JsonObject().put("tagsAll", new JsonArray()
                            .add("plant"))))
                    .put("strategy", new JsonObject().put("type", "waves").put("waves", new JsonArray()
                            .add(new JsonObject().put("count", 1)).add(new JsonObject().put("rest", true))))
                    .encode());
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            long id = created.json().getLong("id");

            Reply started = server.post("/api/v1/rollouts/" + id + "/start", null);
            assertThat(started.status()).as(started.body()).isEqualTo(200);
            assertThat(started.json().getString("status")).isIn("running", "completed");
            fixture.awaitStatus(id, RolloutStatus.COMPLETED);

            JsonObject rollout = server.get("/api/v1/rollouts/" + id).json();
            assertThat(rollout.getJsonObject("counts").getInteger("succeeded")).isEqualTo(3);
            assertThat(rollout.getJsonObject("counts").getInteger("skipped")).isEqualTo(1);
            assertThat(rollout.getJsonArray("allowedActions")).containsExactly("rollback");

            List<JsonObject> waves = items(server.get("/api/v1/rollouts/" + id + "/waves"));
            assertThat(waves).extracting(w -> w.getInteger("planned")).containsExactly(1, 2);
            assertThat(waves).extracting(w -> w.getString("status")).containsOnly("passed");

            List<JsonObject> succeeded = items(server.get("/api/v1/rollouts/" + id + "/devices?state=succeeded"));
            assertThat(succeeded).extracting(d -> d.getString("endpoint")).containsExactly("pump-0", "pump-1",
                    "pump-2");
            for (JsonObject device : succeeded) {
                assertThat(device.getInteger("attempts")).isEqualTo(1);
                String session = device.getString("session");
                assertThat(session).isEqualTo("/api/v1/devices/" + device.getString("endpoint") + "/updates/"
                        + device.getLong("sessionId"));
                Reply shown = server.get(session);
                assertThat(shown.status()).as(shown.body()).isEqualTo(200);
                assertThat(shown.json().getString("state")).isEqualTo("succeeded");
            }
            assertThat(items(server.get("/api/v1/rollouts/" + id + "/devices?state=skipped")))
                    .singleElement().satisfies(d -> {
                        assertThat(d.getString("endpoint")).isEqualTo("pump-current");
                        assertThat(d.getString("reason")).isEqualTo("already-on-version");
                        assertThat(d.getString("session")).isNull();
                    });
            assertThat(items(server.get("/api/v1/rollouts/" + id + "/devices?wave=0&state=succeeded"))).hasSize(1);
            assertThat(items(server.get("/api/v1/rollouts/" + id + "/devices?wave=1"))).hasSize(2)
                    .allSatisfy(d -> assertThat(d.getString("state")).isEqualTo("succeeded"));
            Reply firstPage = server.get("/api/v1/rollouts/" + id + "/devices?limit=2");
            assertThat(items(firstPage)).hasSize(2);
            Reply secondPage = server.get("/api/v1/rollouts/" + id + "/devices?limit=2&after="
                    + firstPage.json().getString("next"));
            assertThat(items(secondPage)).extracting(d -> d.getString("endpoint"))
                    .containsExactly("pump-2", "pump-current");

            List<JsonObject> history = items(server.get("/api/v1/rollouts/" + id + "/history?limit=1000"));
            assertThat(history).filteredOn(h -> h.getString("scope").equals("rollout"))
                    .extracting(h -> h.getString("to")).containsExactly("draft", "running", "completed");
        }
    }

    private static List<JsonObject> items(Reply page) {
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        return page.json().getJsonArray("items").stream().map(JsonObject.class::cast).toList();
    }
}
