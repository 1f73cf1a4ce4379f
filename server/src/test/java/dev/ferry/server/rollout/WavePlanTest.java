package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ferry.server.rollout.RolloutSpec.Strategy;
import dev.ferry.server.rollout.RolloutSpec.WaveSize;

/** Wave sizes: percentages round up, a wave takes at least one device, explicit waves end with the rest. */
class WavePlanTest {

    @Test
    void aCanaryTakesItsFirstShareThenStepsOfTheTarget() {
        Strategy canary = new Strategy.Canary(WaveSize.percent(5), 15);
        assertThat(WavePlan.size(canary, 0, 100, 100)).isEqualTo(5);
        assertThat(WavePlan.size(canary, 1, 100, 95)).isEqualTo(15);
        assertThat(WavePlan.size(canary, 7, 100, 5)).isEqualTo(5); // no more than wait
        assertThat(WavePlan.waveCount(canary, 0, 100, 100)).isEqualTo(8); // 5 + 6 × 15 + 5
    }

    @Test
    void percentagesRoundUpAndNeverMakeAnEmptyWave() {
        Strategy canary = new Strategy.Canary(WaveSize.percent(5), 10);
        assertThat(WavePlan.size(canary, 0, 30, 30)).isEqualTo(2); // 1.5 → 2
        assertThat(WavePlan.size(canary, 0, 3, 3)).isEqualTo(1); // 0.15 → 1
        assertThat(WavePlan.size(new Strategy.Rolling(WaveSize.percent(10)), 0, 100, 100)).isEqualTo(10);
        assertThat(WavePlan.size(new Strategy.Rolling(WaveSize.count(0)), 0, 10, 10)).isEqualTo(1);
    }

    @Test
    void explicitWavesEndWithEveryDeviceLeftAndHaveNoWaveAfterTheLast() {
        Strategy waves = new Strategy.Explicit(List.of(WaveSize.percent(1), WaveSize.percent(10),
                WaveSize.percent(50), WaveSize.REST));
        assertThat(WavePlan.size(waves, 0, 5000, 5000)).isEqualTo(50);
        assertThat(WavePlan.size(waves, 1, 5000, 4950)).isEqualTo(500);
        assertThat(WavePlan.size(waves, 2, 5000, 4450)).isEqualTo(2500);
        assertThat(WavePlan.size(waves, 3, 5000, 1950)).isEqualTo(1950);
        assertThat(WavePlan.hasWave(waves, 4)).isFalse();
        assertThat(WavePlan.size(waves, 4, 5000, 10)).isZero();
        // waves that add up to 100 %: the last one takes what rounding left over
        Strategy halves = new Strategy.Explicit(List.of(WaveSize.percent(33), WaveSize.percent(67)));
        assertThat(WavePlan.size(halves, 1, 10, 6)).isEqualTo(6);
    }

    @Test
    void allAtOnceIsOneWave() {
        assertThat(WavePlan.size(new Strategy.AllAtOnce(), 0, 7, 7)).isEqualTo(7);
        assertThat(WavePlan.hasWave(new Strategy.AllAtOnce(), 1)).isFalse();
    }
}
