package dev.ferry.server.rollout;

import dev.ferry.server.rollout.RolloutSpec.Strategy;
import dev.ferry.server.rollout.RolloutSpec.WaveSize;

/**
 * How many devices each wave takes. Sizes are judged when a wave starts, against the target as it is then (the
 * devices already in the rollout plus those newly matched), so devices that joined the target meanwhile count.
 * Percentages round up and a wave takes at least one device: 5 % of 30 devices is 2, never 0.
 */
final class WavePlan {

    private WavePlan() {
    }

    /**
     * @param wave index of the wave about to start, from 0
     * @param target eligible devices of the whole target now (already reached plus still waiting)
     * @param waiting eligible devices not in any wave yet
     * @return devices the wave takes, at most {@code waiting}; 0 when the plan has no such wave
     */
    static int size(Strategy strategy, int wave, int target, int waiting) {
        if (!hasWave(strategy, wave)) {
            return 0;
        }
        long wanted;
        if (strategy instanceof Strategy.Canary canary) {
            wanted = wave == 0 ? of(canary.first(), target) : percentOf(canary.stepPercent(), target);
        } else if (strategy instanceof Strategy.Rolling rolling) {
            wanted = of(rolling.waveSize(), target);
        } else if (strategy instanceof Strategy.Explicit explicit) {
            wanted = wave == explicit.waves().size() - 1 ? Long.MAX_VALUE : of(explicit.waves().get(wave), target);
        } else {
            wanted = Long.MAX_VALUE; // all at once
        }
        return (int) Math.min(wanted, waiting);
    }

    /** Whether the plan has a wave of this index at all (explicit waves end; the others go on while devices wait). */
    static boolean hasWave(Strategy strategy, int wave) {
        if (strategy instanceof Strategy.AllAtOnce) {
            return wave == 0;
        }
        if (strategy instanceof Strategy.Explicit explicit) {
            return wave < explicit.waves().size();
        }
        return true;
    }

    /** The waves the plan needs for the devices now waiting, this one included: what the rollout shows as planned. */
    static int waveCount(Strategy strategy, int wave, int target, int waiting) {
        int count = wave;
        int left = waiting;
        while (left > 0 && hasWave(strategy, count)) {
            left -= Math.max(1, size(strategy, count, target, left));
            count++;
        }
        return Math.max(count, wave + 1);
    }

    private static long of(WaveSize size, int target) {
        if (size.rest()) {
            return Long.MAX_VALUE;
        }
        if (size.count() != null) {
            return Math.max(1, size.count());
        }
        return percentOf(size.percent(), target);
    }

    private static long percentOf(double percent, int target) {
        // The small allowance keeps 5 % of 100 at 5 where binary fractions would make it 5.000000001.
        return Math.max(1, (long) Math.ceil(percent * target / 100.0 - 1e-9));
    }
}
