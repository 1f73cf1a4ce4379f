package dev.ferry.server.telemetry;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
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
        for (TelemetryPoint point : points) {
            if (closing || !queue.offer(point)) {
                shed(points.size() - queued);
                return queued;
            }
            queued++;
        }
        return queued;
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
        try {
            store.insert(batch, clock.instant());
        } catch (RuntimeException e) {
            failed.increment(batch.size());
            LOG.error("Telemetry batch of {} value(s) could not be written; they are lost: {}", batch.size(),
                    e.getMessage());
            return;
        } finally {
            batchTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        written.increment(batch.size());
        bus.publish(List.copyOf(batch));
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
    }
}
