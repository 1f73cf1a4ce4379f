package dev.ferry.server.update;

/** A request that conflicts with a session's state; the API answers 409. */
public final class UpdateConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UpdateConflictException(String message) {
        super(message);
    }
}
