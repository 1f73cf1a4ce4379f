package dev.ferry.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.ferry.sim.http.WholeExchange;

/**
 * HTTP requests exactly as a test wants them: any method, content type and headers, with a deadline on the whole
 * exchange (Java's request timeout covers only the response headers, so the body is awaited with its own deadline).
 * {@link #rawGet} writes the request line and headers itself, for headers Java's client refuses to set (Host).
 */
public final class RawHttp {
    public static final Duration DEADLINE = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String token;

    /** Requests with the server's admin token, unless a request names an Authorization header itself. */
    public RawHttp(TestServer server) {
        this(server, server.adminToken());
    }

    /** Requests with {@code token}, or with none when it is null. */
    public RawHttp(TestServer server, String token) {
        this.baseUrl = server.baseUrl();
        this.token = token;
    }

    /** Whether name, value pairs include an Authorization header. */
    static boolean namesAuthorization(String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase("authorization")) {
                return true;
            }
        }
        return false;
    }

    /** A reply: status, headers and body. */
    public record Answer(int status, java.net.http.HttpHeaders headers, String body) {
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public io.vertx.core.json.JsonObject json() {
            return new io.vertx.core.json.JsonObject(body);
        }

        public boolean isProblem() {
            return header("content-type") != null && header("content-type").startsWith("application/problem+json");
        }
    }

    /** Sends a request; headers are name, value pairs; a null body sends none. */
    public Answer send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(DEADLINE)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        if (token != null && !namesAuthorization(headers)) {
            request.header("authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = WholeExchange.send(http, request.build(),
                    HttpResponse.BodyHandlers.ofString(), DEADLINE);
            return new Answer(response.statusCode(), response.headers(), response.body());
        } catch (HttpTimeoutException e) {
            throw new AssertionError(method + " " + path + " got no complete answer within " + DEADLINE);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Writes a GET with the given extra header lines over a plain socket and returns the whole raw response. */
    public static String rawGet(int port, String path, String... headerLines) throws IOException {
        return raw(port, "GET", path, headerLines);
    }

    /** Writes a request without a body over a plain socket and returns the whole raw response, as sent. */
    public static String raw(int port, String method, String path, String... headerLines) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout((int) DEADLINE.toMillis());
            StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (String line : headerLines) {
                request.append(line).append("\r\n");
            }
            request.append("Connection: close\r\n\r\n");
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            in.transferTo(response);
            return response.toString(StandardCharsets.UTF_8);
        }
    }
}
