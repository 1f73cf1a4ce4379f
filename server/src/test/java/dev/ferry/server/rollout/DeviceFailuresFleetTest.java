package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.config.Setting;
import dev.ferry.server.rollout.RolloutFleet.Devices;
import dev.ferry.sim.device.DeviceEvent;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonObject;

/**
 * What a rollout makes of devices that go silent, lose their connection once, or crash-loop after their update,
 * over fleets of 100 simulated devices. A session tries once here, so what is retried is the rollout's doing. Each
 * test has a server of its own: what one leaves behind (silent devices, a paused rollout) must not slow the next.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DeviceFailuresFleetTest {
    static final Duration ROLLOUT_DEADLINE = Duration.ofMinutes(3);
    RolloutFleet fleet;

    @BeforeEach
    void server() {
        fleet = RolloutFleet.start(s -> s.with(Setting.UPDATE_MAX_ATTEMPTS, "1"));
    }

    @AfterEach
    void stop() {
        fleet.close();
    }

    @Test
    void devices_that_go_silent_during_their_download_time_out_and_the_rest_completes() throws Exception {
        // Every tenth device's radio dies as soon as its download starts.
        List<SimDevice> devices = fleet.add(Devices.of("quiet-", 100).tagged("field-1")
                .faults(i -> i % 10 == 0 ? Faults.none().silentAt(0) : Faults.none()));
        Set<String> silent = devices.stream().filter(d -> d.faults().silentOffset() >= 0).map(SimDevice::endpoint)
                .collect(Collectors.toSet());

        long id = fleet.api().start(RolloutPlan.of("field 1 to 1.1.0", fleet.firmwareV2).tagged("field-1")
                .allAtOnce().successPercent(85, "next-wave").errorPercent(20, 1, "pause").maxConcurrent(25)
                .deviceTimeout(Duration.ofSeconds(60)));
        JsonObject done = fleet.api().awaitStatus(id, "completed", ROLLOUT_DEADLINE);

        assertThat(RolloutApi.count(done, "succeeded")).isEqualTo(90);
        assertThat(RolloutApi.count(done, "timed-out")).isEqualTo(10);
        List<JsonObject> timedOut = fleet.api().devices(id, "state=timed-out");
        assertThat(timedOut).extracting(d -> d.getString("endpoint")).containsExactlyInAnyOrderElementsOf(silent);
        for (String endpoint : silent) {
            assertThat(fleet.device(endpoint).events()).anyMatch(e -> e.type() == DeviceEvent.Type.WENT_SILENT);
            assertThat(fleet.sessions(endpoint)).as("the session of silent " + endpoint).hasSize(1)
                    .noneMatch(s -> s.getString("state").equals("succeeded"));
            assertThat(fleet.device(endpoint).runningVersion()).hasToString("1.0.0+0");
        }
    }

    @Test
    void a_download_that_loses_its_connection_is_retried_by_the_rollout_and_succeeds() throws Exception {
        // Every fifth device's first download breaks off with result 4; its second runs clean.
        List<SimDevice> devices = fleet.add(Devices.of("flaky-", 100).tagged("field-2")
                .faults(i -> i % 5 == 0 ? Faults.none().failDownloadOnce(2048) : Faults.none()));
        Set<String> flaky = devices.stream().filter(d -> d.faults().failDownloadOnceOffset() >= 0)
                .map(SimDevice::endpoint).collect(Collectors.toSet());

        long id = fleet.api().start(RolloutPlan.of("field 2 to 1.1.0", fleet.firmwareV2).tagged("field-2")
                .allAtOnce().successPercent(100, "next-wave").errorPercent(50, 1, "pause")
                .retry(List.of("connection-lost"), 3, Duration.ofSeconds(1)));
        JsonObject done = fleet.api().awaitStatus(id, "completed", ROLLOUT_DEADLINE);

        assertThat(RolloutApi.count(done, "succeeded")).isEqualTo(100);
        assertThat(fleet.runningVersions(devices)).containsExactly(Map.entry("1.1.0+0", 100));
        Map<String, JsonObject> byEndpoint = fleet.api().devicesByEndpoint(id);
        for (SimDevice device : devices) {
            int attempts = flaky.contains(device.endpoint()) ? 2 : 1;
            assertThat(byEndpoint.get(device.endpoint()).getInteger("attempts")).as(device.endpoint())
                    .isEqualTo(attempts);
            List<JsonObject> sessions = fleet.sessions(device.endpoint());
            assertThat(sessions).as("sessions of " + device.endpoint()).hasSize(attempts);
            if (attempts == 2) {
                assertThat(sessions).extracting(s -> s.getString("failureReason"))
                        .containsExactlyInAnyOrder("connection-lost", null);
            }
        }
    }

    @Test
    void devices_whose_new_image_crash_loops_during_the_soak_are_counted_unhealthy() throws Exception {
        // Every tenth device's new image crashes eight times, three seconds after each registration: its session
        // concludes between two crashes (a session cannot while the device reboots every moment).
        List<SimDevice> devices = fleet.add(Devices.of("loop-", 100).tagged("field-3").faults(i -> i % 10 == 0
                ? Faults.none().crashLoopAfterUpdate(8, Duration.ofSeconds(3)) : Faults.none()));
        Set<String> looping = devices.stream().filter(d -> d.faults().crashLoopReboots() > 0)
                .map(SimDevice::endpoint).collect(Collectors.toSet());

        long id = fleet.api().start(RolloutPlan.of("field 3 to 1.1.0", fleet.firmwareV2).tagged("field-3")
                .allAtOnce().successPercent(85, "next-wave").errorPercent(30, 50, "pause")
                .soak(Duration.ofSeconds(40), 2));
        JsonObject done = fleet.api().awaitStatus(id, "completed", ROLLOUT_DEADLINE);

        for (String endpoint : looping) {
            assertThat(fleet.device(endpoint).events()).as("crashes of " + endpoint)
                    .filteredOn(e -> e.type() == DeviceEvent.Type.REBOOTING && e.detail().contains("crashed"))
                    .hasSize(8);
        }
        String first = looping.iterator().next();
        assertThat(RolloutApi.count(done, "unhealthy")).as("unhealthy; the history of " + first + ": "
                + fleet.api().history(id).stream().filter(h -> first.equals(h.getString("endpoint"))).toList()
                + "; its events: " + fleet.server.get("/api/v1/devices/" + first + "/events").body()).isEqualTo(10);
        assertThat(RolloutApi.count(done, "succeeded")).isEqualTo(90);
        assertThat(fleet.api().devices(id, "state=unhealthy")).extracting(d -> d.getString("endpoint"))
                .containsExactlyInAnyOrderElementsOf(looping);
    }
}
