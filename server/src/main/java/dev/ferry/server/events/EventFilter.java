package dev.ferry.server.events;

import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import dev.ferry.server.device.Device;
import dev.ferry.server.device.DeviceFilter;

/**
 * Which events a stream client or a webhook wants: of one device, of the devices of a group, of some types.
 *
 * @param endpoint only this device's events; null for any device
 * @param group only events of devices this filter matches (a saved group's filter), as the registry knows them when
 *        the event is sent; null for any device. Events of no device (a rollout's own) never match a group.
 * @param types the concrete type names wanted ({@link EventTypes#parse}); empty for every type
 */
public record EventFilter(String endpoint, DeviceFilter group, Set<String> types) {
    public static final EventFilter ALL = new EventFilter(null, null, Set.of());

    public EventFilter {
        types = Set.copyOf(types);
    }

    public boolean needsDevice() {
        return group != null;
    }

    public boolean matches(StreamEvent event, Function<String, Optional<Device>> devices) {
        if (!types.isEmpty() && !types.contains(event.type())) {
            return false;
        }
        if (endpoint != null && !endpoint.equals(event.endpoint())) {
            return false;
        }
        if (group == null) {
            return true;
        }
        return event.endpoint() != null && devices.apply(event.endpoint()).map(group::matches).orElse(false);
    }
}
