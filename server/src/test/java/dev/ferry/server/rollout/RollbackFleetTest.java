package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.rollout.RolloutFleet.Devices;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonObject;

/** Rolling a fleet back: as a gate's error action, and refused where MCUboot's security counter would refuse. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RollbackFleetTest {
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
    void the_error_action_rollback_returns_every_updated_device_to_its_previous_firmware() throws Exception {
        // Three of the first wave's twenty new images fail their health check: 15 % > 10 %.
        List<SimDevice> devices = fleet.add(Devices.of("undo-", 100).tagged("site-1")
                .healthCheck(RolloutFleet.failingFirst(3)));

        long id = fleet.api().start(RolloutPlan.of("site 1 to 1.1.0", fleet.firmwareV2).tagged("site-1")
                .wavesThenRest(20).successPercent(95, "next-wave").errorPercent(10, 20, "rollback"));
        JsonObject rolledBack = fleet.api().awaitStatus(id, "rolled-back", ROLLOUT_DEADLINE);

        long reverse = rolledBack.getLong("rolledBackBy");
        JsonObject reverseRollout = fleet.api().rollout(reverse);
        assertThat(reverseRollout.getLong("rollbackOf")).isEqualTo(id);
        assertThat(reverseRollout.getString("status")).isEqualTo("completed");
        Set<String> updated = fleet.api().devices(id, "state=succeeded").stream().map(d -> d.getString("endpoint"))
                .collect(Collectors.toSet());
        assertThat(updated).hasSize(17);
        List<JsonObject> reversed = fleet.api().devices(reverse, "state=succeeded");
        assertThat(reversed).extracting(d -> d.getString("endpoint")).containsExactlyInAnyOrderElementsOf(updated);
        assertThat(fleet.runningVersions(devices)).containsExactly(Map.entry("1.0.0+0", 100));
        for (String endpoint : updated) {
            assertThat(fleet.sessions(endpoint)).as("sessions of " + endpoint)
                    .extracting(s -> s.getLong("firmwareId"))
                    .containsExactlyInAnyOrder(fleet.firmwareV2, fleet.firmwareV1);
        }
        long untouched = devices.stream().filter(d -> fleet.sessions(d.endpoint()).isEmpty()).count();
        assertThat(untouched).as("devices the rollout never reached").isEqualTo(80);
        String metrics = fleet.server.get("/metrics").body();
        assertThat(metrics).contains("ferry_rollouts{status=\"rolled-back\"}").contains("ferry_rollouts{status=\"completed\"}")
                .contains("ferry_rollout_waves{status=");
    }

    @Test
    void a_rollback_that_the_security_counter_would_refuse_leaves_the_device_alone_and_lists_it() throws Exception {
        // 1.2.0 raises the security counter to 2: MCUboot would refuse 1.0.2 (counter 1) after it, not 1.0.3.
        byte[] oldCounter = fleet.image("1.0.2", 1L);
        byte[] sameCounter = fleet.image("1.0.3", 2L);
        byte[] target = fleet.image("1.2.0", 2L);
        fleet.publish(oldCounter);
        long firmwareSame = fleet.publish(sameCounter);
        long firmwareTarget = fleet.publish(target);
        List<SimDevice> guarded = fleet.add(Devices.of("guarded-", 50).tagged("site-2").running(oldCounter));
        List<SimDevice> free = fleet.add(Devices.of("free-", 50).tagged("site-2").running(sameCounter));
        long id = fleet.api().start(RolloutPlan.of("site 2 to 1.2.0", firmwareTarget).tagged("site-2")
                .allAtOnce().successPercent(100, "next-wave").errorPercent(5, 1, "pause"));
        fleet.api().awaitStatus(id, "completed", ROLLOUT_DEADLINE);

        long reverse = fleet.api().act(id, "rollback").getLong("rolledBackBy");
        fleet.api().awaitStatus(id, "rolled-back", ROLLOUT_DEADLINE);

        JsonObject reverseRollout = fleet.api().rollout(reverse);
        assertThat(RolloutApi.count(reverseRollout, "succeeded")).isEqualTo(50);
        assertThat(RolloutApi.count(reverseRollout, "skipped")).isEqualTo(50);
        List<JsonObject> refused = fleet.api().devices(reverse, "state=skipped");
        assertThat(refused).extracting(d -> d.getString("endpoint"))
                .containsExactlyInAnyOrderElementsOf(guarded.stream().map(SimDevice::endpoint).toList());
        assertThat(refused).allMatch(d -> d.getString("reason").equals("security-counter"));
        assertThat(fleet.runningVersions(guarded)).containsExactly(Map.entry("1.2.0+0", 50));
        assertThat(fleet.runningVersions(free)).containsExactly(Map.entry("1.0.3+0", 50));
        for (SimDevice device : guarded) {
            assertThat(fleet.sessions(device.endpoint())).extracting(s -> s.getLong("firmwareId"))
                    .containsExactly(firmwareTarget);
        }
        for (SimDevice device : free) {
            assertThat(fleet.sessions(device.endpoint())).extracting(s -> s.getLong("firmwareId"))
                    .containsExactlyInAnyOrder(firmwareTarget, firmwareSame);
        }
    }
}
