package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.device.DeviceEventType;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;

/** The soak period after a device succeeded: it must stay online; one that goes away counts as unhealthy. */
class RolloutSoakTest {

    @Test
    @Timeout(120)
    void aDeviceThatGoesOfflineDuringItsSoakIsUnhealthyAndOneThatStaysSucceedsWhenTheSoakEnds() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            List<SimDevice> fleet = fixture.devices("s", 2, "soak");
            RolloutSpec p = fixture.plan("soak", new RolloutSpec.Strategy.AllAtOnce());
            RolloutSpec spec = new RolloutSpec(p.name(), p.firmwareId(), p.target(), p.delivery(), p.strategy(),
                    new RolloutSpec.Gate(50, RolloutSpec.SuccessAction.NEXT_WAVE, 60, 2, RolloutSpec.ErrorAction.PAUSE,
                            Duration.ofHours(1), Duration.ofMinutes(30), 3), p.retry(), null, null, 10, false, false);
            long id = fixture.rollouts().create(spec, "alice").id();
            fixture.rollouts().act(id, RolloutAction.START, "alice");
            fixture.await(id, "soaking both devices", r -> r.counts().get(RolloutDeviceState.SOAKING) == 2);

            fleet.get(0).powerOff().get(10, java.util.concurrent.TimeUnit.SECONDS); // silent: its lifetime runs out
            fixture.server.waitForEvent("s-0", DeviceEventType.EXPIRED);
            fixture.await(id, "seeing s-0 unhealthy", r -> r.counts().get(RolloutDeviceState.UNHEALTHY) == 1);
            assertThat(fixture.rollouts().find(id).orElseThrow().counts().get(RolloutDeviceState.SOAKING))
                    .isEqualTo(1);

            fixture.clock.advance(Duration.ofMinutes(30));
            Rollout done = fixture.awaitStatus(id, RolloutStatus.COMPLETED);
            assertThat(done.counts().get(RolloutDeviceState.SUCCEEDED)).isEqualTo(1);
            assertThat(done.counts().get(RolloutDeviceState.UNHEALTHY)).isEqualTo(1);
            assertThat(fixture.rollouts().devices(id, Optional.of(RolloutDeviceState.UNHEALTHY), Optional.empty(),
                    null, 10)).singleElement().satisfies(d -> {
                        assertThat(d.endpoint()).isEqualTo("s-0");
                        assertThat(d.reason()).isEqualTo("offline");
                    });
        }
    }

    @Test
    @Timeout(120)
    void aDeviceThatRegistersAgainAndAgainDuringItsSoakIsACrashLoop() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            SimDevice device = fixture.devices("loop", 1, "soak").get(0);
            RolloutSpec p = fixture.plan("soak", new RolloutSpec.Strategy.AllAtOnce());
            RolloutSpec spec = new RolloutSpec(p.name(), p.firmwareId(), p.target(), p.delivery(), p.strategy(),
                    new RolloutSpec.Gate(95, RolloutSpec.SuccessAction.NEXT_WAVE, 5, 1, RolloutSpec.ErrorAction.PAUSE,
                            Duration.ofHours(1), Duration.ofMinutes(30), 2), p.retry(), null, null, 10, false, false);
            long id = fixture.rollouts().create(spec, "alice").id();
            fixture.rollouts().act(id, RolloutAction.START, "alice");
            fixture.await(id, "soaking the device", r -> r.counts().get(RolloutDeviceState.SOAKING) == 1);

            for (int reboot = 0; reboot < 3; reboot++) {
                var registered = device.next(dev.ferry.sim.device.DeviceEvent.Type.REGISTERED);
                device.reboot().get(10, java.util.concurrent.TimeUnit.SECONDS);
                registered.get(20, java.util.concurrent.TimeUnit.SECONDS);
            }

            Rollout paused = fixture.awaitStatus(id, RolloutStatus.PAUSED);
            assertThat(paused.counts().get(RolloutDeviceState.UNHEALTHY)).isEqualTo(1);
            RolloutDevice unhealthy = fixture.rollouts().devices(id, Optional.empty(), Optional.empty(), null, 1)
                    .get(0);
            assertThat(unhealthy.reason()).isEqualTo("crash-loop");
            assertThat(unhealthy.detail()).startsWith("registered 3 more time(s) after booting its new image");
        }
    }

    @Test
    @Timeout(120)
    void aNewImageThatCrashLoopsRightAfterItsUpdateIsUnhealthy() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            SimDevice looping = fixture.device("crash-0", fixture.v1, Faults.none().crashLoopAfterUpdate(4,
                    Duration.ofSeconds(1)), b -> b, "soak");
            fixture.device("crash-1", fixture.v1, Faults.none(), b -> b, "soak");
            RolloutSpec p = fixture.plan("soak", new RolloutSpec.Strategy.AllAtOnce());
            RolloutSpec spec = new RolloutSpec(p.name(), p.firmwareId(), p.target(), p.delivery(), p.strategy(),
                    new RolloutSpec.Gate(50, RolloutSpec.SuccessAction.NEXT_WAVE, 60, 2, RolloutSpec.ErrorAction.PAUSE,
                            Duration.ofHours(1), Duration.ofMinutes(15), 2), p.retry(), null, null, 10, false, false);
            var crashes = looping.next(e -> e.type() == dev.ferry.sim.device.DeviceEvent.Type.REBOOTING
                    && e.detail().contains("crashed") && looping.events().stream().filter(x -> x.type()
                            == dev.ferry.sim.device.DeviceEvent.Type.REBOOTING && x.detail().contains("crashed"))
                            .count() >= 4);
            long id = fixture.rollouts().create(spec, "alice").id();
            fixture.rollouts().act(id, RolloutAction.START, "alice");
            crashes.get(60, java.util.concurrent.TimeUnit.SECONDS);
            looping.awaitRegistered().get(20, java.util.concurrent.TimeUnit.SECONDS);

            fixture.clock.advance(Duration.ofMinutes(15));
            Rollout done = fixture.awaitStatus(id, RolloutStatus.COMPLETED);
            assertThat(done.counts().get(RolloutDeviceState.UNHEALTHY)).as(fixture.rollouts().history(id, 0, 100)
                    + " events " + fixture.server.get("/api/v1/devices/crash-0/events").body()).isEqualTo(1);
        }
    }
}
