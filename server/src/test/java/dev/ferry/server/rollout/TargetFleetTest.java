package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.rollout.RolloutFleet.Devices;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonObject;

/** Who a rollout reaches: devices already on the target are skipped, devices that join the target mid-way are not. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TargetFleetTest {
    static final Duration ROLLOUT_DEADLINE = Duration.ofMinutes(2);
    static RolloutFleet fleet;

    @BeforeAll
    static void server() {
        fleet = RolloutFleet.start();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    @Test
    void devices_already_on_the_target_version_are_counted_as_skipped_and_never_updated() throws Exception {
        List<SimDevice> behind = fleet.add(Devices.of("behind-", 70).tagged("depot"));
        List<SimDevice> current = fleet.add(Devices.of("current-", 30).tagged("depot").running(fleet.v2));

        long id = fleet.api().start(RolloutPlan.of("depot to 1.1.0", fleet.firmwareV2).tagged("depot").allAtOnce()
                .successPercent(100, "next-wave").errorPercent(5, 1, "pause"));
        JsonObject done = fleet.api().awaitStatus(id, "completed", ROLLOUT_DEADLINE);

        assertThat(RolloutApi.count(done, "succeeded")).isEqualTo(70);
        assertThat(RolloutApi.count(done, "skipped")).isEqualTo(30);
        List<JsonObject> skipped = fleet.api().devices(id, "state=skipped");
        assertThat(skipped).extracting(d -> d.getString("endpoint"))
                .containsExactlyInAnyOrderElementsOf(current.stream().map(SimDevice::endpoint).toList());
        assertThat(skipped).allMatch(d -> d.getString("reason").equals("already-on-version"));
        assertThat(current).allMatch(d -> fleet.sessions(d.endpoint()).isEmpty());
        assertThat(fleet.runningVersions(behind)).containsExactly(Map.entry("1.1.0+0", 70));
    }

    @Test
    void a_device_tagged_into_the_target_and_one_provisioned_into_it_mid_rollout_join_the_next_wave()
            throws Exception {
        List<SimDevice> hall = fleet.add(Devices.of("hall-", 100).tagged("hall-5"));
        SimDevice elsewhere = fleet.add(Devices.of("moved-", 1).tagged("hall-6")).get(0);

        // The first wave waits to be promoted, so the fleet can change between the waves.
        long id = fleet.api().start(RolloutPlan.of("hall 5 to 1.1.0", fleet.firmwareV2).tagged("hall-5")
                .wavesThenRest(10).successPercent(95, "pause").errorPercent(5, 1, "pause"));
        fleet.api().awaitRollout(id, r -> r.getString("status").equals("paused")
                && RolloutApi.count(r, "succeeded") == 10, "waiting for promotion after its first wave",
                ROLLOUT_DEADLINE);
        fleet.retag(elsewhere.endpoint(), "hall-5");
        SimDevice provisioned = fleet.add(Devices.of("new-", 1).tagged("hall-5")).get(0);
        fleet.api().act(id, "promote");
        JsonObject done = fleet.api().awaitStatus(id, "completed", ROLLOUT_DEADLINE);

        assertThat(RolloutApi.count(done, "succeeded")).isEqualTo(102);
        Map<String, JsonObject> devices = fleet.api().devicesByEndpoint(id);
        for (SimDevice joined : List.of(elsewhere, provisioned)) {
            assertThat(devices.get(joined.endpoint())).as(joined.endpoint()).isNotNull();
            assertThat(devices.get(joined.endpoint()).getInteger("wave")).isEqualTo(1);
            assertThat(devices.get(joined.endpoint()).getString("state")).isEqualTo("succeeded");
            assertThat(joined.runningVersion()).hasToString("1.1.0+0");
        }
        List<JsonObject> waves = fleet.api().waves(id);
        assertThat(waves).extracting(w -> w.getInteger("planned")).containsExactly(10, 92);
        assertThat(fleet.runningVersions(hall)).containsExactly(Map.entry("1.1.0+0", 100));
    }
}
