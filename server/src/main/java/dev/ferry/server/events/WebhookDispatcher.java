package dev.ferry.server.events;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.device.Device;
import dev.ferry.server.device.DeviceFilter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Queues and sends webhook deliveries, on a thread of its own that alone touches their rows.
 * <p>
 * Queueing follows the {@link EventHub}'s horizon through the event log from a persisted cursor: the deliveries of a
 * page of events and the cursor move in one transaction, so each event is queued once for each webhook it matches,
 * also across a crash. Sending is Vert.x's (no thread waits on a receiver); each attempt ends within the timeout, is
 * recorded, and a failed one is tried again after a delay that doubles from {@code retryBase}. A delivery that fails
 * {@code maxAttempts} times disables its webhook with the reason: a receiver that failed for that long is broken,
 * and queueing more for it would only pile up.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final int PAGE = 500;
    private static final long TICK_MILLIS = 200;

    /** Settings: attempts per delivery, the first retry's delay, one attempt's limit, attempts in flight at most. */
    public record Settings(int maxAttempts, Duration retryBase, Duration timeout, int concurrency) {
    }

    /** What a receiver did with one attempt. */
    record Outcome(long deliveryId, int attempt, OffsetDateTime at, Integer statusCode, String error,
            long durationMillis) {
        boolean delivered() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }
    }

    private final WebhookStore store;
    private final EventLog log;
    private final EventHub hub;
    private final Function<String, Optional<Device>> devices;
    private final Function<String, Optional<DeviceFilter>> groups;
    private final WebhookSender sender;
    private final Settings settings;
    private final Clock clock;
    private final String source;
    private final Thread worker;
    private final BlockingQueue<Boolean> wake = new ArrayBlockingQueue<>(1);
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final Counter delivered;
    private final Counter retried;
    private final Counter failed;
    private volatile boolean closing;
    private long cursor;

    public WebhookDispatcher(WebhookStore store, EventLog log, EventHub hub, Function<String, Optional<Device>> devices,
            Function<String, Optional<DeviceFilter>> groups, WebhookSender sender, Settings settings, Clock clock,
            String source, MeterRegistry meters) {
        this.store = store;
        this.log = log;
        this.hub = hub;
        this.devices = devices;
        this.groups = groups;
        this.sender = sender;
        this.settings = settings;
        this.clock = clock;
        this.source = source;
        this.worker = new Thread(this::run, "ferry-webhooks");
        this.worker.setDaemon(true);
        this.delivered = counter(meters, "delivered", "attempts a receiver answered 2xx");
        this.retried = counter(meters, "retrying", "failed attempts that will be tried again");
        this.failed = counter(meters, "failed", "deliveries given up after their last attempt");
        hub.onHorizonMoved(this::signal);
    }

    private static Counter counter(MeterRegistry meters, String outcome, String description) {
        return Counter.builder("ferry.webhook.deliveries").tag("outcome", outcome)
                .description("Webhook delivery attempts by outcome: " + description).register(meters);
    }

    public void start() {
        cursor = store.cursor(log.newestId());
        worker.start();
    }

    /** Looks for work now rather than at the next tick (a webhook was made, a delivery is due). */
    public void signal() {
        wake.offer(Boolean.TRUE);
    }

    private void run() {
        while (!closing) {
            try {
                wake.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
                if (closing) {
                    return;
                }
                recordOutcomes();
                queueNewEvents();
                sendDue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("Webhook dispatch failed; retrying: {}", e.toString());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void queueNewEvents() {
        while (cursor < hub.horizon()) {
            List<StreamEvent> events = log.between(cursor, hub.horizon(), PAGE);
            if (events.isEmpty()) {
                return;
            }
            List<Webhook> hooks = store.enabled();
            Map<String, Optional<DeviceFilter>> groupFilters = new HashMap<>();
            Map<String, Optional<Device>> known = new HashMap<>();
            List<WebhookStore.Queued> queued = new ArrayList<>();
            for (Webhook hook : hooks) {
                EventFilter filter = filterOf(hook, groupFilters);
                if (filter == null) {
                    continue; // its group is gone: nothing matches it
                }
                for (StreamEvent event : events) {
                    if (event.id() > hook.afterEventId()
                            && filter.matches(event, e -> known.computeIfAbsent(e, devices))) {
                        queued.add(new WebhookStore.Queued(hook.id(), event.id(), event.type(),
                                CloudEvents.of(event, source).encode()));
                    }
                }
            }
            long last = events.get(events.size() - 1).id();
            store.queue(queued, last, OffsetDateTime.now(clock));
            cursor = last;
        }
    }

    private EventFilter filterOf(Webhook hook, Map<String, Optional<DeviceFilter>> groupFilters) {
        DeviceFilter group = null;
        if (hook.group() != null) {
            group = groupFilters.computeIfAbsent(hook.group(), groups).orElse(null);
            if (group == null) {
                return null;
            }
        }
        return new EventFilter(hook.device(), group, hook.types());
    }

    private void sendDue() {
        int room = settings.concurrency() - inFlight.size();
        if (room <= 0) {
            return;
        }
        for (WebhookStore.Due due : store.due(OffsetDateTime.now(clock), room, Set.copyOf(inFlight))) {
            inFlight.add(due.deliveryId());
            int attempt = due.attempts() + 1;
            OffsetDateTime at = OffsetDateTime.now(clock);
            long started = System.nanoTime();
            sender.send(due, attempt, settings.timeout(), (status, error) -> {
                outcomes.add(new Outcome(due.deliveryId(), attempt, at, status, error,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
                signal();
            });
        }
    }

    private void recordOutcomes() {
        for (Outcome o; (o = outcomes.poll()) != null;) {
            try {
                record(o);
            } finally {
                inFlight.remove(o.deliveryId());
            }
        }
    }

    private void record(Outcome o) {
        String error = o.error() != null ? o.error() : o.delivered() ? null : "HTTP " + o.statusCode();
        if (o.delivered()) {
            store.recordAttempt(o.deliveryId(), o.attempt(), o.at(), o.statusCode(), null, o.durationMillis(), true,
                    null, null);
            delivered.increment();
            return;
        }
        if (o.attempt() < settings.maxAttempts()) {
            Duration delay = settings.retryBase().multipliedBy(1L << Math.min(o.attempt() - 1, 20));
            store.recordAttempt(o.deliveryId(), o.attempt(), o.at(), o.statusCode(), error, o.durationMillis(), false,
                    OffsetDateTime.now(clock).plus(delay), null);
            retried.increment();
            return;
        }
        String reason = "delivery " + o.deliveryId() + " failed all " + o.attempt() + " attempts (last: " + error
                + "); fix the receiver, then delete this webhook and create it again";
        store.recordAttempt(o.deliveryId(), o.attempt(), o.at(), o.statusCode(), error, o.durationMillis(), false,
                null, reason);
        failed.increment();
        LOG.warn("Webhook of delivery {} disabled: {}", o.deliveryId(), reason);
    }

    /** Stops queueing and sending; what is queued stays queued for the next start. */
    @Override
    public void close() {
        closing = true;
        signal();
        try {
            worker.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
