package dev.ferry.server.bootstrap;

/** A batch change that contradicts the current state (a duplicate name, revoking a revoked batch). */
public final class BatchConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BatchConflictException(String message) {
        super(message);
    }
}
