package dev.ferry.server.events;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.device.Device;
import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventListener;
import dev.ferry.server.telemetry.TelemetryListener;
import dev.ferry.server.telemetry.TelemetryPoint;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Puts the device event log in order for the event stream and webhooks, on a thread of its own (the buses call it
 * on theirs and it only wakes it up).
 * <p>
 * Ids are handed out when an event is inserted, but transactions commit in any order: event 11 may be visible before
 * event 10 is. A consumer that saw 11 and resumes "after 11" would miss 10 for good. So the hub reads the log and
 * moves its {@linkplain #horizon() horizon} only over consecutive ids: at a missing id it waits for the transaction
 * that holds it, up to {@link #GAP_WAIT_NANOS}, and passes it only then (a rolled-back transaction or a restart leaves
 * ids that never come). Everything up to the horizon is final, so "after id N" is an exact resume point.
 * <p>
 * Telemetry is not in the log; it goes to subscribers as it is stored, without an id, and cannot be resumed. A full
 * telemetry queue drops points for the stream (counted and logged), never for the store.
 */
public final class EventHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);
    /** How long a missing id may hold up the events after it. */
    static final long GAP_WAIT_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final int PAGE = 500;
    private static final int TELEMETRY_QUEUE = 10_000;
    private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** A consumer of ordered events; called on the hub's thread, so it must not block. */
    public interface Subscriber {
        EventFilter filter();

        /** Takes events that passed the filter; false when the subscriber is gone (closed, too slow). */
        boolean send(List<StreamEvent> events);

        /** Events after {@code after} up to {@code resumedAfter} are no longer replayed: more were missed than kept. */
        void missed(long after, long resumedAfter);
    }

    private record Subscription(Subscriber subscriber, Long after) {
    }

    private final EventLog log;
    private final Function<String, Optional<Device>> devices;
    private final int replayLimit;
    private final int maxClients;
    private final Thread worker;
    private final BlockingQueue<Boolean> wake = new ArrayBlockingQueue<>(1);
    private final ConcurrentLinkedQueue<Subscription> joining = new ConcurrentLinkedQueue<>();
    private final Map<Subscriber, long[]> live = new ConcurrentHashMap<>();
    private final BlockingQueue<TelemetryPoint> telemetry = new ArrayBlockingQueue<>(TELEMETRY_QUEUE);
    private final List<Runnable> horizonListeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger clients = new AtomicInteger();
    private final AtomicLong droppedTelemetry = new AtomicLong();
    private final DeviceEventListener eventListener = this::eventCommitted;
    private final TelemetryListener telemetryListener = this::telemetryStored;
    private volatile long horizon;
    private volatile boolean telemetryWanted;
    private volatile boolean closing;
    private long gapSince;
    private long lastDropLog;

    /**
     * @param replayLimit the most events a resuming stream client is sent from the log: the bounded buffer it can
     *        resume within
     * @param maxClients event stream clients served at once
     */
    public EventHub(EventLog log, Function<String, Optional<Device>> devices, int replayLimit, int maxClients,
            MeterRegistry meters) {
        this.log = log;
        this.devices = devices;
        this.replayLimit = replayLimit;
        this.maxClients = maxClients;
        this.worker = new Thread(this::run, "ferry-event-hub");
        this.worker.setDaemon(true);
        Gauge.builder("ferry.events.stream.clients", clients, AtomicInteger::get)
                .description("Event stream clients connected").register(meters);
    }

    public DeviceEventListener eventListener() {
        return eventListener;
    }

    public TelemetryListener telemetryListener() {
        return telemetryListener;
    }

    public void start() {
        horizon = log.newestId();
        worker.start();
    }

    /** The id up to which the event log is final: every event with a smaller id is committed or never will be. */
    public long horizon() {
        return horizon;
    }

    /** Told (on the hub's thread) whenever the horizon moves; must not block. */
    public void onHorizonMoved(Runnable listener) {
        horizonListeners.add(listener);
    }

    /** Takes a stream client's place; false when {@code maxClients} are connected. */
    public boolean reserveClient() {
        while (true) {
            int now = clients.get();
            if (now >= maxClients) {
                return false;
            }
            if (clients.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    public void releaseClient() {
        clients.decrementAndGet();
    }

    public int maxClients() {
        return maxClients;
    }

    /**
     * Starts sending to {@code subscriber}: first the log's events after {@code after} (at most the replay limit),
     * then every new one, each exactly once and in id order. {@code after} null: new events only.
     */
    public void subscribe(Subscriber subscriber, Long after) {
        joining.add(new Subscription(subscriber, after));
        signal();
    }

    public void unsubscribe(Subscriber subscriber) {
        live.remove(subscriber);
        telemetryWanted = live.keySet().stream().anyMatch(EventHub::wantsTelemetry);
    }

    private static boolean wantsTelemetry(Subscriber s) {
        return s.filter().types().isEmpty() || s.filter().types().contains(EventTypes.TELEMETRY);
    }

    private void eventCommitted(DeviceEvent event) {
        signal();
    }

    private void telemetryStored(List<TelemetryPoint> points) {
        if (!telemetryWanted) {
            return;
        }
        int dropped = 0;
        for (TelemetryPoint point : points) {
            if (!telemetry.offer(point)) {
                dropped++;
            }
        }
        if (dropped > 0) {
            long total = droppedTelemetry.addAndGet(dropped);
            long now = System.nanoTime();
            if (now - lastDropLog > DROP_LOG_INTERVAL_NANOS) {
                lastDropLog = now;
                LOG.warn("Event stream falls behind telemetry; {} point(s) not streamed so far (they are stored)",
                        total);
            }
        }
        signal();
    }

    private void signal() {
        wake.offer(Boolean.TRUE);
    }

    private void run() {
        while (!closing) {
            try {
                long waitNanos = gapSince == 0 ? TimeUnit.SECONDS.toNanos(1)
                        : Math.max(TimeUnit.MILLISECONDS.toNanos(10), GAP_WAIT_NANOS - (System.nanoTime() - gapSince));
                wake.poll(waitNanos, TimeUnit.NANOSECONDS);
                if (!closing) {
                    round();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("Event hub round failed; retrying: {}", e.toString());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void round() {
        Map<String, Optional<Device>> known = new HashMap<>();
        Function<String, Optional<Device>> lookup = endpoint -> known.computeIfAbsent(endpoint, devices);
        for (Subscription s; (s = joining.poll()) != null;) {
            join(s, lookup);
        }
        long before = horizon;
        List<StreamEvent> fresh = advance();
        List<StreamEvent> points = new ArrayList<>();
        for (TelemetryPoint p; (p = telemetry.poll()) != null && points.size() < PAGE * 10;) {
            points.add(EventLog.toStreamEvent(p));
        }
        fresh.addAll(points);
        if (!fresh.isEmpty()) {
            live.entrySet().removeIf(entry -> !deliver(entry.getKey(), entry.getValue(), fresh, lookup));
        }
        if (horizon != before) {
            horizonListeners.forEach(Runnable::run);
        }
        if (!telemetry.isEmpty() || !joining.isEmpty()) {
            signal();
        }
    }

    /** Reads the log past the horizon and returns the events it moved over. */
    private List<StreamEvent> advance() {
        List<StreamEvent> moved = new ArrayList<>();
        List<StreamEvent> read = log.between(horizon, Long.MAX_VALUE, PAGE);
        for (StreamEvent event : read) {
            if (event.id() != horizon + 1) {
                long now = System.nanoTime();
                if (gapSince == 0) {
                    gapSince = now;
                }
                if (now - gapSince < GAP_WAIT_NANOS) {
                    return moved;
                }
            }
            moved.add(event);
            horizon = event.id();
            gapSince = 0;
        }
        if (read.size() == PAGE) {
            signal(); // more to read
        }
        return moved;
    }

    private void join(Subscription s, Function<String, Optional<Device>> lookup) {
        long[] cursor = {s.after() == null ? horizon : s.after()};
        if (s.after() != null && s.after() < horizon) {
            long start = log.replayStart(s.after(), horizon, replayLimit);
            if (start > s.after()) {
                s.subscriber().missed(s.after(), start);
                cursor[0] = start;
            }
            long upTo = horizon;
            while (cursor[0] < upTo) {
                List<StreamEvent> page = log.between(cursor[0], upTo, PAGE);
                if (page.isEmpty()) {
                    break;
                }
                if (!deliver(s.subscriber(), cursor, page, lookup)) {
                    return;
                }
            }
        }
        live.put(s.subscriber(), cursor);
        telemetryWanted = telemetryWanted || wantsTelemetry(s.subscriber());
    }

    /** Sends the events the subscriber has not had and wants; false when it is gone. */
    private static boolean deliver(Subscriber subscriber, long[] cursor, List<StreamEvent> events,
            Function<String, Optional<Device>> lookup) {
        List<StreamEvent> wanted = new ArrayList<>();
        EventFilter filter = subscriber.filter();
        for (StreamEvent event : events) {
            if (event.id() != null) {
                if (event.id() <= cursor[0]) {
                    continue;
                }
                cursor[0] = event.id();
            }
            if (filter.matches(event, lookup)) {
                wanted.add(event);
            }
        }
        return wanted.isEmpty() || subscriber.send(wanted);
    }

    @Override
    public void close() {
        closing = true;
        signal();
        try {
            worker.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        live.clear();
    }
}
