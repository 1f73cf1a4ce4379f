package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonObject;

/**
 * The scheduler's state is the database's: a server restarted in the middle of a wave goes on from there, with one
 * session per device, none forgotten, and counts that add up. (The kill -9 case has a test of its own.)
 */
class RolloutRestartTest {

    @Test
    @Timeout(180)
    void aRolloutRestartedMidWaveGoesOnWithOneSessionPerDevice() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            List<SimDevice> fleet = fixture.devices("r", 4, "site");
            RolloutSpec p = fixture.plan("site", new RolloutSpec.Strategy.AllAtOnce());
            RolloutSpec spec = new RolloutSpec(p.name(), p.firmwareId(), p.target(), p.delivery(), p.strategy(),
                    p.gate(), p.retry(), null, null, 1, false, false);
            long id = fixture.rollouts().create(spec, "alice").id();
            fixture.rollouts().act(id, RolloutAction.START, "alice");
            fixture.await(id, "half-way through its wave", r -> r.counts().get(RolloutDeviceState.SUCCEEDED) >= 1
                    && r.counts().get(RolloutDeviceState.SUCCEEDED) < 4);

            fixture.server.restart();

            Rollout done = fixture.awaitStatus(id, RolloutStatus.COMPLETED);
            assertThat(done.counts().get(RolloutDeviceState.SUCCEEDED)).isEqualTo(4);
            assertThat(done.counts().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(4);
            for (SimDevice device : fleet) {
                assertThat(device.runningVersion()).as(device.endpoint()).hasToString("1.1.0+0");
                assertThat(fixture.server.get("/api/v1/devices/" + device.endpoint() + "/updates").json()
                        .getJsonArray("items")).as("sessions of " + device.endpoint()).hasSize(1);
            }
            assertThat(fixture.rollouts().devices(id, Optional.empty(), Optional.empty(), null, 10))
                    .allSatisfy(d -> assertThat(d.attempts()).isEqualTo(1));
            TestServer.Reply audited = fixture.server.get("/api/v1/audit?action=rollout.transition&target=rollout:"
                    + id + "&limit=500");
            assertThat(audited.status()).as(audited.body()).isEqualTo(200);
            assertThat(audited.json().getJsonArray("items").stream().map(e -> ((JsonObject) e).getString("outcome")))
                    .contains("running", "completed", "device succeeded", "wave passed");
        }
    }
}
