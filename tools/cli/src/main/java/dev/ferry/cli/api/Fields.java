package dev.ferry.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Reading fields of API answers for tables: absent and null fields show as {@code -}. */
public final class Fields {

    private Fields() {
    }

    public static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return "-";
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }

    /** An array of strings as {@code a,b,c}; {@code -} when empty. */
    public static String list(JsonNode node, String field) {
        List<String> items = new ArrayList<>();
        node.path(field).forEach(item -> items.add(item.asText()));
        return items.isEmpty() ? "-" : String.join(",", items);
    }

    /** Counts per state as {@code succeeded 3, failed 1}: only the states that hold something. */
    public static String counts(JsonNode counts) {
        List<String> held = new ArrayList<>();
        counts.fields().forEachRemaining(e -> {
            if (e.getValue().asInt() > 0) {
                held.add(e.getKey() + " " + e.getValue().asInt());
            }
        });
        return held.isEmpty() ? "none yet" : String.join(", ", held);
    }

    public static Iterable<JsonNode> items(JsonNode page) {
        return page.path("items");
    }
}
