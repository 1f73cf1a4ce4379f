package dev.ferry.sim.link;

import java.util.Random;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One device's radio: every datagram of its LwM2M endpoint and of its firmware downloads passes here.
 * Loses datagrams at random, delays them for bandwidth and latency, drops everything while the device
 * is powered off, and drops what arrives while a sleeping device has its radio off (sending wakes it).
 * Thread-safe.
 */
public final class SimLink {
    private final LinkConditions conditions;
    private final Random random;
    private final ScheduledExecutorService scheduler;
    private volatile boolean up = true;
    private final AtomicLong lastSentNanos = new AtomicLong(System.nanoTime());
    private final AtomicInteger keepAwake = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private long nextFreeOutgoing;
    private long nextFreeIncoming;
    private volatile Consumer<Boolean> sleepListener = asleep -> { };
    private boolean reportedAsleep;

    public SimLink(LinkConditions conditions, Random random, ScheduledExecutorService scheduler) {
        this.conditions = conditions;
        this.random = random;
        this.scheduler = scheduler;
    }

    public LinkConditions conditions() {
        return conditions;
    }

    /** Power: a link that is down passes nothing. */
    public void setUp(boolean up) {
        this.up = up;
        if (up) {
            synchronized (this) {
                reportedAsleep = false;
            }
            lastSentNanos.set(System.nanoTime());
        }
    }

    public boolean isUp() {
        return up;
    }

    /** Keeps the radio on while work is under way (a download), whatever the sleep cycle says. */
    public void holdAwake() {
        keepAwake.incrementAndGet();
    }

    public void releaseAwake() {
        keepAwake.decrementAndGet();
        sent();
    }

    /** Told {@code true} when a sleeping device's radio goes off, {@code false} when sending wakes it. */
    public void onSleepChange(Consumer<Boolean> listener) {
        this.sleepListener = listener;
    }

    private void sent() {
        lastSentNanos.set(System.nanoTime());
        if (!conditions.sleeps()) {
            return;
        }
        boolean woke;
        synchronized (this) {
            woke = reportedAsleep;
            reportedAsleep = false;
        }
        if (woke) {
            sleepListener.accept(false);
        }
        later(conditions.awakeTime().toNanos() + 1_000_000, this::checkSleep);
    }

    private void checkSleep() {
        boolean fellAsleep;
        synchronized (this) {
            fellAsleep = up && isAsleep() && !reportedAsleep;
            reportedAsleep |= fellAsleep;
        }
        if (fellAsleep) {
            sleepListener.accept(true);
        }
    }

    /** True while a sleeping device has its radio off: nothing sent to it arrives. */
    public boolean isAsleep() {
        return conditions.sleeps() && keepAwake.get() == 0
                && System.nanoTime() - lastSentNanos.get() > conditions.awakeTime().toNanos();
    }

    /** Datagrams lost so far, in both directions. */
    public long droppedDatagrams() {
        return dropped.get();
    }

    /** Decides the fate of an outgoing datagram; sending wakes a sleeping device. True means lost. */
    boolean dropOutgoing() {
        if (!up) {
            dropped.incrementAndGet();
            return true;
        }
        sent();
        return lost();
    }

    /** True when an incoming datagram is lost: link down, radio asleep, or bad luck. */
    boolean dropIncoming() {
        if (!up || isAsleep()) {
            dropped.incrementAndGet();
            return true;
        }
        return lost();
    }

    private boolean lost() {
        if (conditions.lossRate() > 0 && random.nextDouble() < conditions.lossRate()) {
            dropped.incrementAndGet();
            return true;
        }
        return false;
    }

    /** How long an outgoing datagram of {@code bytes} waits: queued behind earlier ones, plus latency. */
    long outgoingDelayNanos(int bytes) {
        synchronized (this) {
            long now = System.nanoTime();
            nextFreeOutgoing = serialise(now, nextFreeOutgoing, bytes);
            return Math.max(0, nextFreeOutgoing - now) + conditions.latency().toNanos();
        }
    }

    /** How long {@code bytes} arriving now take to be delivered. Also paces HTTP bodies. */
    public long incomingDelayNanos(int bytes) {
        synchronized (this) {
            long now = System.nanoTime();
            nextFreeIncoming = serialise(now, nextFreeIncoming, bytes);
            return Math.max(0, nextFreeIncoming - now) + conditions.latency().toNanos();
        }
    }

    private long serialise(long now, long nextFree, int bytes) {
        if (conditions.bytesPerSecond() == 0) {
            return now;
        }
        return Math.max(now, nextFree) + bytes * 1_000_000_000L / conditions.bytesPerSecond();
    }

    /** Runs {@code task} after {@code nanos}, or at once when there is nothing to wait for. */
    void later(long nanos, Runnable task) {
        if (nanos <= 0) {
            task.run();
            return;
        }
        try {
            scheduler.schedule(task, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            // the device's threads are gone: so is the datagram
        }
    }

    /** Like {@link #later} for callers outside this package (the HTTP download pacing its reads). */
    public void runLater(long nanos, Runnable task) {
        later(nanos, task);
    }
}
