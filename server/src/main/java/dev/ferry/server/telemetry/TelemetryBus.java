package dev.ferry.server.telemetry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans stored telemetry out to in-process listeners (the event stream, webhooks), after the batch committed: a
 * listener that is told of a point can read it back.
 */
public final class TelemetryBus {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryBus.class);
    private final CopyOnWriteArrayList<TelemetryListener> listeners = new CopyOnWriteArrayList<>();

    public void subscribe(TelemetryListener listener) {
        listeners.add(listener);
    }

    public void unsubscribe(TelemetryListener listener) {
        listeners.remove(listener);
    }

    public void publish(List<TelemetryPoint> points) {
        if (points.isEmpty()) {
            return;
        }
        for (TelemetryListener listener : listeners) {
            try {
                listener.stored(points);
            } catch (RuntimeException e) {
                LOG.warn("Telemetry listener {} failed on {} point(s)", listener, points.size(), e);
            }
        }
    }
}
