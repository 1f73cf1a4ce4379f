package dev.ferry.server.events;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.ferry.server.device.DeviceEventType;

/**
 * The type names the event stream and webhooks use: each device event type by its wire name ("registered",
 * "expired", "update", "command", ...), "telemetry" for stored values, and two names that select by what an event
 * does to the device's {@code online} field: "online" (registered, the device view shows it online) and "offline"
 * (deregistered or expired, the device view shows it offline). A registration update keeps a device online and is
 * "updated"; a queue-mode device that sleeps between wake-ups stays registered, so it is not offline.
 */
public final class EventTypes {
    public static final String TELEMETRY = "telemetry";
    public static final String ONLINE = "online";
    public static final String OFFLINE = "offline";

    private EventTypes() {
    }

    /** The concrete type names: device event types and telemetry. */
    public static List<String> concrete() {
        List<String> names = new ArrayList<>();
        for (DeviceEventType type : DeviceEventType.values()) {
            names.add(type.wireName());
        }
        names.add(TELEMETRY);
        return names;
    }

    /** Every name a filter takes. */
    public static List<String> accepted() {
        List<String> names = concrete();
        names.add(ONLINE);
        names.add(OFFLINE);
        return names;
    }

    /**
     * The concrete types a comma-separated list of names selects; empty for null or blank (every type).
     *
     * @throws IllegalArgumentException naming the unknown name and the accepted ones
     */
    public static Set<String> parse(String list) {
        Set<String> selected = new LinkedHashSet<>();
        if (list == null || list.isBlank()) {
            return selected;
        }
        for (String raw : list.split(",")) {
            String name = raw.strip();
            if (name.equals(ONLINE)) {
                selected.add(DeviceEventType.REGISTERED.wireName());
            } else if (name.equals(OFFLINE)) {
                selected.add(DeviceEventType.DEREGISTERED.wireName());
                selected.add(DeviceEventType.EXPIRED.wireName());
            } else if (concrete().contains(name)) {
                selected.add(name);
            } else {
                throw new IllegalArgumentException("unknown event type '" + name + "'; types are "
                        + String.join(", ", accepted()));
            }
        }
        return selected;
    }

    /** The device's {@code online} field after an event of this type, or null when the event does not change it. */
    public static Boolean onlineAfter(DeviceEventType type) {
        return switch (type) {
        case REGISTERED, UPDATED -> Boolean.TRUE;
        case DEREGISTERED, EXPIRED, DEPROVISIONED -> Boolean.FALSE;
        default -> null;
        };
    }
}
