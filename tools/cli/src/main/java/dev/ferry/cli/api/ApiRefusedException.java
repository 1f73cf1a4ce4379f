package dev.ferry.cli.api;

import com.fasterxml.jackson.databind.JsonNode;

/** The server answered with an error status; {@link #getMessage()} is its problem detail in words. */
public final class ApiRefusedException extends Exception {
    private final int status;
    private final JsonNode problem;
    private java.time.Duration retryAfter = java.time.Duration.ofSeconds(1);

    public ApiRefusedException(int status, String message, JsonNode problem) {
        super(message);
        this.status = status;
        this.problem = problem;
    }

    public int status() {
        return status;
    }

    /** How long the server asked to wait before trying again (429, 503); 1 s when it did not say. */
    public java.time.Duration retryAfter() {
        return retryAfter;
    }

    void retryAfter(java.time.Duration wait) {
        this.retryAfter = wait;
    }

    /** The problem document, or null when the answer was not one. */
    public JsonNode problem() {
        return problem;
    }
}
