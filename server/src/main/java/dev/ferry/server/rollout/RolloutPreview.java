package dev.ferry.server.rollout;

import java.util.List;
import java.util.Map;

/**
 * What a plan would do if started now, before anything is stored: so an operator sees how many devices each wave
 * takes. Later waves are sized again when they start, against the target as it is then.
 *
 * @param matched devices the target matches now
 * @param eligible matched devices the rollout would update
 * @param waveSizes devices each wave would take, first wave first (at most {@link #MAX_WAVES_LISTED})
 * @param waveCount waves the plan needs for the eligible devices
 * @param skipped matched devices it would skip, by reason ({@code already-on-version}, {@code model-mismatch},
 *        {@code in-another-rollout})
 */
public record RolloutPreview(int matched, int eligible, List<Integer> waveSizes, int waveCount,
        Map<String, Integer> skipped) {
    /** A rolling plan of one device a wave over a large fleet has as many waves as devices; the list stops here. */
    public static final int MAX_WAVES_LISTED = 100;

    public RolloutPreview {
        waveSizes = List.copyOf(waveSizes);
        skipped = Map.copyOf(skipped);
    }
}
