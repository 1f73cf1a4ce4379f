package dev.ferry.sim.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import picocli.CommandLine.Option;

/**
 * The bearer token sent with every call to Ferry's HTTP API: {@code --token}, else the file {@code --token-file}
 * names (such as the server's {@code <data-dir>/admin.token}), else the {@code FERRY_TOKEN} environment variable.
 * A picocli mixin for the commands that call the API.
 */
public final class ApiToken {
    public static final String ENVIRONMENT = "FERRY_TOKEN";

    @Option(names = "--token", paramLabel = "TOKEN", description = "API token for Ferry's HTTP API."
            + " Default: --token-file, else $" + ENVIRONMENT)
    String token;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the API token, e.g. the server's <data-dir>/admin.token")
    Path tokenFile;

    /** The token, or null when none is given anywhere. */
    public String value() {
        if (token != null && !token.isBlank()) {
            return token.strip();
        }
        if (tokenFile != null) {
            return read(tokenFile);
        }
        String fromEnvironment = System.getenv(ENVIRONMENT);
        return fromEnvironment == null || fromEnvironment.isBlank() ? null : fromEnvironment.strip();
    }

    /** The token in {@code file}, stripped of the line end. */
    public static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API token from " + file + ": " + e.getMessage(), e);
        }
    }

    /** Adds {@code Authorization: Bearer <token>} unless {@code token} is null. */
    public static HttpRequest.Builder authorize(HttpRequest.Builder request, String token) {
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }
}
