package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.Faults;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Real server and simulated devices: the overview an operator's console opens with, and who the caller is. */
@Timeout(120)
class FleetSummaryTest {
    final UpdateFixture fixture = new UpdateFixture();

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void the_summary_counts_devices_online_and_by_version_and_lists_the_newest_failed_update() throws Exception {
        fixture.device("online-1", Faults.none());
        fixture.device("online-2", "sensor-9", false, Faults.none());
        fixture.device("refuses", Faults.none().refuseUpdate());
        fixture.server.provisionWithoutSecurity("never-seen");
        fixture.outcome(fixture.start("refuses", fixture.firmwareV2, "pull-coap"), "failed", "request-refused");

        JsonObject summary = fixture.server.get("/api/v1/fleet/summary").json();

        assertThat(summary.getJsonObject("devices")).isEqualTo(new JsonObject().put("total", 4).put("online", 3)
                .put("offline", 1));
        assertThat(summary.getJsonArray("firmware")).isEqualTo(new JsonArray()
                .add(version(UpdateFixture.MODEL, "1.0.0+0", 2)).add(version("sensor-9", "1.0.0+0", 1))
                .add(version(null, null, 1)));
        JsonArray failures = summary.getJsonArray("recentFailures");
        assertThat(failures).hasSize(1);
        assertThat(failures.getJsonObject(0).getString("endpoint")).isEqualTo("refuses");
        assertThat(failures.getJsonObject(0).getString("failureReason")).isEqualTo("request-refused");
        assertThat(failures.getJsonObject(0).getString("message")).contains("4.05");
        assertThat(summary.getJsonObject("rollouts").getLong("active")).isZero();
    }

    @Test
    void a_token_limited_to_a_tag_sees_its_devices_only_and_learns_its_own_role() {
        fixture.server.provisionWithoutSecurity("hall-1", "hall");
        fixture.server.provisionWithoutSecurity("yard-1", "yard");
        TestServer.Reply made = fixture.server.post("/api/v1/tokens", new JsonObject().put("name", "hall-viewer")
                .put("role", "viewer").put("deviceTag", "hall").encode());
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        String token = made.json().getString("value");

        JsonObject summary = fixture.server.sendAs(token, "GET", "/api/v1/fleet/summary", null).json();
        JsonObject whoami = fixture.server.sendAs(token, "GET", "/api/v1/whoami", null).json();

        assertThat(summary.getJsonObject("devices").getInteger("total")).isEqualTo(1);
        assertThat(summary.getValue("rollouts")).as("rollouts span the fleet").isNull();
        assertThat(whoami.getString("name")).isEqualTo("hall-viewer");
        assertThat(whoami.getString("role")).isEqualTo("viewer");
        assertThat(whoami.getString("deviceTag")).isEqualTo("hall");
        assertThat(fixture.server.get("/api/v1/whoami").json().getString("role")).isEqualTo("admin");
    }

    private static JsonObject version(String model, String version, int devices) {
        return new JsonObject().put("model", model).put("firmwareVersion", version).put("devices", devices);
    }
}
