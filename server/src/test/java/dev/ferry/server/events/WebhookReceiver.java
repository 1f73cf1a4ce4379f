package dev.ferry.server.events;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import dev.ferry.server.testing.TestServer;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * A webhook receiver on loopback: answers each POST with the next status of its script (the last one repeats) and
 * keeps what it received.
 */
final class WebhookReceiver implements AutoCloseable {
    /** One request and the status it was answered. */
    record Received(MultiMap headers, String body, int answered) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final ConcurrentLinkedQueue<Integer> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new ArrayList<>();
    private volatile int lastStatus = 200;

    WebhookReceiver(Integer... statuses) {
        script.addAll(List.of(statuses));
        try {
            server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("receiver cannot listen: " + e, e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/hook";
    }

    /** From now on, answer every request with {@code status}. */
    void answerFromNowOn(int status) {
        script.clear();
        lastStatus = status;
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            Integer next = script.poll();
            int status = next != null ? next : lastStatus;
            if (next != null && script.isEmpty()) {
                lastStatus = next;
            }
            synchronized (received) {
                received.add(new Received(MultiMap.caseInsensitiveMultiMap().addAll(request.headers()),
                        body.toString(), status));
                received.notifyAll();
            }
            request.response().setStatusCode(status).end();
        });
    }

    /** Waits until {@code count} requests arrived and returns all received so far. */
    List<Received> awaitRequests(int count) {
        long deadline = System.nanoTime() + TestServer.DEADLINE.toNanos();
        synchronized (received) {
            while (received.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("receiver got " + received.size() + " request(s), not " + count
                            + ", within " + TestServer.DEADLINE + ": " + received);
                }
                try {
                    received.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted");
                }
            }
            return List.copyOf(received);
        }
    }

    List<Received> receivedSoFar() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
