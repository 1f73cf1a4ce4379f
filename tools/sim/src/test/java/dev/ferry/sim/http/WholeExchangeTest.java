package dev.ferry.sim.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.sim.testing.StallingHttpServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WholeExchangeTest {
    private static final Duration LIMIT = Duration.ofMillis(500);

    private StallingHttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void startServer() throws Exception {
        server = new StallingHttpServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void a_body_that_stops_arriving_after_the_headers_fails_the_exchange_once_its_limit_passed() {
        HttpRequest request = HttpRequest.newBuilder(server.uri("/stall")).timeout(LIMIT).build();

        assertThatThrownBy(() -> WholeExchange.send(client, request, HttpResponse.BodyHandlers.ofByteArray(), LIMIT))
                .isInstanceOf(HttpTimeoutException.class)
                .hasMessage("GET " + server.uri("/stall") + ": no whole answer within 500 ms");
    }

    @Test
    void the_asynchronous_exchange_fails_the_same_way() {
        HttpRequest request = HttpRequest.newBuilder(server.uri("/stall")).build();

        assertThatThrownBy(() -> WholeExchange.sendAsync(client, request, HttpResponse.BodyHandlers.ofString(), LIMIT)
                .get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(HttpTimeoutException.class).hasMessageContaining("no whole answer within");
    }

    @Test
    void a_whole_answer_within_the_limit_is_returned() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.uri("/whole")).build();

        HttpResponse<byte[]> response = WholeExchange.send(client, request, HttpResponse.BodyHandlers.ofByteArray(),
                Duration.ofSeconds(10));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).hasSize(StallingHttpServer.LENGTH);
        assertThat(WholeExchange.sendAsync(client, request, HttpResponse.BodyHandlers.ofByteArray(),
                Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS).body()).hasSize(StallingHttpServer.LENGTH);
    }
}
