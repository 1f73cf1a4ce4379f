package dev.ferry.server.rollout;

import java.util.Map;

import dev.ferry.server.rollout.RolloutSpec.Gate;

/**
 * What a wave's gate says about the wave's devices as they are now. Judged after every device outcome and when
 * the last device of the wave finished, always on counts read in the same pass, by the one scheduler thread.
 *
 * <p>The error condition compares failures (failed, timed-out, unhealthy) with the wave's devices, as
 * {@link RolloutSpec.Gate#errorPercent()} says, once at least {@code minFinished} of them finished: failures only
 * grow, so a bad image stops the wave as soon as the share is crossed instead of after every device tried it. Failures the gate already answered (a pause an operator then resumed) do not stop the wave again; new ones
 * do. The success condition is judged once no device of the wave is unfinished; a wave whose devices were all
 * skipped has nothing to judge and passes. A finished wave that misses its success condition is an error too.
 */
record GateVerdict(Decision decision, String detail, int failures) {

    enum Decision {
        /** Devices are still unfinished and nothing went wrong so far. */
        WAIT,
        /** The success condition holds for the finished wave. */
        PASS,
        /** The error condition holds, or the finished wave missed the success condition. */
        ERROR
    }

    static GateVerdict judge(Gate gate, Map<RolloutDeviceState, Integer> counts, int failuresSeen) {
        int succeeded = n(counts, RolloutDeviceState.SUCCEEDED);
        int failures = n(counts, RolloutDeviceState.FAILED) + n(counts, RolloutDeviceState.TIMED_OUT)
                + n(counts, RolloutDeviceState.UNHEALTHY);
        int unfinished = n(counts, RolloutDeviceState.PENDING) + n(counts, RolloutDeviceState.UPDATING)
                + n(counts, RolloutDeviceState.SOAKING);
        int finished = succeeded + failures;
        int eligible = finished + unfinished;
        if (finished >= Math.max(1, gate.minFinished()) && failures > failuresSeen
                && failures * 100.0 > gate.errorPercent() * eligible) {
            return new GateVerdict(Decision.ERROR, failures + " of the wave's " + eligible + " device(s) failed ("
                    + percent(failures, eligible) + "), more than " + number(gate.errorPercent()) + " %", failures);
        }
        if (unfinished > 0) {
            return new GateVerdict(Decision.WAIT, succeeded + " of " + eligible + " succeeded so far, " + unfinished
                    + " unfinished", failures);
        }
        if (eligible == 0) {
            return new GateVerdict(Decision.PASS, "no device of the wave needed the update", failures);
        }
        if (succeeded * 100.0 >= gate.successPercent() * eligible) {
            return new GateVerdict(Decision.PASS, succeeded + " of " + eligible + " succeeded ("
                    + percent(succeeded, eligible) + "), at least " + number(gate.successPercent()) + " %", failures);
        }
        return new GateVerdict(Decision.ERROR, "only " + succeeded + " of " + eligible + " succeeded ("
                + percent(succeeded, eligible) + "), " + number(gate.successPercent()) + " % needed", failures);
    }

    private static int n(Map<RolloutDeviceState, Integer> counts, RolloutDeviceState state) {
        return counts.getOrDefault(state, 0);
    }

    private static String percent(int part, int whole) {
        return number(Math.round(part * 1000.0 / whole) / 10.0) + " %";
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
