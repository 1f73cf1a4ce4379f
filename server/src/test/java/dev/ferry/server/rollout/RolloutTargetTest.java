package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Who a wave takes: the target matched anew at each wave, and what a rollback may not put back. */
class RolloutTargetTest {

    private static RolloutSpec pausingAfterEachWave(RolloutSpec p, long firmwareId) {
        return new RolloutSpec(p.name(), firmwareId, p.target(), p.delivery(), p.strategy(),
                EngineFixture.gate(p.gate(), g -> new RolloutSpec.Gate(g.successPercent(),
                        RolloutSpec.SuccessAction.PAUSE, g.errorPercent(), g.minFinished(), g.onError(),
                        g.deviceTimeout(), g.soak(), g.crashLoopRegistrations())),
                p.retry(), null, null, p.maxConcurrent(), false, false);
    }

    @Test
    @Timeout(180)
    void aDeviceTaggedIntoTheTargetMidRolloutJoinsTheNextWave() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            fixture.devices("grp", 3, "grp");
            SimDevice late = fixture.device("aaa-late", fixture.v1, Faults.none(), b -> b, "lab");
            RolloutSpec spec = pausingAfterEachWave(fixture.plan("grp", new RolloutSpec.Strategy.Canary(
                    RolloutSpec.WaveSize.count(1), 50)), fixture.firmwareV2);
            long id = fixture.rollouts().create(spec, "alice").id();
            fixture.rollouts().act(id, RolloutAction.START, "alice");
            fixture.await(id, "waiting for promotion after its canary", r -> r.status() == RolloutStatus.PAUSED);
            assertThat(fixture.rollouts().devices(id, Optional.empty(), Optional.empty(), null, 10))
                    .extracting(RolloutDevice::endpoint).containsExactly("grp-0");

            TestServer.Reply tagged = fixture.server.patch("/api/v1/devices/aaa-late",
                    new JsonObject().put("tags", new JsonArray(List.of("lab", "grp"))).encode());
            assertThat(tagged.status()).as(tagged.body()).isEqualTo(200);
            fixture.rollouts().act(id, RolloutAction.PROMOTE, "alice");
            fixture.await(id, "waiting after its second wave", r -> r.status() == RolloutStatus.PAUSED
                    && r.currentWave() == 1);
            // 50 % of the four devices the target has now, in endpoint order
            assertThat(fixture.rollouts().devices(id, Optional.empty(), Optional.of(1), null, 10))
                    .extracting(RolloutDevice::endpoint).containsExactly("aaa-late", "grp-1");

            fixture.rollouts().act(id, RolloutAction.PROMOTE, "alice");
            fixture.await(id, "waiting after its third wave", r -> r.status() == RolloutStatus.PAUSED
                    && r.currentWave() == 2);
            fixture.rollouts().act(id, RolloutAction.PROMOTE, "alice");
            Rollout done = fixture.awaitStatus(id, RolloutStatus.COMPLETED);
            assertThat(done.counts().get(RolloutDeviceState.SUCCEEDED)).isEqualTo(4);
            assertThat(fixture.rollouts().waves(id)).extracting(RolloutWave::planned).containsExactly(1, 2, 1);
            assertThat(late.runningVersion()).hasToString("1.1.0+0");
        }
    }

    @Test
    @Timeout(180)
    void aRollbackLeavesDevicesWhoseSecurityCounterRefusesTheOldImageAndListsThem() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            List<SimDevice> fleet = fixture.devices("sc", 2, "secure");
            long counted = fixture.publish(Images.signed("1.2.0", EngineFixture.IMAGE_BODY, fixture.key, 5L));
            RolloutSpec p = fixture.plan("secure", new RolloutSpec.Strategy.AllAtOnce());
            RolloutSpec spec = new RolloutSpec("to 1.2.0", counted, p.target(), p.delivery(), p.strategy(), p.gate(),
                    p.retry(), null, null, p.maxConcurrent(), false, false);
            long id = fixture.rollouts().create(spec, "alice").id();
            fixture.rollouts().act(id, RolloutAction.START, "alice");
            fixture.awaitStatus(id, RolloutStatus.COMPLETED);

            Rollout rollingBack = fixture.rollouts().act(id, RolloutAction.ROLLBACK, "alice");
            assertThat(rollingBack.rolledBackBy()).isNotNull();
            Rollout original = fixture.awaitStatus(id, RolloutStatus.ROLLED_BACK);
            Rollout reverse = fixture.rollouts().find(original.rolledBackBy()).orElseThrow();
            assertThat(reverse.status()).isEqualTo(RolloutStatus.COMPLETED);
            assertThat(reverse.firmwareId()).isNull();
            assertThat(fixture.rollouts().devices(reverse.id(), Optional.empty(), Optional.empty(), null, 10))
                    .hasSize(2).allSatisfy(d -> {
                        assertThat(d.state()).isEqualTo(RolloutDeviceState.SKIPPED);
                        assertThat(d.reason()).isEqualTo("security-counter");
                        assertThat(d.detail()).contains("security counter");
                    });
            for (SimDevice device : fleet) {
                assertThat(device.runningVersion()).hasToString("1.2.0+0");
            }
            assertThat(fixture.server.eventsSoFar()).noneMatch(e -> e.detail() != null
                    && e.detail().startsWith("update 3 ")); // no third session was made
        }
    }
}
