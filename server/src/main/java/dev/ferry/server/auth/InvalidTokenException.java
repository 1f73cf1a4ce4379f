package dev.ferry.server.auth;

/** A token request that cannot be made as given; the message says what is wrong and what is accepted. */
public class InvalidTokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidTokenException(String message) {
        super(message);
    }
}
