package dev.ferry.cli.api;

import com.fasterxml.jackson.databind.JsonNode;

/** The server answered with an error status; {@link #getMessage()} is its problem detail in words. */
public final class ApiRefusedException extends Exception {
    private final int status;
    private final JsonNode problem;

    public ApiRefusedException(int status, String message, JsonNode problem) {
        super(message);
        this.status = status;
        this.problem = problem;
    }

    public int status() {
        return status;
    }

    /** The problem document, or null when the answer was not one. */
    public JsonNode problem() {
        return problem;
    }
}
