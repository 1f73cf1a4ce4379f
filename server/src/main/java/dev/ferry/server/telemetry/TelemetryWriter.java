package dev.ferry.server.telemetry;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Writes telemetry in batches on its own thread, off the protocol threads that hand it values. Its queue is
 * bounded: when the database falls that far behind, further values are dropped, counted and logged (at most
 * once per {@link #DROP_LOG_INTERVAL_NANOS}), so that a burst never grows the heap. Each committed batch is
 * then published on the {@link TelemetryBus}.
 */
public final class TelemetryWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryWriter.class);
    private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Time given to what is queued at shutdown. */
    private static final long CLOSE_TIMEOUT_MS = 10_000;

    /** @param queueCapacity values waiting at most; @param batchSize values per transaction at most */
    public record Settings(int queueCapacity, int batchSize) {
    }

    private final TelemetryStore store;
    private final TelemetryBus bus;
    private final Clock clock;
    private final int batchSize;
    private final BlockingQueue<TelemetryPoint> queue;
    private final Thread thread;
    private final Counter written;
    private final Counter dropped;
    private final Counter failed;
    private final Timer batchTime;
    private final AtomicLong droppedSinceLog = new AtomicLong();
    private volatile long lastDropLog = System.nanoTime() - DROP_LOG_INTERVAL_NANOS;
    private volatile boolean closing;
    /** Guards {@link #enqueued} together with the queue's order, so that sequence numbers follow it. */
    private final Object enqueueLock = new Object();
    /** Values queued so far; the n-th value queued is the n-th the writer takes. */
    private long enqueued;
    /** Values the writer has taken and written or lost so far; its thread only. */
    private long taken;
    /** Callers waiting for their values' commit, in sequence order. */
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

    /** Values numbered {@code first} to {@code last} that a Send waits on. */
    private record Waiter(long first, long last, CompletableFuture<Void> committed) {
    }

    /** The number of the last value of the latest batch that could not be written; its thread only. */
    private long lostThrough;

    /** Why values offered with {@link #offerDurably} were not stored. */
    public static final class NotStored extends Exception {
        private final boolean overloaded;

        NotStored(String message, boolean overloaded) {
            super(message);
            this.overloaded = overloaded;
        }

        /** True when the writer was full or stopping (try again later), false when the database failed. */
        public boolean overloaded() {
            return overloaded;
        }
    }

    public TelemetryWriter(TelemetryStore store, TelemetryBus bus, Settings settings, MeterRegistry meters,
            Clock clock) {
        this.store = store;
        this.bus = bus;
        this.clock = clock;
        this.batchSize = settings.batchSize();
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.written = Counter.builder("ferry.telemetry.points.written").description("Telemetry values stored")
                .register(meters);
        this.dropped = Counter.builder("ferry.telemetry.points.dropped")
                .description("Telemetry values dropped because the writer's queue was full").register(meters);
        this.failed = Counter.builder("ferry.telemetry.points.failed")
                .description("Telemetry values lost because their batch could not be written").register(meters);
        this.batchTime = Timer.builder("ferry.telemetry.batch").description("Time to write one telemetry batch")
                .register(meters);
        Gauge.builder("ferry.telemetry.queue.depth", queue, BlockingQueue::size)
                .description("Telemetry values waiting to be written").register(meters);
        this.thread = new Thread(this::run, "ferry-telemetry-writer");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /**
     * Queues the values without blocking, from any thread; what does not fit is dropped and counted.
     *
     * @return how many were queued
     */
    public int offer(List<TelemetryPoint> points) {
        int queued = 0;
        synchronized (enqueueLock) {
            for (TelemetryPoint point : points) {
                if (closing || !queue.offer(point)) {
                    break;
                }
                queued++;
            }
            enqueued += queued;
        }
        if (queued < points.size()) {
            shed(points.size() - queued);
        }
        return queued;
    }

    /**
     * Queues all the values or none, and completes once every one of them is committed: what a device is told
     * was stored (a Send's 2.04) then survives a crash. Fails with {@link NotStored} when the queue has no room
     * for them all (they are dropped and counted) or their batch could not be written.
     */
    public CompletableFuture<Void> offerDurably(List<TelemetryPoint> points) {
        if (points.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> committed = new CompletableFuture<>();
        synchronized (enqueueLock) {
            // The writer only takes values out, so room seen here cannot shrink before they are in.
            if (!closing && queue.remainingCapacity() >= points.size()) {
                // The waiter goes in first: the writer may take and commit the values the moment they are queued.
                waiters.add(new Waiter(enqueued + 1, enqueued + points.size(), committed));
                queue.addAll(points);
                enqueued += points.size();
                return committed;
            }
        }
        shed(points.size());
        committed.completeExceptionally(new NotStored(closing ? "the server is stopping"
                : "the telemetry writer is " + queue.size() + " values behind", true));
        return committed;
    }

    /** Values waiting to be written. */
    public int pending() {
        return queue.size();
    }

    public long droppedCount() {
        return (long) dropped.count();
    }

    private void shed(int count) {
        dropped.increment(count);
        long since = droppedSinceLog.addAndGet(count);
        long now = System.nanoTime();
        if (now - lastDropLog >= DROP_LOG_INTERVAL_NANOS) {
            lastDropLog = now;
            droppedSinceLog.addAndGet(-since);
            LOG.warn("Telemetry writer is {} value(s) behind (telemetry.queue-capacity): dropped {} value(s) since"
                    + " the last warning", queue.size(), since);
        }
    }

    private void run() {
        List<TelemetryPoint> batch = new ArrayList<>(batchSize);
        while (true) {
            try {
                TelemetryPoint first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, batchSize - 1);
                write(batch);
                batch.clear();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void write(List<TelemetryPoint> batch) {
        long started = System.nanoTime();
        taken += batch.size();
        try {
            store.insert(batch, clock.instant());
        } catch (RuntimeException e) {
            failed.increment(batch.size());
            LOG.error("Telemetry batch of {} value(s) could not be written; they are lost: {}", batch.size(),
                    e.getMessage());
            lostThrough = taken;
            release();
            return;
        } finally {
            batchTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        written.increment(batch.size());
        release();
        bus.publish(List.copyOf(batch));
    }

    /**
     * Answers the waiters whose values were all in the batches taken so far: committed, unless one of their
     * values was in a batch that could not be written.
     */
    private void release() {
        Waiter waiter;
        while ((waiter = waiters.peek()) != null && waiter.last() <= taken) {
            waiters.poll();
            if (waiter.first() <= lostThrough) {
                waiter.committed().completeExceptionally(new NotStored("the database refused the values", false));
            } else {
                waiter.committed().complete(null);
            }
        }
    }

    /** Refuses new values, writes what is queued (for up to 10 s), then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(CLOSE_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
            LOG.warn("Telemetry writer stopped with {} value(s) unwritten", queue.size());
        }
        Waiter waiter;
        while ((waiter = waiters.poll()) != null) {
            waiter.committed().completeExceptionally(new NotStored("the server stopped before writing them", true));
        }
    }
}
