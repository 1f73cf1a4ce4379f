package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

/**
 * Actions checked against the state machine, drafts the only editable rollouts, and the guard: a device held by a
 * rollout takes no direct update session. A closed maintenance window keeps the devices pending, so nothing moves
 * while the test looks.
 */
class RolloutActionsTest {

    private static RolloutSpec held(EngineFixture fixture, String tag) {
        RolloutSpec p = fixture.plan(tag, new RolloutSpec.Strategy.AllAtOnce());
        // Sundays only: the clock says Monday.
        return new RolloutSpec(p.name(), p.firmwareId(), p.target(), p.delivery(), p.strategy(), p.gate(), p.retry(),
                null, new RolloutSpec.MaintenanceWindow(Set.of(DayOfWeek.SUNDAY), LocalTime.of(1, 0),
                        Duration.ofHours(2), ZoneOffset.UTC), p.maxConcurrent(), false, false);
    }

    @Test
    @Timeout(120)
    void aDeviceHeldByARolloutRefusesADirectUpdateNamingTheRolloutUntilTheRolloutIsCancelled() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            fixture.devices("held", 2, "pilot");
            fixture.devices("free", 1, "elsewhere");
            long id = fixture.rollouts().create(held(fixture, "pilot"), "alice").id();
            fixture.rollouts().act(id, RolloutAction.START, "alice");
            fixture.await(id, "holding its devices", r -> r.counts().get(RolloutDeviceState.PENDING) == 2);

            TestServer.Reply refused = fixture.server.post("/api/v1/devices/held-0/updates",
                    new JsonObject().put("firmwareId", fixture.firmwareV2).encode());
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.isProblem()).isTrue();
            assertThat(refused.body()).contains("rollout " + id + " ('to 1.1.0', running)");
            assertThat(fixture.rollouts().holding("held-0")).map(Rollout::id).contains(id);
            assertThat(fixture.rollouts().holding("free-0")).isEmpty();
            assertThat(fixture.server.post("/api/v1/devices/free-0/updates",
                    new JsonObject().put("firmwareId", fixture.firmwareV2).encode()).status()).isEqualTo(201);

            Rollout cancelled = fixture.rollouts().act(id, RolloutAction.CANCEL, "bob");
            assertThat(cancelled.status()).isEqualTo(RolloutStatus.CANCELLED);
            assertThat(cancelled.counts().get(RolloutDeviceState.CANCELLED)).isEqualTo(2);
            assertThat(fixture.rollouts().waves(id)).extracting(RolloutWave::status)
                    .containsExactly(RolloutWave.Status.CANCELLED);
            assertThat(fixture.rollouts().holding("held-0")).isEmpty();
            assertThat(fixture.server.post("/api/v1/devices/held-0/updates",
                    new JsonObject().put("firmwareId", fixture.firmwareV2).encode()).status()).isEqualTo(201);
        }
    }

    @Test
    @Timeout(120)
    void anActionThatDoesNotApplyIsRefusedWithTheAllowedOnesAndChangesNothing() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            fixture.devices("d", 1, "pilot");
            RolloutSpec spec = held(fixture, "pilot");
            long id = fixture.rollouts().create(spec, "alice").id();

            assertThatThrownBy(() -> fixture.rollouts().act(id, RolloutAction.RESUME, "alice"))
                    .isInstanceOfSatisfying(RolloutStateException.class, e -> {
                        assertThat(e.status()).isEqualTo(RolloutStatus.DRAFT);
                        assertThat(e.allowed()).containsExactlyInAnyOrder(RolloutAction.START, RolloutAction.CANCEL);
                    });
            Rollout edited = fixture.rollouts().edit(id, new RolloutSpec("renamed", spec.firmwareId(), spec.target(),
                    spec.delivery(), spec.strategy(), spec.gate(), spec.retry(), null, spec.window(), 5, false, false),
                    "alice");
            assertThat(edited.name()).isEqualTo("renamed");
            assertThat(edited.spec().maxConcurrent()).isEqualTo(5);

            fixture.rollouts().act(id, RolloutAction.START, "alice");
            int historyBefore = fixture.rollouts().history(id, 0, 1000).size();
            assertThatThrownBy(() -> fixture.rollouts().edit(id, spec, "alice"))
                    .isInstanceOfSatisfying(RolloutStateException.class,
                            e -> assertThat(e.status()).isEqualTo(RolloutStatus.RUNNING));
            assertThatThrownBy(() -> fixture.rollouts().delete(id, "alice"))
                    .isInstanceOf(RolloutStateException.class);
            assertThatThrownBy(() -> fixture.rollouts().act(id, RolloutAction.START, "alice"))
                    .isInstanceOfSatisfying(RolloutStateException.class, e -> assertThat(e.allowed())
                            .containsExactlyInAnyOrder(RolloutAction.PAUSE, RolloutAction.CANCEL,
                                    RolloutAction.ROLLBACK, RolloutAction.PROMOTE));
            assertThat(fixture.rollouts().find(id).orElseThrow().name()).isEqualTo("renamed");
            assertThat(fixture.rollouts().history(id, 0, 1000)).hasSize(historyBefore);

            assertThatThrownBy(() -> fixture.rollouts().act(424242, RolloutAction.START, "alice"))
                    .isInstanceOf(Rollouts.UnknownRolloutException.class);

            long draft = fixture.rollouts().create(spec, "alice").id();
            fixture.rollouts().delete(draft, "alice");
            assertThat(fixture.rollouts().find(draft)).isEmpty();
            assertThat(fixture.rollouts().list(Optional.empty(), 0, 10)).extracting(Rollout::id).containsExactly(id);
            assertThat(fixture.rollouts().list(Optional.of(RolloutStatus.DRAFT), 0, 10)).isEmpty();
        }
    }

    @Test
    @Timeout(120)
    void pauseHoldsNewSessionsAndResumeGoesOn() throws Exception {
        try (EngineFixture fixture = new EngineFixture()) {
            fixture.devices("p", 2, "pilot");
            RolloutSpec p = fixture.plan("pilot", new RolloutSpec.Strategy.AllAtOnce());
            long id = fixture.rollouts().create(p, "alice").id();
            // Paused right after it started: sessions already under way finish, no new one starts until resumed.
            fixture.rollouts().act(id, RolloutAction.START, "alice");
            Rollout paused = fixture.rollouts().act(id, RolloutAction.PAUSE, "alice");
            assertThat(paused.status()).isEqualTo(RolloutStatus.PAUSED);
            Rollout resumed = fixture.rollouts().act(id, RolloutAction.RESUME, "alice");
            assertThat(resumed.status()).isEqualTo(RolloutStatus.RUNNING);
            Rollout done = fixture.awaitStatus(id, RolloutStatus.COMPLETED);
            assertThat(done.counts().get(RolloutDeviceState.SUCCEEDED)).isEqualTo(2);
            assertThat(fixture.rollouts().history(id, 0, 1000)).filteredOn(h -> h.scope().equals("rollout"))
                    .extracting(RolloutHistoryEntry::to)
                    .containsExactly("draft", "running", "paused", "running", "completed");
        }
    }
}
