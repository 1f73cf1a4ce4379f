package dev.ferry.cli.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the event stream client resumes: a stream the server drops, or one that falls silent, is opened again with
 * the id of the last event received, over a real socket to a small SSE server that plays the part of Ferry's.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EventStreamTest {
    private final HttpServer server;
    private final List<String> lastEventIds = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    EventStreamTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    @Test
    void a_dropped_stream_is_opened_again_after_the_last_event_it_received() throws Exception {
        serve(exchange -> {
            int connection = connections.incrementAndGet();
            OutputStream body = open(exchange);
            if (connection == 1) {
                send(body, ": connected\n\nid: 41\nevent: registered\ndata: {\"id\":41,\"endpoint\":\"a\"}\n\n");
                exchange.close(); // the connection drops
            } else {
                send(body, "id: 42\nevent: update\ndata: {\"id\":42,\n" + "data: \"endpoint\":\"a\"}\n\n");
                awaitRelease();
            }
        });

        try (EventStream stream = EventStream.open(client(), "?type=registered,update", null, Duration.ofSeconds(20))) {
            EventStream.Event first = stream.next(Duration.ofSeconds(10));
            EventStream.Event second = stream.next(Duration.ofSeconds(10));

            assertThat(first).isEqualTo(new EventStream.Event("41", "registered", "{\"id\":41,\"endpoint\":\"a\"}"));
            assertThat(second.id()).isEqualTo("42");
            assertThat(second.json().path("endpoint").asText()).isEqualTo("a");
            assertThat(lastEventIds).containsExactly("none", "41");
            assertThat(stream.reconnects()).isEqualTo(1);
        }
    }

    @Test
    void a_stream_silent_longer_than_the_idle_timeout_is_opened_again() throws Exception {
        serve(exchange -> {
            int connection = connections.incrementAndGet();
            OutputStream body = open(exchange);
            if (connection == 2) {
                send(body, "id: 7\nevent: rollout\ndata: {}\n\n");
            }
            awaitRelease(); // the first connection says nothing, not even a heartbeat
        });

        try (EventStream stream = EventStream.open(client(), "", "6", Duration.ofMillis(800))) {
            EventStream.Event event = stream.next(Duration.ofSeconds(10));

            assertThat(event).isNotNull();
            assertThat(event.id()).isEqualTo("7");
            assertThat(lastEventIds).containsExactly("6", "6");
        }
    }

    @Test
    void a_refused_stream_fails_as_any_api_call_does() {
        serve(exchange -> {
            byte[] problem = "{\"title\":\"Forbidden\",\"status\":403,\"detail\":\"this token is limited to tag x\"}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
            exchange.sendResponseHeaders(403, problem.length);
            exchange.getResponseBody().write(problem);
            exchange.close();
        });

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EventStream.open(client(), "", null,
                Duration.ofSeconds(5))).isInstanceOf(ApiRefusedException.class).hasMessageContaining("403")
                .hasMessageContaining("limited to tag x");
    }

    @Test
    void without_a_terminal_a_live_display_prints_only_the_lines_that_changed() {
        StringWriter text = new StringWriter();
        LiveDisplay display = new LiveDisplay(new PrintWriter(text), false);

        display.show(List.of("rollout 1 running", "wave 1 [..] 0/2"));
        display.show(List.of("rollout 1 running", "wave 1 [#.] 1/2"));
        display.show(List.of("rollout 1 running", "wave 1 [#.] 1/2"));

        assertThat(text.toString().lines()).containsExactly("rollout 1 running", "wave 1 [..] 0/2", "wave 1 [#.] 1/2");
    }

    @Test
    void on_a_terminal_a_live_display_redraws_its_lines_in_place() {
        StringWriter text = new StringWriter();
        LiveDisplay display = new LiveDisplay(new PrintWriter(text), true);

        display.show(List.of("a", "b"));
        display.show(List.of("a", "c"));

        assertThat(text.toString()).isEqualTo("\033[2Ka\n\033[2Kb\n\033[2F\033[2Ka\n\033[2Kc\n");
    }

    @Test
    void on_a_terminal_lines_wider_than_it_are_cut_so_that_the_redraw_stays_in_place() {
        StringWriter text = new StringWriter();
        LiveDisplay display = new LiveDisplay(new PrintWriter(text), true, 20);

        display.show(List.of("wave 0 [####] 4/4 succeeded, passed"));

        assertThat(text.toString()).isEqualTo("\033[2Kwave 0 [####] 4/4 …\n");
    }

    private ApiClient client() {
        return new ApiClient("http://127.0.0.1:" + server.getAddress().getPort(), "ferry_test", Duration.ofSeconds(5));
    }

    interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private void serve(Handler handler) {
        server.createContext("/api/v1/events/stream", exchange -> {
            lastEventIds.add(exchange.getRequestHeaders().getFirst("Last-Event-ID") == null ? "none"
                    : exchange.getRequestHeaders().getFirst("Last-Event-ID"));
            handler.handle(exchange);
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "sse-test-server");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    private static OutputStream open(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    private static void send(OutputStream body, String text) throws IOException {
        body.write(text.getBytes(StandardCharsets.UTF_8));
        body.flush();
    }

    private void awaitRelease() {
        try {
            release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
