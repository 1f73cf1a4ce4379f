package dev.ferry.sim.download;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sim.link.LinkConditions;
import dev.ferry.sim.link.SimLink;
import dev.ferry.sim.testing.StallingHttpServer;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpFetcherTest {
    private final StallingHttpServer server = new StallingHttpServer();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final SimLink link = new SimLink(LinkConditions.PERFECT, new Random(1), scheduler);

    HttpFetcherTest() throws Exception {
        link.setUp(true);
    }

    @AfterEach
    void stop() {
        server.close();
        scheduler.shutdownNow();
    }

    @Test
    void a_body_that_stops_arriving_ends_the_attempt_as_a_lost_connection() throws Exception {
        Outcome outcome = new Outcome();
        HttpFetcher fetcher = new HttpFetcher(server.uri("/stall"), HttpClient.newHttpClient(), link,
                Duration.ofMillis(500));

        fetcher.fetch(0, null, outcome);

        assertThat(outcome.failed.get(10, TimeUnit.SECONDS))
                .startsWith("CONNECTION_LOST the body of " + server.uri("/stall") + " stalled");
        assertThat(outcome.received.get()).isEqualTo(StallingHttpServer.SENT);
    }

    @Test
    void a_body_that_keeps_arriving_completes() throws Exception {
        Outcome outcome = new Outcome();
        HttpFetcher fetcher = new HttpFetcher(server.uri("/whole"), HttpClient.newHttpClient(), link,
                Duration.ofMillis(500));

        fetcher.fetch(0, null, outcome);

        assertThat(outcome.completed.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(outcome.received.get()).isEqualTo(StallingHttpServer.LENGTH);
    }

    private static final class Outcome implements FetchCallback {
        final AtomicLong received = new AtomicLong();
        final CompletableFuture<String> failed = new CompletableFuture<>();
        final CompletableFuture<Boolean> completed = new CompletableFuture<>();

        @Override
        public boolean started(byte[] etag, long totalSize, long offset) {
            return true;
        }

        @Override
        public boolean data(long offset, byte[] bytes) {
            received.addAndGet(bytes.length);
            return true;
        }

        @Override
        public void completed() {
            completed.complete(true);
        }

        @Override
        public void failed(FetchFailure failure, String detail) {
            failed.complete(failure + " " + detail);
        }
    }
}
