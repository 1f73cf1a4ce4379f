package dev.ferry.sim.device;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** What a device tells its listeners: every change as a {@link DeviceEvent}, stamped with the device's state. */
final class DeviceEvents {
    private final DeviceParts device;
    private final EventHub hub;

    DeviceEvents(DeviceParts device, EventHub hub) {
        this.device = device;
        this.hub = hub;
    }

    void addListener(SimDevice.Listener listener) {
        hub.addListener(listener);
    }

    void removeListener(SimDevice.Listener listener) {
        hub.removeListener(listener);
    }

    CompletableFuture<DeviceEvent> next(Predicate<DeviceEvent> condition) {
        return hub.next(condition);
    }

    List<DeviceEvent> history() {
        return hub.history();
    }

    /** The machine's listener, called under the lock: observers of object 5 hear of it after the lock. */
    void stateChanged(FirmwareState state, UpdateResult result) {
        FirmwareObject target = device.power().firmwareObject();
        hub.publish(event(DeviceEvent.Type.STATE_CHANGED, -1, device.machine().failureDetail()), target == null
                ? null
                : () -> {
                    synchronized (device.lock()) {
                        if (device.power().firmwareObject() != target) {
                            return;
                        }
                    }
                    target.fireStateChange();
                });
    }

    void publish(DeviceEvent.Type type, long bytes, String detail) {
        synchronized (device.lock()) {
            hub.publish(event(type, bytes, detail), null);
        }
    }

    DeviceEvent event(DeviceEvent.Type type, long bytes, String detail) {
        synchronized (device.lock()) {
            UpdateMachine machine = device.machine();
            return new DeviceEvent(type, device.settings().endpoint(), Instant.now(), device.power().running(),
                    machine.state(), machine.result(), bytes, detail == null ? "" : detail);
        }
    }
}
