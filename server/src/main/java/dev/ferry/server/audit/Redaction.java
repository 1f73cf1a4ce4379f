package dev.ferry.server.audit;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Makes request content fit for the audit log: any field whose name looks like it holds a secret (contains
 * {@code key}, {@code psk}, {@code secret}, {@code token}, {@code password}, {@code passphrase},
 * {@code credential} or {@code code} (claim codes), in any case, so also {@code publicKey} and
 * {@code privateKey}) has its value replaced by
 * {@value #REDACTED}, at any depth; so does any string that holds PEM key material. Long strings are cut.
 */
public final class Redaction {
    public static final String REDACTED = "[redacted]";
    static final int MAX_STRING = 200;
    private static final Pattern SECRET_NAME = Pattern.compile(
            "key|psk|secret|token|password|passphrase|credential|code");

    private static final Pattern SECRET_ASSIGNMENT = Pattern.compile(
            "(?i)([a-z_-]*(?:key|psk|secret|token|password|passphrase|credential|code)[a-z_-]*)=[^\\s&,;]+");

    private Redaction() {
    }

    public static boolean isSecretName(String name) {
        return SECRET_NAME.matcher(name.toLowerCase(Locale.ROOT)).find();
    }

    /**
     * Free text (a transition's detail): {@code name=value} pairs with a secret-like name lose their value (a
     * download URL's token, say), PEM blocks are dropped.
     */
    public static String redactText(String text) {
        if (text == null) {
            return "";
        }
        if (text.contains("-----BEGIN")) {
            return REDACTED;
        }
        return SECRET_ASSIGNMENT.matcher(text).replaceAll("$1=" + REDACTED);
    }

    public static JsonObject redact(JsonObject object) {
        JsonObject out = new JsonObject();
        for (Map.Entry<String, Object> field : object) {
            out.put(AuditEvent.clip(field.getKey(), MAX_STRING),
                    isSecretName(field.getKey()) && field.getValue() != null ? REDACTED : value(field.getValue()));
        }
        return out;
    }

    private static Object value(Object value) {
        if (value instanceof JsonObject object) {
            return redact(object);
        }
        if (value instanceof Map<?, ?> map) {
            return redact(new JsonObject(castMap(map)));
        }
        if (value instanceof JsonArray array) {
            JsonArray out = new JsonArray();
            array.forEach(item -> out.add(value(item)));
            return out;
        }
        if (value instanceof String text) {
            return text.contains("-----BEGIN") ? REDACTED : AuditEvent.clip(text, MAX_STRING);
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }
}
