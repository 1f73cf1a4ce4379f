package dev.ferry.server.events;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Sends one attempt of a delivery with Vert.x's HTTP client: POSTs the CloudEvent, signed, and reports the status
 * or why there was none. The whole exchange (connect, send, the receiver's answer and its body) ends within the
 * timeout; a receiver that takes longer has its request reset.
 */
public final class WebhookSender implements AutoCloseable {
    /** Told the outcome on a Vert.x thread: the status, or null and the error. */
    @FunctionalInterface
    public interface Result {
        void done(Integer statusCode, String error);
    }

    private final HttpClientAgent client;

    public WebhookSender(Vertx vertx, int concurrency) {
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setMaxRedirects(0),
                new PoolOptions().setHttp1MaxSize(concurrency));
    }

    void send(WebhookStore.Due due, int attempt, Duration timeout, Result result) {
        long unixSeconds = Instant.now().getEpochSecond();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(due.url())
                .setConnectTimeout(timeout.toMillis()).setFollowRedirects(false)
                .putHeader("content-type", CloudEvents.CONTENT_TYPE)
                .putHeader(WebhookSigner.HEADER, WebhookSigner.header(due.secret(), unixSeconds, due.payload()))
                .putHeader("Ferry-Webhook-Id", Long.toString(due.webhookId()))
                .putHeader("Ferry-Delivery-Id", Long.toString(due.deliveryId()))
                .putHeader("Ferry-Delivery-Attempt", Integer.toString(attempt))
                .putHeader("user-agent", "Ferry-Webhook/1");
        HttpClientRequest[] request = new HttpClientRequest[1];
        try {
            client.request(options).compose(req -> {
                request[0] = req;
                return req.send(Buffer.buffer(due.payload()));
            }).compose(response -> response.end().map(ended -> response.statusCode())) // the answer's body is not kept
                    .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .onSuccess(status -> result.done(status, null))
                    .onFailure(failure -> {
                        if (request[0] != null) {
                            request[0].reset();
                        }
                        result.done(null, describe(failure, timeout));
                    });
        } catch (RuntimeException e) {
            result.done(null, describe(e, timeout)); // e.g. a URL Vert.x cannot take
        }
    }

    private static String describe(Throwable failure, Duration timeout) {
        if (failure.getClass().getSimpleName().contains("Timeout")) {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public void close() {
        client.close();
    }
}
