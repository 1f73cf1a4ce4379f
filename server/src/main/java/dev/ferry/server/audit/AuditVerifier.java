package dev.ferry.server.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Recomputes the hash chain from the first entry to the last. An entry is broken when its sequence number does
 * not follow the one before it (entries were deleted), when its previous hash is not the hash of the entry
 * before it (an entry before it was changed or removed, or it was inserted), or when its own hash does not match
 * its fields (it was changed). What the chain cannot show alone is the newest entries being cut off: compare the
 * head ({@link Verification#head()}) with one recorded elsewhere for that.
 */
public final class AuditVerifier {

    /** Where the chain first breaks, and why. */
    public record Broken(long sequence, String reason) {
    }

    /** The result: valid when nothing is broken; {@code entries} counts all entries read. */
    public record Verification(boolean valid, long entries, Optional<Broken> firstBroken, Optional<AuditEntry> head) {
    }

    private AuditVerifier() {
    }

    /** Reads the whole log in sequence order on {@code connection}, streaming, so the log's size does not matter. */
    public static Verification verify(Connection connection) throws SQLException {
        long count = 0;
        long expected = 1;
        String previousHash = AuditChain.GENESIS;
        Broken broken = null;
        AuditEntry last = null;
        try (PreparedStatement query = connection.prepareStatement(AuditStore.ALL)) {
            query.setFetchSize(1000);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    AuditEntry entry = AuditStore.read(rows);
                    count++;
                    if (broken == null) {
                        broken = check(entry, expected, previousHash);
                    }
                    expected = entry.sequence() + 1;
                    previousHash = entry.hash();
                    last = entry;
                }
            }
        }
        return new Verification(broken == null, count, Optional.ofNullable(broken), Optional.ofNullable(last));
    }

    static Broken check(AuditEntry entry, long expected, String previousHash) {
        long sequence = entry.sequence();
        if (sequence != expected) {
            String missing = sequence == expected + 1 ? "entry " + expected + " is missing"
                    : "entries " + expected + " to " + (sequence - 1) + " are missing";
            return new Broken(sequence, missing + ": the entry before this one was deleted");
        }
        if (!entry.previousHash().equals(previousHash)) {
            return new Broken(sequence, sequence == 1 ? "the first entry does not start the chain (its previous"
                    + " hash is not " + AuditChain.GENESIS + ")"
                    : "its previous hash does not match the hash of entry " + (sequence - 1)
                            + ": that entry was changed or replaced");
        }
        if (!entry.recomputedHash().equals(entry.hash())) {
            return new Broken(sequence, "its hash does not match its contents: the entry was changed after it was"
                    + " written");
        }
        return null;
    }
}
