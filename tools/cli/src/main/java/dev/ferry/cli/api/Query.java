package dev.ferry.cli.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/** A query string of the parameters that were given; those left null are left out. */
public final class Query {
    private final StringJoiner parameters = new StringJoiner("&", "?", "").setEmptyValue("");

    public static Query of() {
        return new Query();
    }

    public Query add(String name, Object value) {
        if (value != null) {
            parameters.add(encode(name) + "=" + encode(value.toString()));
        }
        return this;
    }

    /** {@code path} with this query appended. */
    public String to(String path) {
        return path + parameters;
    }

    /** One path segment, percent-encoded (an endpoint like {@code a:b@c} stays one segment). */
    public static String segment(String value) {
        return encode(value).replace("+", "%20");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
