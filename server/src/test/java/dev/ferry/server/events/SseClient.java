package dev.ferry.server.events;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

/** A Server-Sent Events client over a real connection: parses frames as they arrive; close() disconnects. */
final class SseClient implements AutoCloseable {
    /** One event: {@code id} null when the frame had none. */
    record Frame(String id, String event, String data) {
        JsonObject json() {
            return new JsonObject(data);
        }

        long longId() {
            return Long.parseLong(id);
        }
    }

    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final InputStream body;
    private final Thread reader;
    private final int status;

    private SseClient(HttpResponse<InputStream> response) {
        this.status = response.statusCode();
        this.body = response.body();
        this.reader = new Thread(this::read, "sse-test-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Opens {@code path} (query included) with the admin token; {@code lastEventId} null sends none. */
    static SseClient open(TestServer server, String path, String lastEventId) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("accept", "text/event-stream").header("authorization", "Bearer " + server.adminToken());
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<InputStream> response = http.sendAsync(request.build(),
                    HttpResponse.BodyHandlers.ofInputStream()).get(20, TimeUnit.SECONDS);
            return new SseClient(response);
        } catch (Exception e) {
            throw new IllegalStateException("GET " + path + " failed: " + e, e);
        }
    }

    int status() {
        return status;
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = new StringBuilder();
            for (String line; (line = lines.readLine()) != null;) {
                if (line.isEmpty()) {
                    if (event != null || data.length() > 0) {
                        frames.add(new Frame(id, event == null ? "message" : event, data.toString()));
                    }
                    id = null;
                    event = null;
                    data.setLength(0);
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(data.length() > 0 ? "\n" : "").append(line.substring(6));
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** The next frame, waiting up to the test deadline. */
    Frame next() {
        try {
            Frame frame = frames.poll(TestServer.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError("no event within " + TestServer.DEADLINE);
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** Every frame up to and including the first that {@code last} accepts. */
    List<Frame> until(Predicate<Frame> last) {
        List<Frame> seen = new ArrayList<>();
        while (true) {
            Frame frame = next();
            seen.add(frame);
            if (last.test(frame)) {
                return seen;
            }
        }
    }

    /** A frame already received or arriving within {@code within}, else null. */
    Frame poll(Duration within) throws InterruptedException {
        return frames.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // disconnecting anyway
        }
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
