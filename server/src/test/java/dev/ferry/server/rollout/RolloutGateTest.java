package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;

/** Gates with real devices: an error pauses or rolls back, a resumed wave is not judged twice, promote overrides. */
class RolloutGateTest {

    private static List<SimDevice> fleet(EngineFixture fixture, int count, int reverting) throws Exception {
        List<SimDevice> fleet = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Faults faults = i == reverting ? Faults.none().failHealthCheck() : Faults.none();
            fleet.add(fixture.device("d-" + i, fixture.v1, faults, b -> b.confirmDeadline(Duration.ofSeconds(5)),
                    "fleet"));
        }
        return fleet;
    }

    @Test
    @Timeout(180)
    void aRevertingCanaryPausesTheRolloutAndPromoteOverridesTheGate() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            fleet(fixture, 6, 0);
            RolloutSpec spec = fixture.plan("fleet", new RolloutSpec.Strategy.Canary(RolloutSpec.WaveSize.count(3),
                    100));
            long id = fixture.rollouts().create(spec, "alice").id();
            fixture.rollouts().act(id, RolloutAction.START, "alice");

            Rollout paused = fixture.await(id, "paused with its canary finished", r -> r.status() == RolloutStatus.PAUSED
                    && r.counts().get(RolloutDeviceState.UPDATING) == 0);
            assertThat(paused.statusDetail()).startsWith("wave 0: ");
            assertThat(paused.counts().get(RolloutDeviceState.FAILED)).isEqualTo(1);
            assertThat(paused.counts().get(RolloutDeviceState.SUCCEEDED)).isEqualTo(2);
            assertThat(fixture.rollouts().waves(id)).hasSize(1); // the next wave never started
            assertThat(fixture.rollouts().devices(id, Optional.of(RolloutDeviceState.FAILED), Optional.empty(), null,
                    10)).singleElement().satisfies(d -> {
                        assertThat(d.endpoint()).isEqualTo("d-0");
                        assertThat(d.reason()).isEqualTo("reverted");
                    });

            // Resumed, the finished canary still misses its success condition: paused again, once, not in a loop.
            fixture.rollouts().act(id, RolloutAction.RESUME, "alice");
            Rollout again = fixture.await(id, "paused again", r -> r.status() == RolloutStatus.PAUSED
                    && r.statusDetail().contains("only 2 of 3 succeeded"));
            assertThat(fixture.rollouts().history(id, 0, 1000)).filteredOn(h -> h.scope().equals("rollout"))
                    .extracting(RolloutHistoryEntry::to)
                    .containsExactly("draft", "running", "paused", "running", "paused");
            assertThat(again.counts().get(RolloutDeviceState.FAILED)).isEqualTo(1);

            fixture.rollouts().act(id, RolloutAction.PROMOTE, "alice");
            Rollout done = fixture.awaitStatus(id, RolloutStatus.COMPLETED);
            assertThat(done.counts().get(RolloutDeviceState.SUCCEEDED)).isEqualTo(5);
            assertThat(done.counts().get(RolloutDeviceState.FAILED)).isEqualTo(1);
            assertThat(fixture.rollouts().waves(id)).extracting(RolloutWave::status)
                    .containsExactly(RolloutWave.Status.PASSED, RolloutWave.Status.PASSED);
            assertThat(fixture.rollouts().waves(id).get(0).gateDetail()).startsWith("promoted by alice");
        }
    }

    @Test
    @Timeout(180)
    void anErrorActionRollbackPutsEveryUpdatedDeviceBackOnItsPreviousImage() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            List<SimDevice> fleet = fleet(fixture, 4, 2);
            RolloutSpec plan = fixture.plan("fleet", new RolloutSpec.Strategy.Canary(RolloutSpec.WaveSize.count(3),
                    100));
            RolloutSpec spec = new RolloutSpec(plan.name(), plan.firmwareId(), plan.target(), plan.delivery(),
                    plan.strategy(), EngineFixture.gate(plan.gate(), g -> new RolloutSpec.Gate(95,
                            RolloutSpec.SuccessAction.NEXT_WAVE, 5, 3, RolloutSpec.ErrorAction.ROLLBACK,
                            g.deviceTimeout(), Duration.ZERO, 3)), plan.retry(), null, null, 10, false, false);
            long id = fixture.rollouts().create(spec, "alice").id();
            fixture.rollouts().act(id, RolloutAction.START, "alice");

            Rollout rolledBack = fixture.awaitStatus(id, RolloutStatus.ROLLED_BACK);
            long reverse = rolledBack.rolledBackBy();
            Rollout back = fixture.rollouts().find(reverse).orElseThrow();
            assertThat(back.rollbackOf()).isEqualTo(id);
            assertThat(back.status()).isEqualTo(RolloutStatus.COMPLETED);
            assertThat(back.counts().get(RolloutDeviceState.SUCCEEDED)).isEqualTo(2);
            assertThat(fixture.rollouts().devices(reverse, Optional.of(RolloutDeviceState.SKIPPED), Optional.empty(),
                    null, 10)).singleElement().satisfies(d -> {
                        assertThat(d.endpoint()).isEqualTo("d-2"); // it reverted by itself
                        assertThat(d.reason()).isEqualTo("already-on-version");
                    });
            for (SimDevice device : fleet) {
                assertThat(device.runningVersion()).as(device.endpoint()).hasToString("1.0.0+0");
            }
            assertThat(fixture.rollouts().devices(id, Optional.empty(), Optional.empty(), null, 10))
                    .extracting(RolloutDevice::endpoint).containsExactly("d-0", "d-1", "d-2");
            assertThat(fixture.rollouts().history(id, 0, 1000)).filteredOn(h -> h.scope().equals("rollout"))
                    .extracting(RolloutHistoryEntry::to)
                    .containsExactly("draft", "running", "rolling-back", "rolled-back");
        }
    }
}
