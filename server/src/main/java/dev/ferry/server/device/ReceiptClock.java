package dev.ferry.server.device;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stamps values at the moment the server receives them from a device: microseconds since the epoch, strictly
 * increasing within the process, so of two values of one resource the later received always has the larger stamp
 * (even within one microsecond or when the wall clock steps back), and a restarted server continues from the
 * wall clock.
 */
public final class ReceiptClock {
    private static final AtomicLong LAST = new AtomicLong();

    private ReceiptClock() {
    }

    public static long next() {
        long now = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        return LAST.updateAndGet(last -> Math.max(last + 1, now));
    }
}
