package dev.ferry.server.rollout;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.firmware.Firmware;
import dev.ferry.server.firmware.FirmwareRepository;
import dev.ferry.server.rollout.InvalidRolloutException.Problem;
import dev.ferry.server.update.FailureReason;

/**
 * Whether a plan can run, judged whole before anything is stored: every problem is reported at once (422), with
 * the field it is about, so that an operator fixes a plan in one round. Reads the firmware repository and the
 * registry; call it from a worker thread.
 */
public final class RolloutPlanCheck implements RolloutService.PlanCheck {
    /**
     * The failures that can go away by trying again: the connection, the device's reachability, its time or its
     * memory. A device that reverted, refused the image or cannot take it fails the same way on every attempt.
     */
    public static final Set<FailureReason> RETRYABLE = Set.copyOf(EnumSet.of(FailureReason.CONNECTION_LOST,
            FailureReason.DEVICE_UNREACHABLE, FailureReason.DOWNLOAD_TIMEOUT, FailureReason.INSTALL_TIMEOUT,
            FailureReason.OUT_OF_RAM));
    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_ATTEMPTS = 10;
    public static final Duration MAX_DEVICE_TIMEOUT = Duration.ofDays(30);
    public static final Duration MAX_SOAK = Duration.ofDays(7);
    public static final Duration MAX_BACKOFF = Duration.ofDays(1);
    public static final double MAX_MULTIPLIER = 10;
    private static final long MINUTES_PER_WEEK = Duration.ofDays(7).toMinutes();

    private final FirmwareRepository firmware;
    private final DeviceRepository devices;
    private final Function<String, Optional<DeviceFilter>> groups;
    private final Clock clock;

    /**
     * @param devices the registry, asked whether a target matches any device now (an empty target is refused)
     * @param groups the filter of the saved group of that name, empty when there is none
     * @param clock what "now" is for a start time, the clock the scheduler reads
     */
    public RolloutPlanCheck(FirmwareRepository firmware, DeviceRepository devices,
            Function<String, Optional<DeviceFilter>> groups, Clock clock) {
        this.firmware = firmware;
        this.devices = devices;
        this.groups = groups;
        this.clock = clock;
    }

    /** Returns when the plan can run; otherwise {@link InvalidRolloutException} with every problem. */
    @Override
    public void accept(RolloutSpec spec) {
        List<Problem> problems = problems(spec);
        if (!problems.isEmpty()) {
            throw new InvalidRolloutException(problems);
        }
    }

    /**
     * Every problem of a plan. Parts that are null (a partial plan whose shape problems are already known) are
     * passed over.
     */
    public List<Problem> problems(RolloutSpec spec) {
        List<Problem> problems = new ArrayList<>();
        if (spec.name() != null && (spec.name().isBlank() || spec.name().length() > MAX_NAME_LENGTH)) {
            problems.add(new Problem("name", "must be 1 to " + MAX_NAME_LENGTH + " characters, not blank"));
        }
        checkFirmware(spec.firmwareId(), problems);
        if (spec.target() != null) {
            checkTarget(spec.target(), problems);
        }
        if (spec.strategy() != null) {
            checkStrategy(spec.strategy(), problems);
        }
        if (spec.gate() != null) {
            checkGate(spec.gate(), problems);
        }
        if (spec.retry() != null) {
            checkRetry(spec.retry(), problems);
        }
        if (spec.startAt() != null && !spec.startAt().toInstant().isAfter(clock.instant())) {
            problems.add(new Problem("startAt", "is in the past (" + spec.startAt() + "); give a later time, or"
                    + " leave it out to start when the start action is taken"));
        }
        if (spec.window() != null) {
            checkWindow(spec.window(), problems);
        }
        if (spec.maxConcurrent() < 1) {
            problems.add(new Problem("maxConcurrent", "must be at least 1, got " + spec.maxConcurrent()));
        }
        return problems;
    }

    private void checkFirmware(long id, List<Problem> problems) {
        if (id < 1) {
            problems.add(new Problem("firmwareId", "must be the id of a published image (1 or more), got " + id));
            return;
        }
        Optional<Firmware> image = firmware.find(id);
        if (image.isEmpty()) {
            problems.add(new Problem("firmwareId", "no firmware image with id " + id
                    + "; list images with GET /api/v1/firmware"));
        } else if (!image.get().isPublished()) {
            problems.add(new Problem("firmwareId", "firmware image " + id + " is not published; publish it with"
                    + " POST /api/v1/firmware/" + id + "/publish first"));
        }
    }

    private void checkTarget(RolloutSpec.Target target, List<Problem> problems) {
        if (target.group() != null) {
            Optional<DeviceFilter> group = groups.apply(target.group());
            if (group.isEmpty()) {
                problems.add(new Problem("target.group", "no saved group named '" + target.group()
                        + "'; list groups with GET /api/v1/groups"));
            } else if (matchesNone(group.get())) {
                problems.add(new Problem("target.group", "group '" + target.group() + "' matches no device now;"
                        + " a rollout needs at least one"));
            }
        } else if (target.filter() != null && matchesNone(target.filter())) {
            problems.add(new Problem("target.filter", "matches no device now; a rollout needs at least one (the"
                    + " same filter on GET /api/v1/devices shows what it matches)"));
        }
    }

    /** One row asked for, not all: a target of 100,000 devices is judged as fast as one of ten. */
    private boolean matchesNone(DeviceFilter filter) {
        return devices.matching(filter, null, 1).isEmpty();
    }

    private static void checkStrategy(RolloutSpec.Strategy strategy, List<Problem> problems) {
        if (strategy instanceof RolloutSpec.Strategy.Canary canary) {
            checkSize(canary.first(), "strategy.first", problems);
            checkPercent(canary.stepPercent(), "strategy.stepPercent", false, problems);
        } else if (strategy instanceof RolloutSpec.Strategy.Rolling rolling) {
            checkSize(rolling.waveSize(), "strategy.waveSize", problems);
        } else if (strategy instanceof RolloutSpec.Strategy.Explicit explicit) {
            checkWaves(explicit.waves(), problems);
        }
    }

    private static void checkWaves(List<RolloutSpec.WaveSize> waves, List<Problem> problems) {
        if (waves.isEmpty()) {
            problems.add(new Problem("strategy.waves", "lists no wave; give at least one"));
            return;
        }
        double percent = 0;
        boolean counts = false;
        for (int i = 0; i < waves.size(); i++) {
            RolloutSpec.WaveSize wave = waves.get(i);
            String field = "strategy.waves[" + i + "]";
            if (wave.rest() && i < waves.size() - 1) {
                problems.add(new Problem(field, "{rest: true} can only be the last wave: it takes every device"
                        + " not yet reached"));
            }
            checkSize(wave, field, problems);
            percent += wave.percent() == null ? 0 : wave.percent();
            counts |= wave.count() != null;
        }
        boolean endsWithRest = waves.get(waves.size() - 1).rest();
        if (percent > 100 + 1e-9) {
            problems.add(new Problem("strategy.waves", "the waves' percentages add up to " + format(percent)
                    + " %, more than the whole target"));
        } else if (!endsWithRest && (counts || Math.abs(percent - 100) > 1e-9)) {
            problems.add(new Problem("strategy.waves", "the waves do not add up to the whole target"
                    + (counts ? " (a count of devices cannot)" : " (" + format(percent) + " %)")
                    + "; end with {\"rest\": true} or make the percentages add up to 100"));
        }
    }

    private static void checkSize(RolloutSpec.WaveSize size, String field, List<Problem> problems) {
        if (size.percent() != null) {
            checkPercent(size.percent(), field + ".percent", false, problems);
        } else if (size.count() != null && size.count() < 1) {
            problems.add(new Problem(field + ".count", "must be at least 1 device, got " + size.count()));
        }
    }

    /** In (0, 100], or [0, 100] where zero means something (a threshold). */
    private static void checkPercent(double value, String field, boolean zeroAllowed, List<Problem> problems) {
        if (!(value >= 0 && value <= 100) || value == 0 && !zeroAllowed) {
            problems.add(new Problem(field, "must be " + (zeroAllowed ? "from 0" : "more than 0") + " to 100 (a"
                    + " percentage), got " + format(value)));
        }
    }

    private static void checkGate(RolloutSpec.Gate gate, List<Problem> problems) {
        checkPercent(gate.successPercent(), "gate.successPercent", true, problems);
        checkPercent(gate.errorPercent(), "gate.errorPercent", true, problems);
        if (gate.minFinished() < 1) {
            problems.add(new Problem("gate.minFinished", "must be at least 1, got " + gate.minFinished()));
        }
        checkDuration(gate.deviceTimeout(), Duration.ofSeconds(1), MAX_DEVICE_TIMEOUT, "gate.deviceTimeoutSeconds",
                problems);
        checkDuration(gate.soak(), Duration.ZERO, MAX_SOAK, "gate.soakSeconds", problems);
        if (gate.crashLoopRegistrations() < 1) {
            problems.add(new Problem("gate.crashLoopRegistrations", "must be at least 1 (registrations within the"
                    + " soak period beyond which a device counts as crash-looping), got "
                    + gate.crashLoopRegistrations()));
        }
    }

    private static void checkRetry(RolloutSpec.RetryPolicy retry, List<Problem> problems) {
        Set<FailureReason> never = retry.retryOn().stream().filter(r -> !RETRYABLE.contains(r))
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(FailureReason.class)));
        if (!never.isEmpty()) {
            problems.add(new Problem("retry.on", names(never) + " would fail the same way again and cannot be"
                    + " retried; the reasons that can are " + names(RETRYABLE)));
        }
        if (retry.maxAttempts() < 1 || retry.maxAttempts() > MAX_ATTEMPTS) {
            problems.add(new Problem("retry.maxAttempts", "must be from 1 (no retry) to " + MAX_ATTEMPTS
                    + " attempts in all, got " + retry.maxAttempts()));
        }
        checkDuration(retry.backoff(), Duration.ZERO, MAX_BACKOFF, "retry.backoffSeconds", problems);
        if (!(retry.multiplier() >= 1 && retry.multiplier() <= MAX_MULTIPLIER)) {
            problems.add(new Problem("retry.multiplier", "must be from 1 (a fixed backoff) to "
                    + format(MAX_MULTIPLIER) + ", got " + format(retry.multiplier())));
        }
    }

    private static void checkWindow(RolloutSpec.MaintenanceWindow window, List<Problem> problems) {
        if (window.days().isEmpty()) {
            problems.add(new Problem("window.days", "lists no day, so the window never opens; give at least one"
                    + " of mon, tue, wed, thu, fri, sat, sun"));
        }
        long minutes = window.duration().toMinutes();
        if (minutes < 1 || minutes > MINUTES_PER_WEEK) {
            problems.add(new Problem("window.durationMinutes", (minutes < 1 ? "a window of " + minutes
                    + " minutes never opens" : "is longer than a week") + "; give 1 to " + MINUTES_PER_WEEK
                    + " minutes"));
        }
    }

    private static void checkDuration(Duration value, Duration min, Duration max, String field,
            List<Problem> problems) {
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            problems.add(new Problem(field, "must be from " + min.toSeconds() + " to " + max.toSeconds()
                    + " seconds, got " + value.toSeconds()));
        }
    }

    private static String names(Set<FailureReason> reasons) {
        return reasons.stream().sorted().map(FailureReason::wireName).collect(Collectors.joining(", "));
    }

    private static String format(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
