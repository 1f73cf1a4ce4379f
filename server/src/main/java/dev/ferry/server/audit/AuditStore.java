package dev.ferry.server.audit;

import static dev.ferry.server.store.generated.Tables.AUDIT_LOG;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jooq.Condition;
import org.jooq.impl.DSL;

import dev.ferry.server.store.Database;

/** The audit_log table. Blocking; appends come only from {@link AuditLog}'s writer thread. */
final class AuditStore {
    static final String COLUMNS = "seq, occurred_at, actor, actor_role, action, target, outcome, summary, prev_hash,"
            + " entry_hash";
    private static final String INSERT = "INSERT INTO audit_log (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String LAST = "SELECT " + COLUMNS + " FROM audit_log ORDER BY seq DESC FETCH FIRST 1 ROWS ONLY";
    static final String ALL = "SELECT " + COLUMNS + " FROM audit_log ORDER BY seq";

    private final Database database;

    AuditStore(Database database) {
        this.database = database;
    }

    /** The newest entry, the head of the chain; empty for an empty log. */
    Optional<AuditEntry> last() {
        return database.inTransaction(connection -> {
            try (PreparedStatement query = connection.prepareStatement(LAST); ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(read(rows)) : Optional.<AuditEntry>empty();
            }
        });
    }

    /** Appends entries in one transaction: all are committed when this returns, or none. */
    void insert(List<AuditEntry> entries) {
        database.inTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                for (AuditEntry e : entries) {
                    insert.setLong(1, e.sequence());
                    insert.setObject(2, OffsetDateTime.ofInstant(e.time(), ZoneOffset.UTC));
                    insert.setString(3, e.actor().name());
                    insert.setString(4, e.actor().role());
                    insert.setString(5, e.action());
                    insert.setString(6, e.target());
                    insert.setString(7, e.outcome());
                    insert.setString(8, e.summary());
                    insert.setString(9, e.previousHash());
                    insert.setString(10, e.hash());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    List<AuditEntry> find(AuditQuery q) {
        Condition condition = AUDIT_LOG.SEQ.gt(q.after());
        if (q.actor() != null) {
            condition = condition.and(AUDIT_LOG.ACTOR.eq(q.actor()));
        }
        if (q.target() != null) {
            condition = condition.and(AUDIT_LOG.TARGET.eq(q.target()));
        }
        if (q.action() != null) {
            condition = condition.and(AUDIT_LOG.ACTION.eq(q.action()));
        }
        if (q.since() != null) {
            condition = condition.and(AUDIT_LOG.OCCURRED_AT.ge(OffsetDateTime.ofInstant(q.since(), ZoneOffset.UTC)));
        }
        if (q.until() != null) {
            condition = condition.and(AUDIT_LOG.OCCURRED_AT.lt(OffsetDateTime.ofInstant(q.until(), ZoneOffset.UTC)));
        }
        List<AuditEntry> page = new ArrayList<>();
        database.dsl().select(DSL.asterisk()).from(AUDIT_LOG).where(condition).orderBy(AUDIT_LOG.SEQ)
                .limit(q.limit()).fetch().forEach(r -> page.add(new AuditEntry(r.get(AUDIT_LOG.SEQ),
                        r.get(AUDIT_LOG.OCCURRED_AT).toInstant(), new Actor(r.get(AUDIT_LOG.ACTOR),
                                r.get(AUDIT_LOG.ACTOR_ROLE)), r.get(AUDIT_LOG.ACTION), r.get(AUDIT_LOG.TARGET),
                        r.get(AUDIT_LOG.OUTCOME), r.get(AUDIT_LOG.SUMMARY), r.get(AUDIT_LOG.PREV_HASH),
                        r.get(AUDIT_LOG.ENTRY_HASH))));
        return page;
    }

    /** Verifies the whole chain on a pooled connection. */
    AuditVerifier.Verification verify() {
        return database.inTransaction(AuditVerifier::verify);
    }

    /** One row of a query selecting {@link #COLUMNS}, in that order. */
    static AuditEntry read(ResultSet row) throws SQLException {
        Instant time = row.getObject(2, OffsetDateTime.class).toInstant();
        return new AuditEntry(row.getLong(1), time, new Actor(row.getString(3), row.getString(4)), row.getString(5),
                row.getString(6), row.getString(7), row.getString(8), row.getString(9), row.getString(10));
    }

    /** Whether the connected database has an audit log at all (one not yet migrated has none). */
    static boolean exists(Connection connection) throws SQLException {
        try (ResultSet tables = connection.getMetaData().getTables(null, null, "%", new String[] { "TABLE" })) {
            while (tables.next()) {
                if ("audit_log".equalsIgnoreCase(tables.getString("TABLE_NAME"))) {
                    return true;
                }
            }
        }
        return false;
    }
}
