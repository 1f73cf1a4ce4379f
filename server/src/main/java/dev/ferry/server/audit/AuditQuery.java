package dev.ferry.server.audit;

import java.time.Instant;

/**
 * A page of the audit log, oldest first: entries after sequence {@code after} (0: from the start), optionally
 * only those of one actor name, target or action, and those that happened at or after {@code since} and before
 * {@code until}. Null filters match everything.
 */
public record AuditQuery(String actor, String target, String action, Instant since, Instant until, long after,
        int limit) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
}
