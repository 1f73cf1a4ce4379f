package dev.ferry.server.rollout;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Reads the fields of one JSON object of a rollout plan, noting every shape problem (with its field path) instead
 * of stopping at the first, so that an operator learns everything wrong with a plan from one answer. A field that
 * cannot be read gives null; the caller goes on with the others.
 */
final class PlanFields {
    private final JsonObject json;
    private final String path;
    private final List<InvalidRolloutException.Problem> problems;

    PlanFields(JsonObject json, String path, List<InvalidRolloutException.Problem> problems) {
        this.json = json;
        this.path = path;
        this.problems = problems;
    }

    /** The object itself, for readers of their own (a device filter). */
    JsonObject json() {
        return json;
    }

    /** The path of a field of this object: {@code gate.errorPercent}, or {@code name} at the top. */
    String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    void problem(String field, String message) {
        problems.add(new InvalidRolloutException.Problem(field, message));
    }

    int problemCount() {
        return problems.size();
    }

    boolean has(String field) {
        return json.getValue(field) != null;
    }

    /** Every key that is not one of {@code allowed} is a problem: a misspelt field must not be ignored silently. */
    void allowOnly(String... allowed) {
        Set<String> unknown = new TreeSet<>(json.fieldNames());
        unknown.removeAll(Set.of(allowed));
        for (String field : unknown) {
            problem(path(field), "unknown field; allowed here: " + String.join(", ", allowed));
        }
    }

    /** Fields that are present with a JSON null are treated as absent, as everywhere else in the API. */
    private Object value(String field, boolean required) {
        Object value = json.getValue(field);
        if (value == null && required) {
            problem(path(field), "is required");
        }
        return value;
    }

    String string(String field, boolean required) {
        Object value = value(field, required);
        if (value == null) {
            return null;
        }
        if (value instanceof String text) {
            return text;
        }
        problem(path(field), "must be a string, got " + describe(value));
        return null;
    }

    /** A whole JSON number ({@code 3}, not {@code 3.5} or {@code "3"}) that fits a long. */
    Long whole(String field, boolean required) {
        Object value = value(field, required);
        if (value == null) {
            return null;
        }
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger) {
            problem(path(field), "is too large, got " + value);
            return null;
        }
        problem(path(field), "must be a whole number, got " + describe(value));
        return null;
    }

    /** A whole number that fits an int, for counts. */
    Integer count(String field, boolean required) {
        Long value = whole(field, required);
        if (value == null) {
            return null;
        }
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            problem(path(field), "is too large, got " + value);
            return null;
        }
        return value.intValue();
    }

    /** Any JSON number ({@code 5} or {@code 2.5}), for percentages and factors. */
    Double number(String field, boolean required) {
        Object value = value(field, required);
        if (value == null) {
            return null;
        }
        if (value instanceof Number number && !(value instanceof BigInteger || value instanceof BigDecimal)) {
            double result = number.doubleValue();
            if (Double.isFinite(result)) {
                return result;
            }
        }
        problem(path(field), "must be a number, got " + describe(value));
        return null;
    }

    Boolean bool(String field, boolean required) {
        Object value = value(field, required);
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean flag) {
            return flag;
        }
        problem(path(field), "must be true or false, got " + describe(value));
        return null;
    }

    PlanFields object(String field, boolean required) {
        Object value = value(field, required);
        if (value == null) {
            return null;
        }
        if (value instanceof JsonObject object) {
            return new PlanFields(object, path(field), problems);
        }
        problem(path(field), "must be a JSON object, got " + describe(value));
        return null;
    }

    /** The array's items, or null when absent or not an array. */
    JsonArray array(String field, boolean required) {
        Object value = value(field, required);
        if (value == null) {
            return null;
        }
        if (value instanceof JsonArray array) {
            return array;
        }
        problem(path(field), "must be an array, got " + describe(value));
        return null;
    }

    /**
     * An array of strings; an item that is not a string is a problem named by its index and a null in the list,
     * so that the other items can still be judged.
     */
    List<String> strings(String field, boolean required) {
        JsonArray array = array(field, required);
        if (array == null) {
            return null;
        }
        List<String> strings = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            Object item = array.getValue(i);
            if (item instanceof String text) {
                strings.add(text);
            } else {
                problem(path(field) + "[" + i + "]", "must be a string, got " + describe(item));
                strings.add(null);
            }
        }
        return strings;
    }

    /**
     * Each item of an array, read with its own path ({@code strategy.waves[2]}); an item that is not an object is
     * a problem and a null in the list, so that the other items are still read.
     */
    List<PlanFields> objects(String field, boolean required) {
        JsonArray array = array(field, required);
        if (array == null) {
            return null;
        }
        List<PlanFields> items = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            Object item = array.getValue(i);
            String itemPath = path(field) + "[" + i + "]";
            if (item instanceof JsonObject object) {
                items.add(new PlanFields(object, itemPath, problems));
            } else {
                problem(itemPath, "must be a JSON object, got " + describe(item));
                items.add(null);
            }
        }
        return items;
    }

    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String text) {
            return "the string \"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
        }
        if (value instanceof JsonObject) {
            return "an object";
        }
        if (value instanceof JsonArray) {
            return "an array";
        }
        return String.valueOf(value);
    }
}
