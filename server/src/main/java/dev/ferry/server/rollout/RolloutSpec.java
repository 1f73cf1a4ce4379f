package dev.ferry.server.rollout;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.update.Delivery;
import dev.ferry.server.update.FailureReason;

/**
 * What an operator asks a rollout to do, as parsed from the API (shapes only; {@code RolloutPlanCheck} judges
 * the whole plan and reports every problem at once). Stored with the rollout and shown back unchanged.
 *
 * @param delivery empty: each device's default delivery, as for a single update session
 * @param startAt null: start when the start action is taken
 * @param window null: no maintenance window, sessions start at any time
 * @param maxConcurrent at most this many of the rollout's update sessions are unfinished at once
 */
public record RolloutSpec(String name, long firmwareId, Target target, Optional<Delivery> delivery,
        Strategy strategy, Gate gate, RetryPolicy retry, OffsetDateTime startAt, MaintenanceWindow window,
        int maxConcurrent, boolean allowDowngrade, boolean allowModelMismatch) {

    public static final int DEFAULT_MAX_CONCURRENT = 100;

    /** A saved group by name (matched as it is when each wave starts), or a filter of its own. */
    public record Target(String group, DeviceFilter filter) {
        public static Target group(String name) {
            return new Target(name, null);
        }

        public static Target filter(DeviceFilter filter) {
            return new Target(null, filter);
        }
    }

    /** How big one wave is: a percentage of the target, a count of devices, or every device not yet reached. */
    public record WaveSize(Double percent, Integer count, boolean rest) {
        public static WaveSize percent(double percent) {
            return new WaveSize(percent, null, false);
        }

        public static WaveSize count(int count) {
            return new WaveSize(null, count, false);
        }

        public static final WaveSize REST = new WaveSize(null, null, true);
    }

    /** How the target is cut into waves (seed 004's strategies). */
    public sealed interface Strategy {
        /** A first wave, then waves growing by {@code stepPercent} of the target each (5 %, then +15 %, ...). */
        record Canary(WaveSize first, double stepPercent) implements Strategy {
        }

        /** Waves of one fixed size until every device is reached. */
        record Rolling(WaveSize waveSize) implements Strategy {
        }

        /** One wave of every device. */
        record AllAtOnce() implements Strategy {
        }

        /** The waves as listed; they must end with {@link WaveSize#REST} or add up to 100 %. */
        record Explicit(List<WaveSize> waves) implements Strategy {
            public Explicit {
                waves = List.copyOf(waves);
            }
        }
    }

    /** What follows a wave whose success condition holds. */
    public enum SuccessAction {
        /** The next wave starts by itself. */
        NEXT_WAVE,
        /** The rollout pauses until a person or an external check promotes it. */
        PAUSE
    }

    /** What follows a wave whose error condition holds. */
    public enum ErrorAction {
        PAUSE, CANCEL, ROLLBACK
    }

    /**
     * Every wave's gate, judged continuously while the wave runs and once every device of it ended or timed out.
     *
     * @param successPercent the wave passes when at least this share of its devices succeeded (and soaked)
     * @param errorPercent the error action is taken when more than this share of the wave's devices failed,
     *        reverted, timed out or turned unhealthy
     * @param minFinished the error condition is judged only once this many devices of the wave finished
     * @param deviceTimeout a device still without an outcome this long after its session started counts as
     *        timed-out (a failure); its session is cancelled where object 5 allows
     * @param soak after a device succeeded it must stay healthy this long: registering again more than
     *        {@code crashLoopRegistrations} times, or going offline, within it counts as unhealthy
     */
    public record Gate(double successPercent, SuccessAction onSuccess, double errorPercent, int minFinished,
            ErrorAction onError, Duration deviceTimeout, Duration soak, int crashLoopRegistrations) {

        public static final Gate DEFAULT = new Gate(95, SuccessAction.NEXT_WAVE, 5, 1, ErrorAction.PAUSE,
                Duration.ofHours(1), Duration.ZERO, 3);
    }

    /**
     * Which failures are tried again, how often in all (the first attempt included) and after how long: the
     * n-th retry waits {@code backoff * multiplier^(n-1)}. Retried devices stay in their wave.
     */
    public record RetryPolicy(Set<FailureReason> retryOn, int maxAttempts, Duration backoff, double multiplier) {
        public static final RetryPolicy DEFAULT = new RetryPolicy(Set.of(FailureReason.CONNECTION_LOST,
                FailureReason.DEVICE_UNREACHABLE, FailureReason.DOWNLOAD_TIMEOUT), 3, Duration.ofSeconds(30), 2);

        public RetryPolicy {
            retryOn = Set.copyOf(retryOn);
        }
    }

    /** When new sessions may start: on these days, from {@code start} for {@code duration}, in {@code zone}. */
    public record MaintenanceWindow(Set<DayOfWeek> days, LocalTime start, Duration duration, ZoneId zone) {
        public MaintenanceWindow {
            days = Set.copyOf(days);
        }
    }
}
