package dev.ferry.cli.api;

/** No answer from the server: it cannot be connected to, or it did not answer within the request timeout. */
public final class ServerUnreachableException extends Exception {

    public ServerUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
