package dev.ferry.sim.link;

import java.time.Duration;

/**
 * How bad a device's network is. Immutable; {@link #PERFECT} is loopback as it is.
 *
 * @param lossRate probability in [0, 1) that a datagram is lost, drawn for each datagram in each direction
 * @param bytesPerSecond bandwidth of the link in each direction, 0 for unlimited
 * @param latency one-way delay added to every datagram (and to the start of every HTTP body chunk)
 * @param awakeTime for a sleeping device (queue mode): how long the radio stays on after the device last
 *     sent something; null for a device that never sleeps
 */
public record LinkConditions(double lossRate, long bytesPerSecond, Duration latency, Duration awakeTime) {

    public static final LinkConditions PERFECT = new LinkConditions(0, 0, Duration.ZERO, null);

    public LinkConditions {
        if (lossRate < 0 || lossRate >= 1) {
            throw new IllegalArgumentException("loss rate " + lossRate + " must be in [0, 1)");
        }
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bandwidth must not be negative");
        }
        if (latency == null || latency.isNegative()) {
            throw new IllegalArgumentException("latency must be zero or positive");
        }
        if (awakeTime != null && awakeTime.isNegative()) {
            throw new IllegalArgumentException("awake time must be zero or positive");
        }
    }

    public boolean sleeps() {
        return awakeTime != null;
    }
}
