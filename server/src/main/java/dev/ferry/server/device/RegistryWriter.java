package dev.ferry.server.device;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.store.Database;

/**
 * Writes registry changes behind the LwM2M stack's back. {@link #submit} never blocks: Leshan and Californium
 * call it on their own threads, and a registration storm must not stall them on the database. One worker
 * drains the bounded queue and writes up to {@code batchSize} changes per transaction; when the queue is full
 * the change is dropped, counted and logged rather than blocking the caller.
 * <p>
 * A commit costs far more than the statements in it (the embedded database writes every changed page to its file
 * before the commit returns), so the worker gathers what arrives within {@link #GATHER_MILLIS} of the first change
 * into the same transaction: a registration, the identity read that follows it and its neighbours' share a commit.
 */
public final class RegistryWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryWriter.class);
    private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long the first change of a batch waits for others to share its commit. */
    static final long GATHER_MILLIS = 50;

    private final Database database;
    private final StoredIdentities identities;
    private final DeviceEventBus eventBus;
    private final BlockingQueue<RegistryChange> queue;
    private volatile io.micrometer.core.instrument.Timer batchTime;
    private final int batchSize;
    private final Thread worker;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private volatile boolean closing;
    private volatile long lastDropLog;

    public RegistryWriter(Database database, DeviceEventBus eventBus, int capacity, int batchSize) {
        this.database = database;
        this.identities = new StoredIdentities(database);
        this.eventBus = eventBus;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batchSize = batchSize;
        this.worker = new Thread(this::run, "ferry-registry-writer");
        this.worker.setDaemon(true);
    }

    public void start() {
        worker.start();
    }

    /** Queues a change; returns false (and counts it) when the queue is full or the writer is closing. */
    public boolean submit(RegistryChange change) {
        if (!closing && queue.offer(change)) {
            return true;
        }
        long count = dropped.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastDropLog > DROP_LOG_INTERVAL_NANOS) {
            lastDropLog = now;
            LOG.warn("Registry write queue is full or closing; {} change(s) dropped so far (latest: {} of {})",
                    count, change.getClass().getSimpleName(), change.endpoint());
        }
        return false;
    }

    /** The device identities this writer stores, for deciding what to read from a device that registers. */
    public StoredIdentities storedIdentities() {
        return identities;
    }

    public long droppedCount() {
        return dropped.get();
    }

    public long writtenCount() {
        return written.get();
    }

    public int pending() {
        return queue.size();
    }

    /** Its queue's depth and how long each batch's transaction takes, on the server's meters. */
    public void bindMeters(io.micrometer.core.instrument.MeterRegistry meters) {
        io.micrometer.core.instrument.Gauge.builder("ferry.registry.writer.queue.depth", queue, BlockingQueue::size)
                .description("Registry changes (registrations, updates, events) waiting to be written")
                .register(meters);
        batchTime = io.micrometer.core.instrument.Timer.builder("ferry.registry.writer.batch")
                .description("Time to write one batch of registry changes, retries included").register(meters);
    }

    private void run() {
        List<RegistryChange> batch = new ArrayList<>(batchSize);
        while (!closing || !queue.isEmpty()) {
            try {
                RegistryChange first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                gather(batch, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GATHER_MILLIS));
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    /** Adds what is queued, and what arrives until {@code deadline}, up to the batch size; not when closing. */
    private void gather(List<RegistryChange> batch, long deadline) throws InterruptedException {
        queue.drainTo(batch, batchSize - batch.size());
        while (batch.size() < batchSize && !closing) {
            long left = deadline - System.nanoTime();
            RegistryChange next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                return;
            }
            batch.add(next);
            queue.drainTo(batch, batchSize - batch.size());
        }
    }

    private void write(List<RegistryChange> batch) throws InterruptedException {
        long started = System.nanoTime();
        try {
            writeWithRetries(batch);
        } finally {
            io.micrometer.core.instrument.Timer timer = batchTime;
            if (timer != null) {
                timer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            }
        }
    }

    private void writeWithRetries(List<RegistryChange> batch) throws InterruptedException {
        for (int attempt = 1;; attempt++) {
            try {
                List<DeviceEvent> events = database.inTransaction(
                        connection -> RegistryChangeWriter.apply(connection, batch));
                written.addAndGet(batch.size());
                events.forEach(eventBus::publish);
                return;
            } catch (RuntimeException e) {
                if (attempt >= 3) {
                    dropped.addAndGet(batch.size());
                    LOG.error("Dropping {} registry change(s) after {} failed attempts to write them", batch.size(),
                            attempt, e);
                    return;
                }
                LOG.warn("Writing {} registry change(s) failed (attempt {}), retrying", batch.size(), attempt, e);
                Thread.sleep(100L * attempt);
            }
        }
    }

    /** Stops taking changes and waits for the queued ones to be written. */
    @Override
    public void close() {
        closing = true;
        try {
            worker.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            LOG.error("Registry writer did not finish within 30 s; {} change(s) not written", queue.size());
        }
    }
}
