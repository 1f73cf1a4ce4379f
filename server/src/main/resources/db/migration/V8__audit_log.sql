-- The audit log: who did what to the fleet, append-only and tamper-evident. Each entry carries the hash of the
-- one before it and its own hash over all its fields (see dev.ferry.server.audit.AuditChain for the encoding),
-- so editing, inserting or deleting a row in the middle breaks the chain at that row. The sequence is assigned
-- by the server's one audit writer, not by the database, so that a deleted row leaves a gap that can be seen.
CREATE TABLE audit_log (
    seq          BIGINT        PRIMARY KEY,
    occurred_at  TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    actor        VARCHAR(128)  NOT NULL,
    actor_role   VARCHAR(16)   NOT NULL,
    action       VARCHAR(300)  NOT NULL,
    target       VARCHAR(300)  NOT NULL,
    outcome      VARCHAR(64)   NOT NULL,
    summary      VARCHAR(4000) NOT NULL,
    prev_hash    CHAR(64)      NOT NULL,
    entry_hash   CHAR(64)      NOT NULL
);

-- "What happened to this device (or image)" is the question asked most, so the target is indexed for it
-- (pages run in sequence order). Actor, action and time filters read the log in sequence order instead: every
-- index costs each append a write, and appends happen on every call that changes something.
CREATE INDEX audit_log_target_idx ON audit_log (target, seq);
