package dev.ferry.server.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.store.Database;

/**
 * The append-only audit log. {@link #append} never blocks: it queues the event for the log's one writer thread,
 * which takes whatever is queued, chains it to the head (sequence number and previous hash), commits it in one
 * transaction and only then completes the returned futures. One writer keeps the chain linear; taking a batch
 * per commit keeps a burst of appends from costing a commit each. Nothing else writes the table.
 *
 * <p>Transitions of the server's own making (see {@link TransitionAuditor}) are appended with the actor
 * {@link Actor#server()}, an action such as {@code rollout.transition}, the target and the outcome.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    static final int MAX_BATCH = 256;
    private static final long[] RETRY_MILLIS = { 100, 500, 2000 };

    /** Longest an entry nobody waits for stays queued, to share a commit with the next one. */
    static final long LINGER_MILLIS = 20;

    private record Pending(AuditEvent event, CompletableFuture<AuditEntry> done, boolean awaited) {
    }

    private final AuditStore store;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closing;
    // Written by the writer thread only.
    private long lastSequence;
    private String lastHash;

    private AuditLog(AuditStore store) {
        this.store = store;
        readHead();
        this.writer = new Thread(this::run, "ferry-audit-writer");
        writer.setDaemon(true);
    }

    /** Opens the log of a migrated database and starts its writer. Blocking (reads the head of the chain). */
    public static AuditLog open(Database database) {
        AuditLog log = new AuditLog(new AuditStore(database));
        log.writer.start();
        return log;
    }

    /**
     * Queues an event someone waits for (an API call's reply); it is committed with whatever else is queued,
     * at once. The future completes with the stored entry once it is committed, or fails.
     */
    public CompletableFuture<AuditEntry> append(AuditEvent event) {
        return enqueue(event, true);
    }

    /**
     * Queues an event nobody waits for (a transition, already committed in its own right): it may wait up to
     * {@value #LINGER_MILLIS} ms for the next entry, so that a transition and the API call that caused it (or a
     * burst of transitions) share one commit instead of costing one each.
     */
    public CompletableFuture<AuditEntry> appendSoon(AuditEvent event) {
        return enqueue(event, false);
    }

    private CompletableFuture<AuditEntry> enqueue(AuditEvent event, boolean awaited) {
        CompletableFuture<AuditEntry> done = new CompletableFuture<>();
        if (closing) {
            done.completeExceptionally(new IllegalStateException("the audit log is closed"));
            LOG.error("Audit entry after shutdown began, not recorded: {} {} {}", event.action(), event.target(),
                    event.outcome());
            return done;
        }
        queue.add(new Pending(event, done, awaited));
        return done;
    }

    /** A page of entries, oldest first. Blocking. */
    public List<AuditEntry> find(AuditQuery query) {
        return store.find(query);
    }

    /** Recomputes the whole chain. Blocking; reads every entry. */
    public AuditVerifier.Verification verify() {
        return store.verify();
    }

    /** Entries queued and not yet committed. */
    public int pending() {
        return queue.size();
    }

    private void readHead() {
        var head = store.last();
        lastSequence = head.map(AuditEntry::sequence).orElse(0L);
        lastHash = head.map(AuditEntry::hash).orElse(AuditChain.GENESIS);
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (!closing || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                linger(batch);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("Audit writer failed", e);
            } finally {
                batch.clear();
            }
        }
    }

    /** While nobody waits for the batch, gives the next entry up to {@link #LINGER_MILLIS} to join it. */
    private void linger(List<Pending> batch) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
        while (!closing && batch.size() < MAX_BATCH && batch.stream().noneMatch(Pending::awaited)) {
            long left = deadline - System.nanoTime();
            Pending next = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
            queue.drainTo(batch, MAX_BATCH - batch.size());
        }
    }

    private void write(List<Pending> batch) throws InterruptedException {
        for (int attempt = 0;; attempt++) {
            List<AuditEntry> entries = chain(batch);
            try {
                store.insert(entries);
                AuditEntry head = entries.get(entries.size() - 1);
                lastSequence = head.sequence();
                lastHash = head.hash();
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).done().complete(entries.get(i));
                }
                return;
            } catch (RuntimeException e) {
                if (attempt >= RETRY_MILLIS.length) {
                    LOG.error("Could not write {} audit entr{}; they are lost: {}", batch.size(),
                            batch.size() == 1 ? "y" : "ies", e.getMessage());
                    batch.forEach(p -> p.done().completeExceptionally(e));
                    return;
                }
                LOG.warn("Writing {} audit entries failed, retrying in {} ms: {}", batch.size(), RETRY_MILLIS[attempt],
                        e.getMessage());
                Thread.sleep(RETRY_MILLIS[attempt]);
                if (committedAfterAll(entries)) {
                    for (int i = 0; i < batch.size(); i++) {
                        batch.get(i).done().complete(entries.get(i));
                    }
                    return;
                }
            }
        }
    }

    /** After a failed commit: whether it went through all the same (then the head is the batch's last entry). */
    private boolean committedAfterAll(List<AuditEntry> entries) {
        try {
            readHead();
        } catch (RuntimeException e) {
            LOG.debug("Reading the audit head failed too", e);
            return false;
        }
        AuditEntry last = entries.get(entries.size() - 1);
        return lastSequence == last.sequence() && lastHash.equals(last.hash());
    }

    private List<AuditEntry> chain(List<Pending> batch) {
        List<AuditEntry> entries = new ArrayList<>(batch.size());
        long sequence = lastSequence;
        String previous = lastHash;
        for (Pending p : batch) {
            AuditEntry entry = AuditEntry.chained(++sequence, p.event(), previous);
            entries.add(entry);
            previous = entry.hash();
        }
        return entries;
    }

    /** Writes what is queued, then stops the writer. Call before the database closes. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.warn("Audit writer did not finish within 10 s; {} entr{} not written", queue.size(),
                    queue.size() == 1 ? "y" : "ies");
            writer.interrupt();
        }
        for (Pending left; (left = queue.poll()) != null;) {
            left.done().completeExceptionally(new IllegalStateException("the audit log closed before writing it"));
        }
    }
}
