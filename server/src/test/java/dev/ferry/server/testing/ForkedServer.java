package dev.ferry.server.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.vertx.core.json.JsonObject;

/**
 * A Ferry server in its own JVM ({@code dev.ferry.server.Main} on the test class path), on fixed loopback ports
 * and a data directory that outlive it, so a test can kill it with SIGKILL and start it again where it was.
 */
public final class ForkedServer implements AutoCloseable {
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);

    private final Path dataDir;
    private final Path log;
    private final int httpPort = freeTcpPort();
    private final int coapPort = freeUdpPort();
    private final int coapsPort = freeUdpPort();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;

    public ForkedServer(Path dataDir, Path log) {
        this.dataDir = dataDir;
        this.log = log;
    }

    /** Starts the server process and returns once its health check answers. */
    public ForkedServer start() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx384m", "-cp",
                System.getProperty("java.class.path"), "dev.ferry.server.Main", "--data-dir", dataDir.toString(),
                "--bind-address", "127.0.0.1", "--http-port", Integer.toString(httpPort), "--coap-port",
                Integer.toString(coapPort), "--coaps-port", Integer.toString(coapsPort)));
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the server process: " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (!healthy()) {
            if (!process.isAlive()) {
                throw new AssertionError("the server process exited with " + process.exitValue() + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the server did not answer /health within " + START_DEADLINE + "; see " + log);
            }
            try {
                Thread.sleep(100); // polling the health check, within the deadline above
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return this;
    }

    /** SIGKILL: no shutdown hook, no flush, no saved state. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String coapUri() {
        return "coap://127.0.0.1:" + coapPort;
    }

    public TestServer.Reply get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public TestServer.Reply post(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public boolean isOnline(String endpoint) {
        TestServer.Reply reply = get("/api/v1/devices/" + endpoint);
        if (reply.status() != 200) {
            throw new AssertionError("GET /api/v1/devices/" + endpoint + ": " + reply.status() + " " + reply.body());
        }
        return new JsonObject(reply.body()).getBoolean("online");
    }

    private boolean healthy() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    private TestServer.Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new TestServer.Reply(response.statusCode(),
                    response.headers().firstValue("content-type").orElse(""), response.body());
        } catch (IOException e) {
            throw new IllegalStateException("HTTP request failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            kill();
        }
    }

    private static int freeTcpPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
