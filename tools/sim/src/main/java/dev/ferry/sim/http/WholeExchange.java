package dev.ferry.sim.http;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HTTP exchanges with a limit on the whole exchange, body included. {@link HttpRequest.Builder#timeout} ends
 * once the response headers arrived: a server that then stops sending the body holds a plain
 * {@code send} forever. When the limit passes, the exchange is cancelled (which closes its connection) and
 * fails with an {@link HttpTimeoutException} naming the request.
 */
public final class WholeExchange {
    private WholeExchange() {
    }

    /** Sends {@code request}; completes with the whole response, or fails once {@code limit} passed. */
    public static <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpClient client, HttpRequest request,
            HttpResponse.BodyHandler<T> body, Duration limit) {
        CompletableFuture<HttpResponse<T>> exchange = client.sendAsync(request, body);
        return exchange.copy().orTimeout(limit.toNanos(), TimeUnit.NANOSECONDS).handle((response, error) -> {
            if (error == null) {
                return response;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
                    : error;
            if (cause instanceof TimeoutException) {
                exchange.cancel(true);
                throw new CompletionException(timedOut(request, limit));
            }
            throw error instanceof CompletionException completion ? completion : new CompletionException(cause);
        });
    }

    /** Sends {@code request} and waits for the whole response at most {@code limit}. */
    public static <T> HttpResponse<T> send(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> body,
            Duration limit) throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<T>> exchange = client.sendAsync(request, body);
        try {
            return exchange.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw timedOut(request, limit);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        } catch (CancellationException e) {
            throw new IOException(request.method() + " " + request.uri() + " was cancelled", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(request.method() + " " + request.uri() + " failed: " + cause, cause);
        }
    }

    private static HttpTimeoutException timedOut(HttpRequest request, Duration limit) {
        return new HttpTimeoutException(request.method() + " " + request.uri() + ": no whole answer within "
                + limit.toMillis() + " ms");
    }
}
