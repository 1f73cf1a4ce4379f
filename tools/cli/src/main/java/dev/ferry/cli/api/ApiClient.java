package dev.ferry.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ferry's public HTTP API as the CLI uses it: bearer token, JSON bodies, and a whole-request timeout on every
 * exchange, so that no command waits for ever on a server that stopped answering. An error status becomes an
 * {@link ApiRefusedException} carrying the problem detail; no answer at all a {@link ServerUnreachableException}.
 */
public final class ApiClient {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(10);
    private static final int READ_ATTEMPTS = 3;

    private final String server;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;

    public ApiClient(String server, String token, Duration timeout) {
        this.server = server;
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT.compareTo(timeout) < 0 ? CONNECT_TIMEOUT : timeout).build();
    }

    /** An answer of the server: its status, content type and body. */
    public record Response(int status, String contentType, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            try {
                return body.length == 0 ? JSON.nullNode() : JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("the server answered with invalid JSON: " + e.getMessage(), e);
            }
        }
    }

    public String server() {
        return server;
    }

    Duration timeout() {
        return timeout;
    }

    HttpClient http() {
        return http;
    }

    public Response get(String path) throws ApiRefusedException, ServerUnreachableException {
        return send("GET", path, null, null, "application/json");
    }

    public Response post(String path, JsonNode body) throws ApiRefusedException, ServerUnreachableException {
        return send("POST", path, body.toString().getBytes(StandardCharsets.UTF_8), "application/json",
                "application/json");
    }

    /** An action without content: an empty JSON object, as the API asks for publish, start, pause... */
    public Response action(String path) throws ApiRefusedException, ServerUnreachableException {
        return post(path, JSON.createObjectNode());
    }

    public Response patch(String path, JsonNode body) throws ApiRefusedException, ServerUnreachableException {
        return send("PATCH", path, body.toString().getBytes(StandardCharsets.UTF_8), "application/json",
                "application/json");
    }

    public Response delete(String path) throws ApiRefusedException, ServerUnreachableException {
        return send("DELETE", path, null, null, "application/json");
    }

    /**
     * Sends one request. A read answered 429 (the token's request rate) is tried again after the Retry-After the
     * server names (at most {@link #MAX_RETRY_AFTER} each, {@link #READ_ATTEMPTS} attempts): watching a rollout
     * must not fail because a script next to it sent a burst with the same token.
     */
    public Response send(String method, String path, byte[] body, String contentType, String accept)
            throws ApiRefusedException, ServerUnreachableException {
        for (int attempt = 1; ; attempt++) {
            try {
                return sendOnce(method, path, body, contentType, accept);
            } catch (ApiRefusedException e) {
                if (e.status() != 429 || !method.equals("GET") || attempt >= READ_ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep(Math.min(MAX_RETRY_AFTER.toMillis(), e.retryAfter().toMillis()));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private Response sendOnce(String method, String path, byte[] body, String contentType, String accept)
            throws ApiRefusedException, ServerUnreachableException {
        HttpRequest.Builder request = request(path, timeout).header("Accept", accept);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request.build(),
                HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> answer;
        try {
            // The request's own timeout ends the wait for the headers; this one ends a body that never finishes.
            answer = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw noAnswer(method, path, e);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new ServerUnreachableException("interrupted waiting for " + server, e);
        } catch (ExecutionException e) {
            throw unreachable(method, path, e.getCause());
        }
        Response response = new Response(answer.statusCode(),
                answer.headers().firstValue("Content-Type").orElse(""), answer.body());
        if (response.status() >= 400) {
            ApiRefusedException refused = Problems.refused(method, path, response);
            answer.headers().firstValue("Retry-After").filter(v -> v.matches("\\d{1,6}"))
                    .ifPresent(v -> refused.retryAfter(Duration.ofSeconds(Long.parseLong(v))));
            throw refused;
        }
        return response;
    }

    HttpRequest.Builder request(String path, Duration requestTimeout) {
        return HttpRequest.newBuilder(URI.create(server + path)).timeout(requestTimeout)
                .header("Authorization", "Bearer " + token).header("User-Agent", "ferry-cli");
    }

    ServerUnreachableException unreachable(String method, String path, Throwable cause) {
        if (cause instanceof HttpTimeoutException) {
            return noAnswer(method, path, cause);
        }
        String why = cause instanceof ConnectException ? "connection refused or no route"
                : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        return new ServerUnreachableException("cannot reach the server at " + server + " (" + why
                + "); check --server, FERRY_SERVER or 'ferry login', and that the server runs", cause);
    }

    private ServerUnreachableException noAnswer(String method, String path, Throwable cause) {
        return new ServerUnreachableException("no answer from " + server + " to " + method + " " + path + " within "
                + timeout.toSeconds() + " s; the server may be overloaded (raise --timeout) or unreachable", cause);
    }
}
