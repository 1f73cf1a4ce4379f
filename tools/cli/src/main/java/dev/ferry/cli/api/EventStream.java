package dev.ferry.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The server's event stream ({@code GET /api/v1/events/stream}, Server-Sent Events), read on a thread of its own.
 * A stream that drops, or stays silent longer than {@code idle} (the server sends a heartbeat every 15 s by
 * default), is opened again with {@code Last-Event-ID}, so that no event is lost and none comes twice. Opening it
 * the first time fails as any API call does; a later refusal (say, the token was revoked) ends the stream and is
 * thrown by {@link #next}.
 */
public final class EventStream implements AutoCloseable {
    private static final Duration RECONNECT_PAUSE = Duration.ofSeconds(1);
    private static final Duration MAX_RECONNECT_PAUSE = Duration.ofSeconds(10);

    /** One event: its id (null for telemetry and gap notices), type and data. */
    public record Event(String id, String type, String data) {
        public JsonNode json() {
            try {
                return ApiClient.JSON.readTree(data);
            } catch (IOException e) {
                return ApiClient.JSON.getNodeFactory().textNode(data);
            }
        }
    }

    private final ApiClient client;
    private final String path;
    private final Duration idle;
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile String lastEventId;
    private volatile InputStream current;
    private volatile long lastActivity = System.nanoTime();
    private volatile boolean closed;
    /** True while the reader waits for the stream's lines: only then does the watchdog judge it idle. */
    private volatile boolean reading;
    private volatile int reconnects;

    /** Opens the stream ({@code query} is e.g. {@code ?device=dev-1&type=update}); returns once the server answered. */
    public static EventStream open(ApiClient client, String query, String lastEventId, Duration idle)
            throws ApiRefusedException, ServerUnreachableException {
        EventStream stream = new EventStream(client, "/api/v1/events/stream" + query, lastEventId, idle);
        stream.current = stream.connect();
        stream.reader.start();
        return stream;
    }

    private EventStream(ApiClient client, String path, String lastEventId, Duration idle) {
        this.client = client;
        this.path = path;
        this.idle = idle;
        this.lastEventId = lastEventId;
        this.reader = new Thread(this::readForever, "ferry-event-stream");
        this.reader.setDaemon(true);
    }

    /** The next event, or null when none came within {@code max}. */
    public Event next(Duration max) throws ApiRefusedException, ServerUnreachableException, InterruptedException {
        Object next = received.poll(Math.max(1, max.toMillis()), TimeUnit.MILLISECONDS);
        if (next instanceof ApiRefusedException refused) {
            received.add(refused);
            throw refused;
        }
        return (Event) next;
    }

    /** How often the stream was opened again after it dropped. */
    public int reconnects() {
        return reconnects;
    }

    private InputStream connect() throws ApiRefusedException, ServerUnreachableException {
        HttpRequest.Builder request = client.request(path, clientTimeout()).header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> answer;
        try {
            answer = client.http().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw client.unreachable("GET", path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerUnreachableException("interrupted opening the event stream", e);
        }
        if (answer.statusCode() >= 400) {
            byte[] body;
            try (InputStream in = answer.body()) {
                body = in.readNBytes(64 * 1024);
            } catch (IOException e) {
                body = new byte[0];
            }
            throw Problems.refused("GET", path, new ApiClient.Response(answer.statusCode(),
                    answer.headers().firstValue("Content-Type").orElse(""), body));
        }
        lastActivity = System.nanoTime();
        return answer.body();
    }

    /** The stream's answer (its headers) must come within the client's request timeout; its body never ends. */
    private Duration clientTimeout() {
        return client.timeout();
    }

    private void readForever() {
        Thread watchdog = new Thread(this::closeWhenIdle, "ferry-event-stream-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Duration pause = RECONNECT_PAUSE;
        while (!closed) {
            try {
                if (current == null) {
                    current = connect();
                    reconnects++;
                    pause = RECONNECT_PAUSE;
                }
                lastActivity = System.nanoTime();
                reading = true;
                readEvents(current);
            } catch (ApiRefusedException e) {
                if (e.status() < 500 && e.status() != 429) {
                    received.add(e);
                    return;
                }
            } catch (ServerUnreachableException | IOException e) {
                // dropped or not reachable now: open it again after a pause
            }
            reading = false;
            closeQuietly(current);
            current = null;
            Thread.interrupted(); // the watchdog's interrupt ended that read; the next connection starts clean
            if (closed) {
                return;
            }
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
            }
            pause = pause.multipliedBy(2).compareTo(MAX_RECONNECT_PAUSE) > 0 ? MAX_RECONNECT_PAUSE : pause.multipliedBy(2);
        }
    }

    private void readEvents(InputStream in) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String id = null;
        String type = null;
        StringBuilder data = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            lastActivity = System.nanoTime();
            if (line.isEmpty()) {
                if (data != null) {
                    if (id != null) {
                        lastEventId = id;
                    }
                    received.add(new Event(id, type == null ? "message" : type, data.toString()));
                }
                id = null;
                type = null;
                data = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue; // a heartbeat
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "id" -> id = value;
                case "event" -> type = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> { }
            }
        }
        throw new IOException("the server ended the event stream");
    }

    private void closeWhenIdle() {
        while (!closed) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
            if (reading && System.nanoTime() - lastActivity > idle.toNanos()) {
                lastActivity = System.nanoTime();
                closeQuietly(current); // the reader then opens it again
                reader.interrupt(); // a read blocked on the closed stream ends on the interrupt
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing a dead stream
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(current);
        reader.interrupt();
    }
}
