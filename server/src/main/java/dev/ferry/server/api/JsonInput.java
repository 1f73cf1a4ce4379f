package dev.ferry.server.api;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Strict reading of request bodies: unknown fields and wrongly typed values are errors, not ignored. */
final class JsonInput {
    private JsonInput() {
    }

    static JsonObject requireObject(RoutingContext ctx) {
        if (isEmpty(ctx)) {
            throw ApiProblem.badRequest("request body is empty; send a JSON object");
        }
        Object value = Json.decodeValue(ctx.body().buffer());
        if (!(value instanceof JsonObject object)) {
            throw ApiProblem.badRequest("request body must be a JSON object, not "
                    + (value == null ? "null" : value instanceof JsonArray ? "an array" : "a single value"));
        }
        return object;
    }

    static JsonObject optionalObject(RoutingContext ctx) {
        return isEmpty(ctx) ? new JsonObject() : requireObject(ctx);
    }

    private static boolean isEmpty(RoutingContext ctx) {
        Buffer buffer = ctx.body() == null ? null : ctx.body().buffer();
        return buffer == null || buffer.length() == 0;
    }

    static void allowOnly(JsonObject json, String where, String... allowed) {
        Set<String> unknown = new TreeSet<>(json.fieldNames());
        unknown.removeAll(Set.of(allowed));
        if (!unknown.isEmpty()) {
            throw ApiProblem.badRequest("unknown field(s) " + unknown + " in " + where + "; allowed: "
                    + String.join(", ", allowed));
        }
    }

    static String optString(JsonObject json, String field, String where) {
        Object value = json.getValue(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw ApiProblem.badRequest(where + field + " must be a string");
        }
        return text;
    }

    static String requireString(JsonObject json, String field, String where) {
        String value = optString(json, field, where);
        if (value == null) {
            throw ApiProblem.badRequest(where + field + " is required");
        }
        return value;
    }

    static JsonObject optObject(JsonObject json, String field, String where) {
        Object value = json.getValue(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonObject object)) {
            throw ApiProblem.badRequest(where + field + " must be a JSON object");
        }
        return object;
    }

    static List<String> optStringList(JsonObject json, String field, String where) {
        Object value = json.getValue(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonArray array)) {
            throw ApiProblem.badRequest(where + field + " must be an array of strings");
        }
        List<String> strings = new ArrayList<>(array.size());
        for (Object item : array) {
            if (!(item instanceof String text)) {
                throw ApiProblem.badRequest(where + field + " must be an array of strings");
            }
            strings.add(text);
        }
        return strings;
    }

    static byte[] optHex(JsonObject json, String field, String where) {
        String text = optString(json, field, where);
        if (text == null) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(where + field + " must be hexadecimal (an even number of 0-9a-f digits)");
        }
    }

    static byte[] optBase64(JsonObject json, String field, String where) {
        String text = optString(json, field, where);
        if (text == null) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(where + field + " must be standard base64: " + e.getMessage());
        }
    }
}
