package dev.ferry.server.command;

/** No command (of that device) or fleet command job has the id asked for. */
public final class UnknownCommandException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnknownCommandException(String message) {
        super(message);
    }
}
