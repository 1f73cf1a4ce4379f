package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.Faults;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Real server: a plan's waves sized before it is stored, as a rollout form shows them. */
@Timeout(120)
class RolloutPreviewTest {
    final UpdateFixture fixture = new UpdateFixture();

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void a_preview_sizes_each_wave_of_the_eligible_devices_and_counts_the_skipped_ones_by_reason() throws Exception {
        for (int i = 0; i < 40; i++) {
            fixture.server.provisionWithoutSecurity(String.format("hall-%02d", i), "hall");
        }
        fixture.device("sensor", "sensor-9", false, Faults.none());
        fixture.server.patch("/api/v1/devices/sensor", "{\"tags\":[\"hall\"]}");
        JsonObject plan = new JsonObject().put("name", "halls to 1.1.0").put("firmwareId", fixture.firmwareV2)
                .put("target", new JsonObject().put("filter", new JsonObject().put("tagsAll",
                        new JsonArray().add("hall"))))
                .put("strategy", new JsonObject().put("type", "canary").put("first", new JsonObject()
                        .put("percent", 5)).put("stepPercent", 30));

        TestServer.Reply preview = fixture.server.post("/api/v1/rollouts:preview", plan.encode());

        assertThat(preview.status()).as(preview.body()).isEqualTo(200);
        assertThat(preview.json()).isEqualTo(new JsonObject().put("matched", 41).put("eligible", 40)
                .put("waveSizes", new JsonArray().add(2).add(12).add(12).add(12).add(2)).put("waveCount", 5)
                .put("skipped", new JsonObject().put("model-mismatch", 1)));
        assertThat(fixture.server.get("/api/v1/rollouts").json().getJsonArray("items")).as("nothing stored")
                .isEmpty();
    }

    @Test
    void a_plan_that_cannot_run_is_answered_with_every_problem_as_creating_it_would_be() {
        JsonObject plan = new JsonObject().put("name", "nowhere").put("firmwareId", 999)
                .put("target", new JsonObject().put("group", "no-such-group"))
                .put("strategy", new JsonObject().put("type", "all-at-once"));

        TestServer.Reply preview = fixture.server.post("/api/v1/rollouts:preview", plan.encode());

        assertThat(preview.status()).as(preview.body()).isEqualTo(422);
        assertThat(preview.json().getJsonArray("problems").encode()).contains("firmwareId", "target.group");
    }
}
