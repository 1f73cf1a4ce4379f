package dev.ferry.server.device;

import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans committed device events out to in-process listeners (today those of the tests). Events are
 * published only after their transaction committed, so a listener can rely on the registry being current.
 */
public final class DeviceEventBus {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceEventBus.class);
    private final CopyOnWriteArrayList<DeviceEventListener> listeners = new CopyOnWriteArrayList<>();

    public void subscribe(DeviceEventListener listener) {
        listeners.add(listener);
    }

    public void unsubscribe(DeviceEventListener listener) {
        listeners.remove(listener);
    }

    public void publish(DeviceEvent event) {
        for (DeviceEventListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("Device event listener {} failed on {}", listener, event, e);
            }
        }
    }
}
