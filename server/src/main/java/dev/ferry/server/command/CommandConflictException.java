package dev.ferry.server.command;

/** A command or job that is past the point where the request applies (cancelling one already sent or ended). */
public final class CommandConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommandConflictException(String message) {
        super(message);
    }
}
