package dev.ferry.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.ferry.sim.http.WholeExchange;

/**
 * HTTP calls to a server's API by base URL, for servers that run outside the test's JVM, each bounded as a whole
 * exchange, body included. Failures to connect or read, and exchanges that outlast their limit, come out as
 * {@link IOException}, so a caller can tell a server that is gone from one that answered.
 */
public final class ApiClient implements AutoCloseable {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    private final String baseUrl;
    private final java.util.function.Supplier<String> token;
    private final ExecutorService executor = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "api-client");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(executor)
            .build();

    /** Calls with the token {@code token} gives at each request (null: none). */
    public ApiClient(String baseUrl, java.util.function.Supplier<String> token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /** Calls with the admin token the server made in {@code dataDir} on its first start (read at each request). */
    public static ApiClient withAdminTokenOf(String baseUrl, java.nio.file.Path dataDir) {
        return new ApiClient(baseUrl, () -> TestServer.adminTokenIn(dataDir));
    }

    public TestServer.Reply get(String path) throws IOException {
        return send(request(path).GET().build());
    }

    public TestServer.Reply postJson(String path, String json) throws IOException {
        return send(request(path).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** Uploads a firmware image as the raw request body. */
    public TestServer.Reply uploadFirmware(String model, byte[] image) throws IOException {
        return send(request("/api/v1/firmware?model=" + URLEncoder.encode(model, StandardCharsets.UTF_8))
                .header("content-type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build());
    }

    /** Uploads a firmware image as multipart/form-data, as a browser form does. */
    public TestServer.Reply uploadFirmwareForm(String model, byte[] image) throws IOException {
        String boundary = "ferry-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + model
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"app.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(image);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(request("/api/v1/firmware").header("content-type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
    }

    public byte[] download(String path) throws IOException {
        try {
            HttpResponse<byte[]> response = WholeExchange.send(http, request(path).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray(), REQUEST_TIMEOUT);
            if (response.statusCode() != 200) {
                throw new IOException("GET " + path + " answered " + response.statusCode());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(REQUEST_TIMEOUT);
        String value = token.get();
        return value == null ? request : request.header("authorization", "Bearer " + value);
    }

    private TestServer.Reply send(HttpRequest request) throws IOException {
        try {
            HttpResponse<String> response = WholeExchange.send(http, request, HttpResponse.BodyHandlers.ofString(),
                    REQUEST_TIMEOUT);
            return new TestServer.Reply(response.statusCode(),
                    response.headers().firstValue("content-type").orElse(""), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
