package dev.ferry.server.device;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A {@link DeviceFilter} as JSON, the same for groups, rollout targets and their storage:
 * {@code {"tagsAll": [..], "tagsAny": [..], "model": "..", "firmwareVersion": "..", "online": true,
 * "endpointPrefix": "..", "endpoints": [..]}}, every key optional.
 */
public final class DeviceFilterJson {
    public static final List<String> KEYS = List.of("tagsAll", "tagsAny", "model", "firmwareVersion", "online",
            "endpointPrefix", "endpoints");
    /** The characters of endpoint names, any length up to theirs: a prefix of some endpoint. */
    private static final Pattern ENDPOINT_PREFIX = Pattern.compile("[A-Za-z0-9._:@+\\-]{1,128}");
    public static final int MAX_LIST = 10_000;

    private DeviceFilterJson() {
    }

    /**
     * Reads a filter, reporting every problem to {@code problems} as (field path, what is wrong): paths are
     * {@code fieldPrefix} and the key, such as {@code target.filter.firmwareVersion} or {@code tagsAll[2]} when the
     * prefix is empty. Never throws for bad input.
     *
     * @return the filter, or null when any problem was reported
     */
    public static DeviceFilter parse(JsonObject json, String fieldPrefix, BiConsumer<String, String> problems) {
        String prefix = fieldPrefix == null || fieldPrefix.isEmpty() ? "" : fieldPrefix + ".";
        if (json == null) {
            problems.accept(fieldPrefix == null || fieldPrefix.isEmpty() ? "filter" : fieldPrefix,
                    "is required: an object with any of " + String.join(", ", sortedKeys()));
            return null;
        }
        int[] count = {0};
        BiConsumer<String, String> counting = (field, problem) -> {
            count[0]++;
            problems.accept(field, problem);
        };
        for (String key : json.fieldNames()) {
            if (!KEYS.contains(key)) {
                counting.accept(prefix + key, "is not a filter condition; use " + String.join(", ", sortedKeys()));
            }
        }
        List<String> tagsAll = names(json, "tagsAll", prefix, Names.TAG, Names.TAG_RULE, counting);
        List<String> tagsAny = names(json, "tagsAny", prefix, Names.TAG, Names.TAG_RULE, counting);
        String model = text(json, "model", prefix, counting);
        if (model != null && !Names.isModel(model)) {
            counting.accept(prefix + "model", "'" + model + "' is not a model name: " + Names.MODEL_RULE);
        }
        String version = text(json, "firmwareVersion", prefix, counting);
        if (version != null && VersionRange.problemOf(version) != null) {
            counting.accept(prefix + "firmwareVersion", VersionRange.problemOf(version));
        }
        Boolean online = null;
        Object onlineValue = json.getValue("online");
        if (onlineValue instanceof Boolean b) {
            online = b;
        } else if (onlineValue != null) {
            counting.accept(prefix + "online", "must be true or false");
        }
        String endpointPrefix = text(json, "endpointPrefix", prefix, counting);
        if (endpointPrefix != null && !ENDPOINT_PREFIX.matcher(endpointPrefix).matches()) {
            counting.accept(prefix + "endpointPrefix", "'" + endpointPrefix + "' cannot start an endpoint name: "
                    + Names.ENDPOINT_RULE);
        }
        List<String> endpoints = names(json, "endpoints", prefix, Names.ENDPOINT, Names.ENDPOINT_RULE, counting);
        if (count[0] > 0) {
            return null;
        }
        return new DeviceFilter(tagsAll, tagsAny, model, version, online, endpointPrefix, endpoints);
    }

    /** The filter as JSON, with only the conditions it has. */
    public static JsonObject render(DeviceFilter filter) {
        JsonObject json = new JsonObject();
        if (!filter.tagsAll().isEmpty()) {
            json.put("tagsAll", new JsonArray(filter.tagsAll()));
        }
        if (!filter.tagsAny().isEmpty()) {
            json.put("tagsAny", new JsonArray(filter.tagsAny()));
        }
        putIfSet(json, "model", filter.model());
        putIfSet(json, "firmwareVersion", filter.firmwareVersion());
        putIfSet(json, "online", filter.online());
        putIfSet(json, "endpointPrefix", filter.endpointPrefix());
        if (!filter.endpoints().isEmpty()) {
            json.put("endpoints", new JsonArray(filter.endpoints()));
        }
        return json;
    }

    private static void putIfSet(JsonObject json, String key, Object value) {
        if (value != null) {
            json.put(key, value);
        }
    }

    private static String text(JsonObject json, String key, String prefix, BiConsumer<String, String> problems) {
        Object value = json.getValue(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s) || s.isEmpty()) {
            problems.accept(prefix + key, "must be a non-empty string");
            return null;
        }
        return s;
    }

    private static List<String> names(JsonObject json, String key, String prefix, Pattern rule, String ruleText,
            BiConsumer<String, String> problems) {
        Object value = json.getValue(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof JsonArray array)) {
            problems.accept(prefix + key, "must be an array of strings");
            return List.of();
        }
        if (array.size() > MAX_LIST) {
            problems.accept(prefix + key, "has " + array.size() + " entries; at most " + MAX_LIST + " are allowed");
            return List.of();
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < array.size(); i++) {
            Object item = array.getValue(i);
            if (!(item instanceof String s) || !rule.matcher(s).matches()) {
                problems.accept(prefix + key + "[" + i + "]", (item instanceof String s ? "'" + s + "'" : item)
                        + " is not valid: " + ruleText);
            } else {
                names.add(s);
            }
        }
        return new ArrayList<>(names);
    }

    private static List<String> sortedKeys() {
        return KEYS;
    }
}
