package dev.ferry.server.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import dev.ferry.server.FerryServer;
import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.sim.http.WholeExchange;
import io.vertx.core.json.JsonObject;

/**
 * A real Ferry server on loopback with ephemeral ports and a temporary data directory, plus the HTTP and
 * event-waiting helpers tests use. {@link #restart()} keeps the data directory.
 */
public final class TestServer implements AutoCloseable {
    public static final Duration DEADLINE = Duration.ofSeconds(20);
    /** Limit of a whole HTTP exchange, body included (a request's own timeout ends with the headers). */
    private static final Duration WHOLE_EXCHANGE = Duration.ofSeconds(30);

    private final Path dataDir;
    private final Map<Setting, String> settings;
    private HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** With http.tls=on: the certificate the server presents, the only one the test's client trusts. */
    private java.security.cert.X509Certificate tlsCertificate;
    private final List<DeviceEvent> events = new ArrayList<>();
    private FerryServer server;

    private final java.time.Clock clock;

    private TestServer(Path dataDir, Map<Setting, String> settings, java.time.Clock clock) {
        this.dataDir = dataDir;
        this.settings = settings;
        this.clock = clock;
    }

    public static Builder givenServer() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<Setting, String> settings = new EnumMap<>(Setting.class);
        private java.time.Clock clock = java.time.Clock.systemUTC();

        /** The clock the rollout scheduler reads, e.g. a {@link SettableClock}; kept across restarts. */
        public Builder clock(java.time.Clock rolloutClock) {
            this.clock = rolloutClock;
            return this;
        }

        public Builder with(Setting setting, String value) {
            settings.put(setting, value);
            return this;
        }

        public TestServer start() {
            try {
                Path dataDir = Files.createTempDirectory("ferry-test-");
                settings.putIfAbsent(Setting.BIND_ADDRESS, "127.0.0.1");
                settings.put(Setting.DATA_DIR, dataDir.toString());
                settings.putIfAbsent(Setting.HTTP_PORT, "0");
                settings.putIfAbsent(Setting.COAP_PORT, "0");
                settings.putIfAbsent(Setting.COAPS_PORT, "0");
                settings.putIfAbsent(Setting.BOOTSTRAP_COAP_PORT, "0");
                settings.putIfAbsent(Setting.BOOTSTRAP_COAPS_PORT, "0");
                // Tests use lifetimes of a few seconds to see expiry quickly.
                settings.putIfAbsent(Setting.LWM2M_MIN_LIFETIME_SECONDS, "1");
                // ... and expiry at the lifetime's end; the grace has a test of its own.
                settings.putIfAbsent(Setting.LWM2M_EXPIRY_GRACE_SECONDS, "0");
                // Tests send bursts of requests with one token; the rate limit has tests of its own.
                settings.putIfAbsent(Setting.HTTP_TOKEN_RATE_LIMIT, "0");
                TestServer server = new TestServer(dataDir, settings, clock);
                try {
                    server.boot();
                } catch (RuntimeException e) {
                    server.close(); // a start refused (e.g. a bad setting) leaves no data directory behind
                    throw e;
                }
                return server;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void boot() {
        server = FerryServer.start(FerryConfig.of(settings), clock);
        if ("on".equals(settings.get(Setting.HTTP_TLS)) && tlsCertificate == null) {
            tlsCertificate = HttpsTrust.presentedCertificate(settings, dataDir);
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                    .sslContext(HttpsTrust.trusting(tlsCertificate)).build();
        }
        server.events().subscribe(event -> {
            synchronized (events) {
                events.add(event);
                events.notifyAll();
            }
        });
    }

    /**
     * Stops the server gracefully and starts a new one on the same data directory and the same ports, as an
     * operator's restart does, so devices find it again.
     */
    public void restart() {
        stop();
        startAgain();
    }

    /** Stops the server gracefully, keeping its data directory and ports for {@link #startAgain()}. */
    public void stop() {
        settings.put(Setting.COAP_PORT, Integer.toString(server.coapAddress().getPort()));
        settings.put(Setting.COAPS_PORT, Integer.toString(server.coapsAddress().getPort()));
        settings.put(Setting.HTTP_PORT, Integer.toString(server.httpPort()));
        if (server.bootstrap() != null) {
            settings.put(Setting.BOOTSTRAP_COAP_PORT, Integer.toString(server.bootstrap().coapAddress().getPort()));
            settings.put(Setting.BOOTSTRAP_COAPS_PORT, Integer.toString(server.bootstrap().coapsAddress().getPort()));
        }
        server.close();
        synchronized (events) {
            events.clear();
        }
    }

    /** Starts a new server on the data directory and ports of the one {@link #stop() stopped}. */
    public void startAgain() {
        boot();
    }

    public FerryServer server() {
        return server;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String coapUri() {
        return "coap://127.0.0.1:" + server.coapAddress().getPort();
    }

    public String coapsUri() {
        return "coaps://127.0.0.1:" + server.coapsAddress().getPort();
    }

    /** The bootstrap server's CoAPS endpoint, where batch PSKs are accepted. */
    public String bootstrapCoapsUri() {
        return "coaps://127.0.0.1:" + server.bootstrap().coapsAddress().getPort();
    }

    public String bootstrapCoapUri() {
        return "coap://127.0.0.1:" + server.bootstrap().coapAddress().getPort();
    }

    /** Waits for a committed device event matching the predicate, seen since start or the last restart. */
    public DeviceEvent waitForEvent(Predicate<DeviceEvent> predicate, String what) {
        return waitForEvent(predicate, what, DEADLINE);
    }

    /** As {@link #waitForEvent(Predicate, String)}, with a shorter or longer deadline. */
    public DeviceEvent waitForEvent(Predicate<DeviceEvent> predicate, String what, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        synchronized (events) {
            while (true) {
                for (DeviceEvent event : events) {
                    if (predicate.test(event)) {
                        return event;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + what + " within " + within + "; events seen: " + events);
                }
                try {
                    events.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for " + what);
                }
            }
        }
    }

    public DeviceEvent waitForEvent(String endpoint, DeviceEventType type) {
        return waitForEvent(e -> e.type() == type && endpoint.equals(e.endpoint()), type.wireName() + " of " + endpoint);
    }

    public List<DeviceEvent> eventsSoFar() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Polls a condition until it holds or the deadline passes; for state that produces no event. */
    public static void eventually(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + DEADLINE + ": " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    public Reply get(String path) {
        return send("GET", path, null);
    }

    /** Provisions a device without security (plain CoAP), with the given tags; fails the test unless created. */
    public void provisionWithoutSecurity(String endpoint, String... tags) {
        JsonObject device = new JsonObject().put("endpoint", endpoint).put("security",
                new JsonObject().put("mode", "none"));
        if (tags.length > 0) {
            device.put("tags", new io.vertx.core.json.JsonArray(java.util.List.of(tags)));
        }
        Reply provisioned = post("/api/v1/devices", device.encode());
        org.assertj.core.api.Assertions.assertThat(provisioned.status()).as(provisioned.body()).isEqualTo(201);
    }

    public Reply post(String path, String body) {
        return send("POST", path, body);
    }

    public Reply put(String path, String body) {
        return send("PUT", path, body);
    }

    public Reply patch(String path, String body) {
        return send("PATCH", path, body);
    }

    public Reply delete(String path) {
        return send("DELETE", path, null);
    }

    public Reply send(String method, String path, String body) {
        return sendAs(adminToken(), method, path, body);
    }

    /** The value of the admin token the server made on its first start, from {@code <data-dir>/admin.token}. */
    public String adminToken() {
        return adminTokenIn(dataDir);
    }

    /** The first admin token of the server whose data directory is {@code dataDir}. */
    public static String adminTokenIn(Path dataDir) {
        try {
            return Files.readString(dataDir.resolve("admin.token")).strip();
        } catch (IOException e) {
            throw new IllegalStateException("no admin token in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #send}, with another token, or with none when {@code token} is null. */
    public Reply sendAs(String token, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null || method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            request.header("content-type", "application/json"); // the API refuses writes of any other type
        }
        if (token != null) {
            request.header("authorization", "Bearer " + token);
        }
        return exchange(request.build());
    }

    /** Sends raw bytes with a content type, e.g. a firmware image. */
    public Reply sendBytes(String method, String path, byte[] body, String contentType) {
        return sendBytes(method, path, body, contentType, WHOLE_EXCHANGE);
    }

    /** As {@link #sendBytes(String, String, byte[], String)}, for large requests: the answer within {@code within}. */
    public Reply sendBytes(String method, String path, byte[] body, String contentType, Duration within) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(within)
                .header("content-type", contentType).header("authorization", "Bearer " + adminToken())
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return exchange(request, within);
    }

    /** Uploads a firmware image as the raw body and returns the reply. */
    public Reply uploadFirmware(String model, byte[] image) {
        return sendBytes("POST", "/api/v1/firmware?model=" + java.net.URLEncoder.encode(model,
                java.nio.charset.StandardCharsets.UTF_8), image, "application/octet-stream");
    }

    /**
     * A GET returning the body as bytes, with extra request headers given as name, value pairs; the admin token
     * goes with it unless the headers name an Authorization of their own.
     */
    public HttpResponse<byte[]> download(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            request.headers(headers);
        }
        if (!RawHttp.namesAuthorization(headers)) {
            request.header("authorization", "Bearer " + adminToken());
        }
        try {
            return WholeExchange.send(http, request.build(), HttpResponse.BodyHandlers.ofByteArray(), WHOLE_EXCHANGE);
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** http://127.0.0.1:port, or https:// with http.tls=on (the client then trusts the server's certificate). */
    public String baseUrl() {
        return (tlsCertificate == null ? "http" : "https") + "://127.0.0.1:" + server.httpPort();
    }

    /** The certificate the server presents over HTTPS, or null without http.tls=on. */
    public java.security.cert.X509Certificate tlsCertificate() {
        return tlsCertificate;
    }

    private Reply exchange(HttpRequest request) {
        return exchange(request, WHOLE_EXCHANGE);
    }

    private Reply exchange(HttpRequest request, Duration within) {
        try {
            HttpResponse<String> response = WholeExchange.send(http, request, HttpResponse.BodyHandlers.ofString(),
                    within);
            return new Reply(response.statusCode(), response.headers().firstValue("content-type").orElse(""),
                    response.body());
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An HTTP reply; {@link #json()} parses the body. */
    public record Reply(int status, String contentType, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }

        public boolean isProblem() {
            return contentType.startsWith("application/problem+json");
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files are cleaned by the OS eventually
        }
    }
}
