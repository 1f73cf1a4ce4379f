package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.rollout.RolloutFleet.Devices;
import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonObject;

/**
 * Devices whose radio died keep trying to register, into the void, for as long as the fleet runs. Leshan's client
 * registers synchronously, holding one of the fleet's shared threads until its request times out; the rollout of
 * the devices beside them must still run at its usual pace.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SilentNeighboursFleetTest {
    /** More than the eight threads the fleet once shared, so that they could hold every one of them. */
    static final int SILENT = 12;

    @Test
    void a_rollout_completes_while_silent_devices_keep_retrying_their_registrations() throws Exception {
        try (RolloutFleet fleet = RolloutFleet.start(s -> s)) {
            // The shortest lifetime the server accepts: they are due to update their registration within seconds.
            List<SimDevice> silent = fleet.add(Devices.of("mute-", SILENT).tagged("mute")
                    .tuned(b -> b.lifetime(Duration.ofSeconds(10))));
            for (SimDevice device : silent) {
                device.goSilent().get(10, TimeUnit.SECONDS);
            }
            TestServer.eventually("every silent device tried to reach the server since its radio died",
                    () -> silent.stream().allMatch(d -> d.droppedDatagrams() > 0));

            fleet.add(Devices.of("beside-", 10).tagged("beside"));
            long id = fleet.api().start(RolloutPlan.of("beside to 1.1.0", fleet.firmwareV2).tagged("beside")
                    .allAtOnce());
            JsonObject done = fleet.api().awaitStatus(id, "completed", Duration.ofSeconds(45));

            assertThat(RolloutApi.count(done, "succeeded")).isEqualTo(10);
        }
    }
}
