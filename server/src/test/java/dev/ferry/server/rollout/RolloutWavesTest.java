package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.device.DeviceEventType;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;

/** Waves with real devices: sizes, skipped devices, the gate passing wave after wave, exact counts and history. */
class RolloutWavesTest {

    @Test
    @Timeout(120)
    void aCanaryRolloutTakesEveryDeviceInGrowingWavesAndCompletes() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            List<SimDevice> fleet = fixture.devices("meter", 5, "north");
            fixture.device("meter-done", fixture.v2, Faults.none(), b -> b, "north");
            fixture.devices("other", 1, "south");
            RolloutSpec spec = fixture.plan("north", new RolloutSpec.Strategy.Canary(RolloutSpec.WaveSize.count(1),
                    40));
            Rollout created = fixture.rollouts().create(spec, "release-bot");
            assertThat(created.status()).isEqualTo(RolloutStatus.DRAFT);

            fixture.rollouts().act(created.id(), RolloutAction.START, "alice");
            Rollout done = fixture.awaitStatus(created.id(), RolloutStatus.COMPLETED);

            assertThat(done.counts().get(RolloutDeviceState.SUCCEEDED)).isEqualTo(5);
            assertThat(done.counts().get(RolloutDeviceState.SKIPPED)).isEqualTo(1);
            assertThat(done.counts().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(6);
            // 1, then 40 % of 5 (2), then the 2 left
            List<RolloutWave> waves = fixture.rollouts().waves(created.id());
            assertThat(waves).extracting(RolloutWave::planned).containsExactly(1, 2, 2);
            assertThat(waves).extracting(RolloutWave::status).containsOnly(RolloutWave.Status.PASSED);
            assertThat(fixture.rollouts().devices(created.id(), Optional.of(RolloutDeviceState.SKIPPED),
                    Optional.empty(), null, 10)).singleElement().satisfies(d -> {
                        assertThat(d.endpoint()).isEqualTo("meter-done");
                        assertThat(d.reason()).isEqualTo("already-on-version");
                    });
            for (SimDevice device : fleet) {
                assertThat(device.runningVersion()).hasToString("1.1.0+0");
            }
            assertThat(fixture.rollouts().devices(created.id(), Optional.empty(), Optional.empty(), null, 10))
                    .extracting(RolloutDevice::endpoint).doesNotContain("other-0");
            // each device succeeded once, after exactly one session
            assertThat(fixture.rollouts().devices(created.id(), Optional.of(RolloutDeviceState.SUCCEEDED),
                    Optional.empty(), null, 10)).allSatisfy(d -> {
                        assertThat(d.attempts()).isEqualTo(1);
                        assertThat(d.sessionId()).isNotNull();
                        assertThat(d.previousVersion()).isEqualTo("1.0.0+0");
                        assertThat(d.previousFirmwareId()).isEqualTo(fixture.firmwareV1);
                    });
            List<RolloutHistoryEntry> history = fixture.rollouts().history(created.id(), 0, 1000);
            assertThat(history).filteredOn(h -> h.scope().equals("rollout")).extracting(RolloutHistoryEntry::to)
                    .containsExactly("draft", "running", "completed");
            assertThat(history).filteredOn(h -> h.scope().equals("rollout") && h.to().equals("running"))
                    .extracting(RolloutHistoryEntry::actor).containsExactly("alice");
            assertThat(fixture.server.eventsSoFar()).filteredOn(e -> e.type() == DeviceEventType.ROLLOUT
                    && "meter-0".equals(e.endpoint())).extracting(e -> e.detail().split(":")[0])
                    .containsExactly("rollout " + created.id() + " device meter-0 updating",
                            "rollout " + created.id() + " device meter-0 succeeded");
        }
    }
}
