package dev.ferry.server.update;

/** A request for an update that cannot be made as asked; the API answers 422 with the reason. */
public final class InvalidUpdateException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final UpdateRefusal reason;

    public InvalidUpdateException(UpdateRefusal reason, String message) {
        super(message);
        this.reason = reason;
    }

    public UpdateRefusal reason() {
        return reason;
    }
}
