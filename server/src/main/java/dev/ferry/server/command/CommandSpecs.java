package dev.ferry.server.command;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.eclipse.leshan.core.node.InvalidLwM2mPathException;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.WriteAttributesRequest;
import org.eclipse.leshan.core.request.exception.InvalidRequestException;

import io.vertx.core.json.JsonObject;

/**
 * Reads a command as the API takes it, e.g. {@code {"kind": "write", "path": "/1/0/3", "value": 30,
 * "deadlineSeconds": 3600}}, and refuses with {@link InvalidCommandException} what could never be sent.
 * Whether the device's object model allows it is judged when it is sent, against the device's registration.
 */
public final class CommandSpecs {
    static final List<String> ATTRIBUTES = List.of("pmin", "pmax", "gt", "lt", "st");
    private static final Set<String> COMMON = Set.of("kind", "path", "deadlineSeconds");
    private static final int MAX_ARGUMENTS = 1000;

    private final Duration defaultDeadline;
    private final Duration maxDeadline;

    public CommandSpecs(Duration defaultDeadline, Duration maxDeadline) {
        this.defaultDeadline = defaultDeadline;
        this.maxDeadline = maxDeadline;
    }

    /** @param extra fields besides the command's own that the caller reads (a fleet job's target, concurrency) */
    public CommandSpec parse(JsonObject json, String... extra) {
        CommandKind kind = kind(json.getValue("kind"));
        String path = path(json.getValue("path"));
        LwM2mPath parsed = new LwM2mPath(path);
        JsonObject payload = new JsonObject();
        switch (kind) {
            case READ, OBSERVE, CANCEL_OBSERVE -> allowOnly(json, kind, extra);
            case WRITE -> write(json, parsed, payload, extra);
            case EXECUTE -> {
                allowOnly(json, kind, extra, "arguments");
                requireResource(parsed, kind);
                Object arguments = json.getValue("arguments");
                if (arguments != null && !(arguments instanceof String)) {
                    throw new InvalidCommandException("\"arguments\" must be a string in the LwM2M execute argument"
                            + " syntax, e.g. \"0='on',1\"");
                }
                if (arguments != null && ((String) arguments).length() > MAX_ARGUMENTS) {
                    throw new InvalidCommandException("\"arguments\" may be up to " + MAX_ARGUMENTS + " characters");
                }
                if (arguments != null && !((String) arguments).isEmpty()) {
                    try {
                        new ExecuteRequest(path, (String) arguments);
                    } catch (InvalidRequestException e) {
                        throw new InvalidCommandException("\"arguments\" are not in the LwM2M execute argument"
                                + " syntax (e.g. \"0='on',1\"): " + e.getMessage());
                    }
                    payload.put("arguments", arguments);
                }
            }
            case WRITE_ATTRIBUTES -> {
                allowOnly(json, kind, extra, "attributes");
                JsonObject attributes = attributes(json.getValue("attributes"));
                try {
                    new WriteAttributesRequest(parsed, CommandRequests.attributes(attributes));
                } catch (InvalidRequestException | IllegalArgumentException e) {
                    throw new InvalidCommandException("these attributes cannot be written to " + path + ": "
                            + e.getMessage());
                }
                payload.put("attributes", attributes);
            }
            default -> throw new IllegalStateException("unhandled kind " + kind);
        }
        if (parsed.isRoot()) {
            throw new InvalidCommandException("\"path\" must name an object, instance or resource, e.g. \"/3/0/0\"");
        }
        return new CommandSpec(kind, path, payload, deadline(json.getValue("deadlineSeconds")));
    }

    private static void write(JsonObject json, LwM2mPath path, JsonObject payload, String... extra) {
        allowOnly(json, CommandKind.WRITE, extra, "value", "values");
        Object value = json.getValue("value");
        Object values = json.getValue("values");
        if ((value == null) == (values == null)) {
            throw new InvalidCommandException("a write takes either \"value\" (one resource: the path names it, e.g."
                    + " /1/0/3) or \"values\" (several resources of the instance the path names, e.g. /1/0 with"
                    + " {\"2\": 10, \"3\": 60})");
        }
        if (value != null) {
            requireResource(path, CommandKind.WRITE);
            payload.put("value", value);
            return;
        }
        if (!(values instanceof JsonObject resources) || resources.isEmpty()) {
            throw new InvalidCommandException("\"values\" must be an object of resource ids and values, e.g."
                    + " {\"2\": 10, \"3\": 60}");
        }
        if (!path.isObjectInstance()) {
            throw new InvalidCommandException("a write of \"values\" needs the path of an object instance, e.g. /1/0;"
                    + " got " + path);
        }
        for (String id : resources.fieldNames()) {
            if (!id.matches("\\d{1,5}") || Integer.parseInt(id) > 65535) {
                throw new InvalidCommandException("\"values\" keys are resource ids from 0 to 65535, got '" + id + "'");
            }
            if (resources.getValue(id) == null) {
                throw new InvalidCommandException("\"values\"." + id + " has no value");
            }
        }
        payload.put("values", resources);
    }

    private static JsonObject attributes(Object value) {
        if (!(value instanceof JsonObject attributes) || attributes.isEmpty()) {
            throw new InvalidCommandException("\"attributes\" must be an object with any of " + ATTRIBUTES
                    + ", e.g. {\"pmin\": 10, \"pmax\": 60}");
        }
        for (String name : attributes.fieldNames()) {
            Object v = attributes.getValue(name);
            if (!ATTRIBUTES.contains(name)) {
                throw new InvalidCommandException("unknown attribute '" + name + "'; known: " + ATTRIBUTES);
            }
            boolean period = name.equals("pmin") || name.equals("pmax");
            if (!(v instanceof Number n) || (period && (n.doubleValue() < 0 || n.doubleValue() != Math.rint(
                    n.doubleValue()))) || (name.equals("st") && n.doubleValue() <= 0)) {
                throw new InvalidCommandException("attribute " + name + " must be " + (period
                        ? "a whole number of seconds, 0 or more" : name.equals("st") ? "a number above 0"
                                : "a number") + ", got " + v);
            }
        }
        Number pmin = (Number) attributes.getValue("pmin");
        Number pmax = (Number) attributes.getValue("pmax");
        if (pmin != null && pmax != null && pmax.longValue() < pmin.longValue()) {
            throw new InvalidCommandException("pmax (" + pmax + ") must not be below pmin (" + pmin + ")");
        }
        return attributes;
    }

    private Duration deadline(Object value) {
        if (value == null) {
            return defaultDeadline;
        }
        if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1
                || n.longValue() > maxDeadline.toSeconds()) {
            throw new InvalidCommandException("\"deadlineSeconds\" must be a whole number from 1 to "
                    + maxDeadline.toSeconds() + " (commands.max-deadline-seconds), got " + value);
        }
        return Duration.ofSeconds(n.longValue());
    }

    private static CommandKind kind(Object value) {
        List<String> names = Arrays.stream(CommandKind.values()).map(CommandKind::wireName).toList();
        if (!(value instanceof String name)) {
            throw new InvalidCommandException("\"kind\" is required, one of " + String.join(", ", names));
        }
        try {
            return CommandKind.fromWireName(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidCommandException("\"kind\" must be one of " + String.join(", ", names) + ", got '"
                    + name + "'");
        }
    }

    private static String path(Object value) {
        if (!(value instanceof String text)) {
            throw new InvalidCommandException("\"path\" is required, an LwM2M path such as \"/3/0/4\"");
        }
        String path = text.startsWith("/") ? text : "/" + text;
        try {
            LwM2mPath parsed = new LwM2mPath(path);
            return parsed.toString();
        } catch (InvalidLwM2mPathException | IllegalArgumentException e) {
            throw new InvalidCommandException("\"path\" must be an LwM2M path of ids from 0 to 65535 such as"
                    + " \"/3/0/4\", got '" + text + "'");
        }
    }

    private static void requireResource(LwM2mPath path, CommandKind kind) {
        if (!path.isResource()) {
            throw new InvalidCommandException("a " + kind.wireName() + " of one value needs the path of a resource,"
                    + " e.g. /3/0/4; got " + path);
        }
    }

    private static void allowOnly(JsonObject json, CommandKind kind, String[] extra, String... own) {
        for (String field : json.fieldNames()) {
            if (!COMMON.contains(field) && !Arrays.asList(own).contains(field) && !Arrays.asList(extra)
                    .contains(field)) {
                List<String> allowed = new java.util.ArrayList<>(COMMON);
                allowed.addAll(Arrays.asList(own));
                allowed.addAll(Arrays.asList(extra));
                throw new InvalidCommandException("a " + kind.wireName() + " command takes no \"" + field
                        + "\"; its fields are " + allowed.stream().sorted().toList());
            }
        }
    }
}
