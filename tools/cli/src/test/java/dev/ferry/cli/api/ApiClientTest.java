package dev.ferry.cli.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The API client's limits, over a real socket: its whole-request timeout and its answer to a rate limit. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ApiClientTest {
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    ApiClientTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "api-client-test-server");
            thread.setDaemon(true);
            return thread;
        }));
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    @Test
    void a_body_that_never_ends_is_cut_off_by_the_whole_request_timeout() {
        server.createContext("/api/v1/devices", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0); // the headers come at once, the body never ends
            exchange.getResponseBody().write("{\"items\": [".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            await();
        });
        server.start();
        long started = System.nanoTime();

        assertThatThrownBy(() -> client(Duration.ofSeconds(1)).get("/api/v1/devices"))
                .isInstanceOf(ServerUnreachableException.class).hasMessageContaining("no answer")
                .hasMessageContaining("within 1 s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void a_read_answered_429_is_tried_again_after_retry_after_and_a_change_is_not() throws Exception {
        server.createContext("/api/v1/devices", exchange -> {
            boolean limited = requests.incrementAndGet() == 1 || exchange.getRequestMethod().equals("POST");
            byte[] body = (limited ? "{\"title\":\"Too Many Requests\",\"detail\":\"slow down\"}" : "{\"items\":[]}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", limited ? "application/problem+json" : "application/json");
            if (limited) {
                exchange.getResponseHeaders().add("Retry-After", "1");
            }
            exchange.sendResponseHeaders(limited ? 429 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        ApiClient client = client(Duration.ofSeconds(5));

        ApiClient.Response read = client.get("/api/v1/devices");
        int readRequests = requests.get();

        assertThat(read.status()).isEqualTo(200);
        assertThat(readRequests).isEqualTo(2);
        assertThatThrownBy(() -> client.post("/api/v1/devices", ApiClient.JSON.createObjectNode()))
                .isInstanceOf(ApiRefusedException.class).hasMessageContaining("429").hasMessageContaining("slow down");
        assertThat(requests.get()).isEqualTo(readRequests + 1);
    }

    private ApiClient client(Duration timeout) {
        return new ApiClient("http://127.0.0.1:" + server.getAddress().getPort(), "ferry_test", timeout);
    }

    private void await() {
        try {
            release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
