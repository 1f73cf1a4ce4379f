package dev.ferry.server.device;

/** Told about each device event after it is committed to the database. Must return quickly. */
@FunctionalInterface
public interface DeviceEventListener {
    void onEvent(DeviceEvent event);
}
