package dev.ferry.sim.download;

import dev.ferry.sim.link.SimLink;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls a package over HTTP, resuming with {@code Range: bytes=N-} guarded by {@code If-Range} with the
 * ETag of the first attempt: a 206 continues, a 200 means the package changed (or the server ignores
 * ranges) and starts from zero. The body is read as fast as the device's {@link SimLink} bandwidth allows.
 * Datagram loss does not apply (TCP hides it); latency and bandwidth do. A body that stops arriving for the
 * timeout fails the attempt as a lost connection: the request's own timeout ends with the response headers.
 */
public final class HttpFetcher implements PackageFetcher {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final URI uri;
    private final HttpClient client;
    private final SimLink link;
    private final Duration timeout;

    /**
     * @param timeout how long to wait for the response headers of each attempt, and then for each part of the
     *     body once the device asked for it
     */
    public HttpFetcher(URI uri, HttpClient client, SimLink link, Duration timeout) {
        this.uri = uri;
        this.client = client;
        this.link = link;
        this.timeout = timeout;
    }

    @Override
    public Transfer fetch(long offset, byte[] etag, FetchCallback callback) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(timeout);
        if (offset > 0) {
            request.header("Range", "bytes=" + offset + "-");
            if (etag != null) {
                request.header("If-Range", new String(etag, StandardCharsets.ISO_8859_1));
            }
        }
        HttpTransfer transfer = new HttpTransfer(callback);
        if (!link.isUp()) {
            transfer.fail(FetchFailure.CONNECTION_LOST, "the link is down");
            return transfer;
        }
        client.sendAsync(request.build(), transfer::subscriber).whenComplete((response, error) -> {
            if (error != null) {
                transfer.fail(FetchFailure.CONNECTION_LOST, "GET " + uri + " failed: " + error);
            }
        });
        return transfer;
    }

    private final class HttpTransfer implements Transfer, BodySubscriber<Void> {
        private final FetchCallback callback;
        private final CompletableFuture<Void> body = new CompletableFuture<>();
        private volatile boolean over;
        private volatile Flow.Subscription subscription;
        /** Parts of the body (and its end) received so far: a stall shows as no change. */
        private volatile long arrivals;
        private long position;

        HttpTransfer(FetchCallback callback) {
            this.callback = callback;
        }

        BodySubscriber<Void> subscriber(HttpResponse.ResponseInfo info) {
            if (over) {
                return BodySubscribers.discarding();
            }
            int status = info.statusCode();
            byte[] etag = info.headers().firstValue("ETag").map(e -> e.getBytes(StandardCharsets.ISO_8859_1))
                    .orElse(null);
            long total;
            long start;
            if (status == 200) {
                start = 0;
                total = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            } else if (status == 206) {
                Matcher range = CONTENT_RANGE.matcher(info.headers().firstValue("Content-Range").orElse(""));
                if (!range.matches()) {
                    fail(FetchFailure.REFUSED, uri + " sent 206 without a usable Content-Range");
                    return BodySubscribers.discarding();
                }
                start = Long.parseLong(range.group(1));
                total = "*".equals(range.group(3)) ? -1 : Long.parseLong(range.group(3));
            } else {
                FetchFailure failure = status == 404 ? FetchFailure.NOT_FOUND
                        : status == 416 ? FetchFailure.RANGE_NOT_SATISFIABLE
                        : status >= 500 ? FetchFailure.CONNECTION_LOST : FetchFailure.REFUSED;
                fail(failure, uri + " answered HTTP " + status);
                return BodySubscribers.discarding();
            }
            position = start;
            if (!callback.started(etag, total, start)) {
                over = true;
                return BodySubscribers.discarding();
            }
            return this;
        }

        @Override
        public CompletionStage<Void> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (over) {
                subscription.cancel();
            } else {
                requestMore();
            }
        }

        /** Asks for the next part of the body; fails the attempt when it does not come within the timeout. */
        private void requestMore() {
            long seen = arrivals;
            subscription.request(1);
            link.runLater(timeout.toNanos(), () -> {
                if (arrivals == seen && !over) {
                    fail(FetchFailure.CONNECTION_LOST, "the body of " + uri + " stalled: nothing arrived for "
                            + timeout.toMillis() + " ms");
                    subscription.cancel(); // closes the connection
                    body.complete(null);
                }
            });
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            arrivals++;
            if (over) {
                return;
            }
            int length = buffers.stream().mapToInt(ByteBuffer::remaining).sum();
            byte[] bytes = new byte[length];
            int at = 0;
            for (ByteBuffer buffer : buffers) {
                int n = buffer.remaining();
                buffer.get(bytes, at, n);
                at += n;
            }
            long offset = position;
            position += length;
            if (!callback.data(offset, bytes)) {
                cancel();
                return;
            }
            link.runLater(link.incomingDelayNanos(length), () -> {
                if (!over) {
                    requestMore();
                }
            });
        }

        @Override
        public void onError(Throwable error) {
            arrivals++;
            body.completeExceptionally(error);
            fail(FetchFailure.CONNECTION_LOST, "the body of " + uri + " broke off: " + error);
        }

        @Override
        public void onComplete() {
            arrivals++;
            body.complete(null);
            if (end()) {
                callback.completed();
            }
        }

        void fail(FetchFailure failure, String detail) {
            if (end()) {
                callback.failed(failure, detail);
            }
        }

        private synchronized boolean end() {
            if (over) {
                return false;
            }
            over = true;
            return true;
        }

        @Override
        public void cancel() {
            end();
            Flow.Subscription current = subscription;
            if (current != null) {
                current.cancel(); // closes the connection: the server sees the device go away
            }
            body.complete(null);
        }
    }
}
