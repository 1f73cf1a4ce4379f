package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.OffsetDateTime;
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

/** Canary rollouts over 200 simulated devices: one that completes wave by wave, one that pauses on reverts. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CanaryFleetTest {
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
    void a_canary_rollout_over_200_devices_completes_wave_by_wave_and_updates_each_device_once() throws Exception {
        List<SimDevice> devices = fleet.add(Devices.of("canary-", 200).tagged("hall-1"));

        long id = fleet.api().start(RolloutPlan.of("hall 1 to 1.1.0", fleet.firmwareV2).tagged("hall-1")
                .canary(5, 45).successPercent(95, "next-wave").errorPercent(5, 5, "pause"));
        JsonObject done = fleet.api().awaitStatus(id, "completed", ROLLOUT_DEADLINE);

        assertThat(RolloutApi.count(done, "succeeded")).isEqualTo(200);
        assertThat(fleet.runningVersions(devices)).containsExactly(Map.entry("1.1.0+0", 200));
        List<JsonObject> waves = fleet.api().waves(id);
        assertThat(waves).hasSizeGreaterThan(1).allMatch(w -> w.getString("status").equals("passed"));
        assertThat(waves.get(0).getInteger("planned")).isEqualTo(10);
        assertThat(waves.stream().mapToInt(w -> w.getInteger("planned")).sum()).isEqualTo(200);
        for (int i = 1; i < waves.size(); i++) {
            assertThat(OffsetDateTime.parse(waves.get(i).getString("startedAt")))
                    .as("wave %d starts once wave %d ended", i, i - 1)
                    .isAfterOrEqualTo(OffsetDateTime.parse(waves.get(i - 1).getString("endedAt")));
        }
        for (SimDevice device : devices) {
            assertThat(fleet.sessions(device.endpoint())).as("update sessions of " + device.endpoint()).hasSize(1)
                    .allMatch(s -> s.getString("state").equals("succeeded"));
        }
        assertThat(fleet.api().devices(id, "")).hasSize(200)
                .allMatch(d -> d.getString("state").equals("succeeded") && d.getInteger("attempts") == 1);
        // Each device's success was one event on the bus, naming the device.
        assertThat(fleet.rolloutEvents(id)).filteredOn(e -> e.endpoint() != null
                && e.detail().startsWith("rollout " + id + " device " + e.endpoint() + " succeeded"))
                .extracting(e -> e.endpoint())
                .containsExactlyInAnyOrderElementsOf(devices.stream().map(SimDevice::endpoint).toList());
    }

    @Test
    void a_canary_pauses_when_10_percent_of_it_reverts_and_no_later_wave_starts() throws Exception {
        // The first two new images the fleet boots fail their health check: two of the canary's twenty.
        List<SimDevice> devices = fleet.add(Devices.of("wary-", 200).tagged("hall-2")
                .healthCheck(RolloutFleet.failingFirst(2)));

        long id = fleet.api().start(RolloutPlan.of("hall 2 to 1.1.0", fleet.firmwareV2).tagged("hall-2")
                .canary(10, 30).successPercent(95, "next-wave").errorPercent(5, 20, "pause"));
        JsonObject paused = fleet.api().awaitRollout(id, r -> r.getString("status").equals("paused")
                && RolloutApi.count(r, "failed") + RolloutApi.count(r, "succeeded") == 20, "paused with its canary done",
                ROLLOUT_DEADLINE);

        assertThat(RolloutApi.count(paused, "failed")).isEqualTo(2);
        assertThat(RolloutApi.count(paused, "succeeded")).isEqualTo(18);
        assertThat(paused.getString("statusDetail")).contains("wave 0").contains("10 %");
        List<JsonObject> waves = fleet.api().waves(id);
        assertThat(waves).as("waves started").hasSize(1);
        assertThat(waves.get(0).getString("status")).as("the canary, held until resumed or promoted")
                .isNotEqualTo("passed");
        assertThat(waves.get(0).getString("gateDetail")).contains("2 of 20").contains("10 %");
        List<JsonObject> failed = fleet.api().devices(id, "state=failed");
        assertThat(failed).hasSize(2).allMatch(d -> List.of("reverted", "update-failed").contains(d.getString("reason")));
        for (JsonObject device : failed) {
            assertThat(fleet.device(device.getString("endpoint")).runningVersion()).hasToString("1.0.0+0");
        }
        long touched = devices.stream().filter(d -> !fleet.sessions(d.endpoint()).isEmpty()).count();
        assertThat(touched).as("devices with an update session").isEqualTo(20);
        assertThat(fleet.runningVersions(devices)).containsExactly(Map.entry("1.0.0+0", 182), Map.entry("1.1.0+0", 18));
    }
}
