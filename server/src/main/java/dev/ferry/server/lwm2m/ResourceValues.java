package dev.ferry.server.lwm2m;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.leshan.core.model.ResourceModel;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.LwM2mResourceInstance;
import org.eclipse.leshan.core.node.ObjectLink;
import org.eclipse.leshan.core.util.datatype.ULong;

import dev.ferry.server.lwm2m.DeviceRequestException.Kind;

/**
 * Converts between LwM2M resource values and JSON-friendly Java values: strings, numbers, booleans; opaque as
 * lowercase hex, time as ISO-8601, object links as "objectId:instanceId".
 */
public final class ResourceValues {
    private ResourceValues() {
    }

    public static Object toJsonValue(LwM2mResource resource) {
        if (resource.isMultiInstances()) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (Map.Entry<Integer, LwM2mResourceInstance> e : resource.getInstances().entrySet()) {
                values.put(e.getKey().toString(), toJsonValue(e.getValue().getValue()));
            }
            return values;
        }
        return toJsonValue(resource.getValue());
    }

    static Object toJsonValue(Object value) {
        if (value instanceof byte[] bytes) {
            return HexFormat.of().formatHex(bytes);
        }
        if (value instanceof Date date) {
            return date.toInstant().toString();
        }
        if (value instanceof ObjectLink link) {
            return link.getObjectId() + ":" + link.getObjectInstanceId();
        }
        if (value instanceof ULong unsigned) {
            return unsigned.toString();
        }
        if (value instanceof Number || value instanceof Boolean || value instanceof String || value == null) {
            return value;
        }
        return value.toString();
    }

    /** Converts a JSON value for a resource of the given type, or fails with a message naming the expected form. */
    public static Object fromJsonValue(ResourceModel.Type type, Object value, String path) {
        try {
            return switch (type) {
            case STRING, CORELINK -> requireType(value, String.class, type, path);
            case INTEGER -> requireType(value, Number.class, type, path).longValue();
            case UNSIGNED_INTEGER -> {
                long number = requireType(value, Number.class, type, path).longValue();
                if (number < 0) {
                    throw bad(type, path, "a non-negative integer");
                }
                yield ULong.valueOf(number);
            }
            case FLOAT -> requireType(value, Number.class, type, path).doubleValue();
            case BOOLEAN -> requireType(value, Boolean.class, type, path);
            case OPAQUE -> HexFormat.of().parseHex(requireType(value, String.class, type, path));
            case TIME -> value instanceof Number n ? new Date(n.longValue() * 1000)
                    : Date.from(Instant.parse(requireType(value, String.class, type, path)));
            case OBJLNK -> {
                String[] parts = requireType(value, String.class, type, path).split(":");
                if (parts.length != 2) {
                    throw bad(type, path, "\"objectId:instanceId\"");
                }
                yield new ObjectLink(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            }
            case NONE -> throw new DeviceRequestException(Kind.UNKNOWN_RESOURCE,
                    path + " is an executable resource; use POST to execute it");
            };
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new DeviceRequestException(Kind.BAD_VALUE, "value for " + path + " (" + type
                    + ") is malformed; it must be " + expectedForm(type));
        }
    }

    private static <T> T requireType(Object value, Class<T> expected, ResourceModel.Type type, String path) {
        if (!expected.isInstance(value)) {
            throw bad(type, path, expectedForm(type));
        }
        return expected.cast(value);
    }

    private static String expectedForm(ResourceModel.Type type) {
        return switch (type) {
        case OPAQUE -> "a hex string (an even number of 0-9a-f digits)";
        case TIME -> "an ISO-8601 instant (2030-01-31T12:00:00Z) or seconds since the epoch";
        case STRING, CORELINK -> "a string";
        case BOOLEAN -> "true or false";
        case OBJLNK -> "\"objectId:instanceId\", two numbers from 0 to 65535";
        default -> "a number";
        };
    }

    private static DeviceRequestException bad(ResourceModel.Type type, String path, String expected) {
        return new DeviceRequestException(Kind.BAD_VALUE,
                "resource " + path + " has type " + type + "; its value must be " + expected);
    }
}
