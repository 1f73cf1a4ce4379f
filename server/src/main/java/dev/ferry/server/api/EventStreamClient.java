package dev.ferry.server.api;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.events.EventFilter;
import dev.ferry.server.events.EventHub;
import dev.ferry.server.events.StreamEvent;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * One connected event stream client. The hub hands it events on its own thread; they are written on the
 * connection's event loop. A client that does not read what it is sent is dropped, not buffered without bound: when
 * more than {@link #MAX_PENDING} events wait to be written or the connection's write queue is full, the connection
 * is closed, and the client resumes with Last-Event-ID once it reconnects.
 */
final class EventStreamClient implements EventHub.Subscriber {
    private static final Logger LOG = LoggerFactory.getLogger(EventStreamClient.class);
    static final int MAX_PENDING = 10_000;
    /** Bytes the connection may hold unsent before the client counts as not reading. */
    static final int WRITE_QUEUE_BYTES = 1024 * 1024;

    private final Context context;
    private final HttpServerResponse response;
    private final EventFilter filter;
    private final String who;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean gone = new AtomicBoolean();

    EventStreamClient(Context context, HttpServerResponse response, EventFilter filter, String who) {
        this.context = context;
        this.response = response;
        this.filter = filter;
        this.who = who;
        response.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
    }

    @Override
    public EventFilter filter() {
        return filter;
    }

    @Override
    public boolean send(List<StreamEvent> events) {
        if (gone.get()) {
            return false;
        }
        if (pending.addAndGet(events.size()) > MAX_PENDING) {
            drop(pending.get() + " events waiting to be written");
            return false;
        }
        context.runOnContext(v -> write(events));
        return true;
    }

    @Override
    public void missed(long after, long resumedAfter) {
        JsonObject data = new JsonObject().put("after", after).put("resumedAfter", resumedAfter)
                .put("detail", "more events happened after " + after + " than the stream replays; those up to "
                        + resumedAfter + " are not sent: read them with GET /api/v1/events");
        context.runOnContext(v -> writeFrame("event: gap\ndata: " + data.encode() + "\n\n"));
    }

    /** Writes a comment line, so that proxies see traffic on an idle stream. */
    void heartbeat() {
        writeFrame(": heartbeat\n\n");
    }

    boolean isGone() {
        return gone.get();
    }

    /** Marks the client gone (its connection closed); the hub drops it at its next send. */
    void closed() {
        gone.set(true);
    }

    private void write(List<StreamEvent> events) {
        pending.addAndGet(-events.size());
        StringBuilder frames = new StringBuilder();
        for (StreamEvent event : events) {
            if (event.id() != null) {
                frames.append("id: ").append(event.id()).append('\n');
            }
            frames.append("event: ").append(event.type()).append('\n');
            frames.append("data: ").append(event.data().encode()).append("\n\n");
        }
        writeFrame(frames.toString());
    }

    private void writeFrame(String frame) {
        if (gone.get() || response.ended() || response.closed()) {
            return;
        }
        if (response.writeQueueFull()) {
            drop("its connection's write queue is full");
            return;
        }
        response.write(frame);
    }

    private void drop(String why) {
        if (gone.compareAndSet(false, true)) {
            LOG.info("Event stream client {} dropped: it does not read fast enough ({}); it may reconnect with"
                    + " Last-Event-ID", who, why);
            context.runOnContext(v -> response.reset());
        }
    }
}
