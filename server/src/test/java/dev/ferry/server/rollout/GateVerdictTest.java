package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ferry.server.rollout.GateVerdict.Decision;
import dev.ferry.server.rollout.RolloutSpec.Gate;

/** The gate on counts: early errors from minFinished, answered failures not judged twice, empty waves pass. */
class GateVerdictTest {
    private static final Gate GATE = new Gate(95, RolloutSpec.SuccessAction.NEXT_WAVE, 5, 10,
            RolloutSpec.ErrorAction.PAUSE, Duration.ofHours(1), Duration.ZERO, 3);

    private static Map<RolloutDeviceState, Integer> counts(int succeeded, int failed, int unfinished, int skipped) {
        return Map.of(RolloutDeviceState.SUCCEEDED, succeeded, RolloutDeviceState.FAILED, failed,
                RolloutDeviceState.UPDATING, unfinished, RolloutDeviceState.SKIPPED, skipped);
    }

    @Test
    void failuresCountOnlyOnceEnoughDevicesFinished() {
        assertThat(GateVerdict.judge(GATE, counts(0, 9, 91, 0), 0).decision()).isEqualTo(Decision.WAIT);
        GateVerdict error = GateVerdict.judge(GATE, counts(4, 6, 90, 0), 0);
        assertThat(error.decision()).isEqualTo(Decision.ERROR);
        assertThat(error.detail()).isEqualTo("6 of the wave's 100 device(s) failed (6 %), more than 5 %");
        assertThat(error.failures()).isEqualTo(6);
    }

    @Test
    void failuresAreAShareOfTheWaveNotOfTheDevicesFinishedSoFar() {
        // 2 of the first 10 finished failed, but 2 of the wave's 100 is not more than 5 %
        assertThat(GateVerdict.judge(GATE, counts(8, 2, 90, 0), 0).decision()).isEqualTo(Decision.WAIT);
    }

    @Test
    void failuresTheGateAlreadyAnsweredDoNotStopTheWaveAgainButNewOnesDo() {
        assertThat(GateVerdict.judge(GATE, counts(10, 6, 84, 0), 6).decision()).isEqualTo(Decision.WAIT);
        assertThat(GateVerdict.judge(GATE, counts(10, 7, 83, 0), 6).decision()).isEqualTo(Decision.ERROR);
    }

    @Test
    void aFinishedWavePassesOnItsShareOfSuccessesAndSkippedDevicesDoNotCount() {
        GateVerdict pass = GateVerdict.judge(GATE, counts(19, 1, 0, 30), 1);
        assertThat(pass.decision()).isEqualTo(Decision.PASS);
        assertThat(pass.detail()).isEqualTo("19 of 20 succeeded (95 %), at least 95 %");
        assertThat(GateVerdict.judge(GATE, counts(18, 2, 0, 0), 2).decision()).isEqualTo(Decision.ERROR);
    }

    @Test
    void aWaveOfSkippedDevicesOnlyPasses() {
        GateVerdict empty = GateVerdict.judge(GATE, counts(0, 0, 0, 12), 0);
        assertThat(empty.decision()).isEqualTo(Decision.PASS);
        assertThat(GateVerdict.judge(GATE, Map.of(), 0).decision()).isEqualTo(Decision.PASS);
    }
}
