package dev.ferry.server.update;

/** A request for an update that cannot be made as asked; the API answers 422 with the reason. */
public final class InvalidUpdateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidUpdateException(String message) {
        super(message);
    }
}
