package dev.ferry.server.audit;

import java.time.Instant;

/** One stored entry of the audit log: an {@link AuditEvent} with its place in the hash chain. */
public record AuditEntry(long sequence, Instant time, Actor actor, String action, String target, String outcome,
        String summary, String previousHash, String hash) {

    static AuditEntry chained(long sequence, AuditEvent event, String previousHash) {
        String hash = AuditChain.hash(sequence, event.time(), event.actor(), event.action(), event.target(),
                event.outcome(), event.summary(), previousHash);
        return new AuditEntry(sequence, event.time(), event.actor(), event.action(), event.target(), event.outcome(),
                event.summary(), previousHash, hash);
    }

    /** The hash this entry's fields give; differs from {@link #hash()} when a stored field was changed. */
    String recomputedHash() {
        return AuditChain.hash(sequence, time, actor, action, target, outcome, summary, previousHash);
    }
}
