package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.update.FailureReason;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;

/** What the scheduler times by its clock: the maintenance window, the device timeout, retries with backoff. */
class RolloutTimingTest {

    private static RolloutSpec with(RolloutSpec p, RolloutSpec.Gate gate, RolloutSpec.RetryPolicy retry,
            RolloutSpec.MaintenanceWindow window) {
        return new RolloutSpec(p.name(), p.firmwareId(), p.target(), p.delivery(), p.strategy(), gate, retry,
                p.startAt(), window, p.maxConcurrent(), p.allowDowngrade(), p.allowModelMismatch());
    }

    @Test
    @Timeout(120)
    void aMaintenanceWindowHoldsTheWaveUntilItOpens() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            fixture.devices("w", 2, "night");
            // The clock says Monday 10:00 UTC, 11:00 in Paris; the window opens at 12:00 in Paris, for an hour.
            RolloutSpec plan = fixture.plan("night", new RolloutSpec.Strategy.AllAtOnce());
            RolloutSpec spec = with(plan, plan.gate(), plan.retry(), new RolloutSpec.MaintenanceWindow(
                    Set.of(DayOfWeek.MONDAY), LocalTime.of(12, 0), Duration.ofHours(1), ZoneId.of("Europe/Paris")));
            long id = fixture.rollouts().create(spec, "alice").id();
            fixture.rollouts().act(id, RolloutAction.START, "alice");

            Rollout held = fixture.await(id, "waiting for its window", r -> r.statusDetail() != null
                    && r.statusDetail().startsWith("waiting for the maintenance window"));
            assertThat(held.status()).isEqualTo(RolloutStatus.RUNNING);
            assertThat(held.statusDetail()).endsWith("opens at 2026-03-02T12:00+01:00");
            assertThat(held.counts().get(RolloutDeviceState.PENDING)).isEqualTo(2);
            assertThat(fixture.server.eventsSoFar()).noneMatch(e -> e.type() == DeviceEventType.UPDATE);

            fixture.clock.set(Instant.parse("2026-03-02T11:00:00Z"));
            Rollout done = fixture.awaitStatus(id, RolloutStatus.COMPLETED);
            assertThat(done.counts().get(RolloutDeviceState.SUCCEEDED)).isEqualTo(2);
        }
    }

    @Test
    @Timeout(120)
    void aDeviceWithoutAnOutcomeTimesOutAndCountsAsAFailure() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            fixture.device("silent", fixture.v1, Faults.none().ignoreUpdate(), b -> b, "quiet");
            fixture.device("talker", fixture.v1, Faults.none(), b -> b, "quiet");
            RolloutSpec plan = fixture.plan("quiet", new RolloutSpec.Strategy.AllAtOnce());
            RolloutSpec spec = with(plan, new RolloutSpec.Gate(50, RolloutSpec.SuccessAction.NEXT_WAVE, 60, 1,
                    RolloutSpec.ErrorAction.PAUSE, Duration.ofMinutes(10), Duration.ZERO, 3), plan.retry(), null);
            long id = fixture.rollouts().create(spec, "alice").id();
            fixture.rollouts().act(id, RolloutAction.START, "alice");

            fixture.server.waitForEvent(e -> e.type() == DeviceEventType.UPDATE && "silent".equals(e.endpoint())
                    && e.detail().contains(" updating"), "the silent device asked to install");
            fixture.await(id, "saw the talker succeed", r -> r.counts().get(RolloutDeviceState.SUCCEEDED) == 1);
            assertThat(fixture.rollouts().find(id).orElseThrow().counts().get(RolloutDeviceState.UPDATING))
                    .isEqualTo(1);

            fixture.clock.advance(Duration.ofMinutes(10).plusSeconds(1));
            Rollout done = fixture.awaitStatus(id, RolloutStatus.COMPLETED);
            assertThat(done.counts().get(RolloutDeviceState.TIMED_OUT)).isEqualTo(1);
            assertThat(fixture.rollouts().devices(id, Optional.of(RolloutDeviceState.TIMED_OUT), Optional.empty(),
                    null, 10)).singleElement().satisfies(d -> {
                        assertThat(d.endpoint()).isEqualTo("silent");
                        assertThat(d.reason()).isEqualTo("timed-out");
                    });
            assertThat(fixture.rollouts().waves(id).get(0).gateDetail()).startsWith("1 of 2 succeeded (50 %)");
        }
    }

    @Test
    @Timeout(120)
    void aDroppedConnectionIsRetriedAfterItsBackoffAndSucceeds() throws Exception {
        // The session itself does not try again: what the rollout does is seen alone.
        try (EngineFixture fixture = new EngineFixture(s -> s.with(Setting.UPDATE_MAX_ATTEMPTS, "1"))) {
            // Dropped twice in a row at the same byte: the device gives up with result 4 (connection lost).
            SimDevice flaky = fixture.device("flaky", fixture.v1, Faults.none().dropConnectionAt(2048, 2),
                    b -> b.downloadRetries(1, Duration.ofMillis(20)), "radio");
            RolloutSpec plan = fixture.plan("radio", new RolloutSpec.Strategy.AllAtOnce());
            RolloutSpec spec = with(plan, plan.gate(), new RolloutSpec.RetryPolicy(Set.of(
                    FailureReason.CONNECTION_LOST), 3, Duration.ofMinutes(5), 2), null);
            long id = fixture.rollouts().create(spec, "alice").id();
            fixture.rollouts().act(id, RolloutAction.START, "alice");

            Rollout waiting = fixture.await(id, "waiting to retry", r -> r.counts().get(RolloutDeviceState.PENDING) == 1
                    && fixture.rollouts().devices(id, Optional.empty(), Optional.empty(), null, 1).get(0)
                            .attempts() == 1);
            RolloutDevice first = fixture.rollouts().devices(id, Optional.empty(), Optional.empty(), null, 1).get(0);
            assertThat(first.reason()).isEqualTo("connection-lost");
            assertThat(first.nextAttemptAt().toInstant()).isEqualTo(fixture.clock.instant()
                    .plus(Duration.ofMinutes(5)));
            assertThat(waiting.status()).isEqualTo(RolloutStatus.RUNNING);

            fixture.clock.advance(Duration.ofMinutes(5));
            Rollout done = fixture.awaitStatus(id, RolloutStatus.COMPLETED);
            RolloutDevice after = fixture.rollouts().devices(id, Optional.empty(), Optional.empty(), null, 1).get(0);
            assertThat(after.state()).isEqualTo(RolloutDeviceState.SUCCEEDED);
            assertThat(done.counts().get(RolloutDeviceState.SUCCEEDED)).isEqualTo(1);
            assertThat(after.attempts()).isEqualTo(2);
            assertThat(fixture.server.get("/api/v1/devices/flaky/updates").json().getJsonArray("items"))
                    .as("its sessions").hasSize(2);
            assertThat(flaky.runningVersion()).hasToString("1.1.0+0");
        }
    }
}
