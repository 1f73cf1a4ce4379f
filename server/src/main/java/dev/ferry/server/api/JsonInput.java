package dev.ferry.server.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Strict reading of request bodies: unknown fields and wrongly typed values are errors, not ignored. */
final class JsonInput {
    private static final JsonFactory STRICT = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private JsonInput() {
    }

    static JsonObject requireObject(RoutingContext ctx) {
        if (isEmpty(ctx)) {
            throw ApiProblem.badRequest("request body is empty; send a JSON object");
        }
        Buffer body = ctx.body().buffer();
        checkSyntax(body);
        Object value = Json.decodeValue(body);
        if (!(value instanceof JsonObject object)) {
            throw ApiProblem.badRequest("request body must be a JSON object, not "
                    + (value == null ? "null" : value instanceof JsonArray ? "an array" : "a single value"));
        }
        return object;
    }

    /**
     * Walks the body with a strict parser first, so that duplicate keys are refused (a later one would silently
     * win) and every syntax error is described in Ferry's words, with the line and column, not Jackson's.
     */
    private static void checkSyntax(Buffer body) {
        try (JsonParser parser = STRICT.createParser(body.getBytes())) {
            while (parser.nextToken() != null) {
                // Only the syntax matters here.
            }
        } catch (StreamConstraintsException e) {
            throw ApiProblem.badRequest("request body is too deeply nested or has too large a value; JSON bodies"
                    + " nest at most " + StreamReadConstraints.DEFAULT_MAX_DEPTH + " levels");
        } catch (JsonParseException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String duplicate = duplicateKey(e);
            if (duplicate != null) {
                throw ApiProblem.badRequest("request body has the field '" + duplicate + "' twice" + where
                        + "; give each field once");
            }
            throw ApiProblem.badRequest("request body is not valid JSON" + where
                    + (e instanceof JsonEOFException || String.valueOf(e.getOriginalMessage())
                            .startsWith("Unexpected end-of-input") ? ": it ends before the JSON is complete" : ""));
        } catch (IOException e) {
            throw ApiProblem.badRequest("request body is not valid JSON");
        }
    }

    /** Jackson reports a duplicate with the key name in quotes; the parser's current name is that key. */
    private static String duplicateKey(JsonParseException e) {
        String message = e.getOriginalMessage();
        if (message == null || !message.startsWith("Duplicate field")) {
            return null;
        }
        try {
            JsonParser parser = e.getProcessor();
            return parser == null ? "?" : parser.currentName();
        } catch (IOException | RuntimeException ignored) {
            return "?";
        }
    }

    /** For actions: the body is empty or {@code {}}; anything else is refused rather than ignored. */
    static void noContent(RoutingContext ctx) {
        if (!optionalObject(ctx).isEmpty()) {
            throw ApiProblem.badRequest("this action takes no content; send an empty body or {}");
        }
        ctx.next();
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

    /** A whole number in [min, max], or null when absent; 3.5, "3" and out-of-range numbers are refused. */
    static Long optLong(JsonObject json, String field, String where, long min, long max) {
        Object value = json.getValue(field);
        if (value == null) {
            return null;
        }
        String range = " from " + min + " to " + max;
        if (!(value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger)) {
            throw ApiProblem.badRequest(where + field + " must be a whole number" + range + ", got "
                    + (value instanceof Number ? value : "a " + (value instanceof String ? "string" : "non-number")));
        }
        Number number = (Number) value;
        if (value instanceof java.math.BigInteger big && big.bitLength() > 63
                || number.longValue() < min || number.longValue() > max) {
            throw ApiProblem.badRequest(where + field + " must be" + range + ", got " + value);
        }
        return number.longValue();
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
            throw ApiProblem.badRequest(where + field + " must be standard base64 (A-Z, a-z, 0-9, + and /, padded"
                    + " with =)");
        }
    }
}
