package dev.ferry.server.command;

/** A command that cannot be queued as given; the message says what to change. */
public final class InvalidCommandException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidCommandException(String message) {
        super(message);
    }
}
