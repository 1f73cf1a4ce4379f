package dev.ferry.sim.device;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers a device's events in order, off the device's lock, to listeners and to waiting futures. */
final class EventHub {
    private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);
    private static final int HISTORY = 500;

    /** Waits for an event published after {@code since} (a sequence number) that meets the condition. */
    private record Waiter(long since, Predicate<DeviceEvent> condition, CompletableFuture<DeviceEvent> future) {
    }

    private final SerialExecutor dispatcher;
    private final List<SimDevice.Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final Deque<DeviceEvent> history = new ArrayDeque<>();
    /** Sequence number of the last event published; guarded by {@link #history}. */
    private long published;

    EventHub(Executor shared) {
        this.dispatcher = new SerialExecutor(shared);
    }

    void addListener(SimDevice.Listener listener) {
        listeners.add(listener);
    }

    void removeListener(SimDevice.Listener listener) {
        listeners.remove(listener);
    }

    /** Completes with the first event published after this call that meets {@code condition}. */
    CompletableFuture<DeviceEvent> next(Predicate<DeviceEvent> condition) {
        CompletableFuture<DeviceEvent> future = new CompletableFuture<>();
        long since;
        synchronized (history) {
            since = published;
        }
        Waiter waiter = new Waiter(since, condition, future);
        waiters.add(waiter);
        future.whenComplete((event, error) -> waiters.remove(waiter));
        return future;
    }

    /** Queues {@code event}; {@code before} (may be null) runs on the dispatcher right before delivery. */
    void publish(DeviceEvent event, Runnable before) {
        long sequence;
        synchronized (history) {
            if (history.size() == HISTORY) {
                history.removeFirst();
            }
            history.addLast(event);
            sequence = ++published;
        }
        dispatcher.execute(() -> deliver(sequence, event, before));
    }

    private void deliver(long sequence, DeviceEvent event, Runnable before) {
        if (before != null) {
            before.run();
        }
        for (SimDevice.Listener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("listener of {} failed on {}", event.endpoint(), event.type(), e);
            }
        }
        for (Waiter waiter : waiters) {
            if (sequence > waiter.since() && waiter.condition().test(event)) {
                waiter.future().complete(event);
            }
        }
    }

    /** The last events (at most {@value #HISTORY}), oldest first. */
    List<DeviceEvent> history() {
        synchronized (history) {
            return new ArrayList<>(history);
        }
    }
}
