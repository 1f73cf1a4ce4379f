package dev.ferry.server.api;

import java.util.List;
import java.util.function.Predicate;

import dev.ferry.image.ImageVersion;

import io.vertx.ext.web.RoutingContext;

/**
 * Typed query parameters with range checks; a bad value is a 400 naming the parameter. Also the {@code :endpoint}
 * path parameter of routes about one provisioned device.
 */
final class QueryParams {
    private QueryParams() {
    }

    /** The {@code :endpoint} path parameter, or a 404 when no device of that endpoint is provisioned. */
    static String provisionedEndpoint(RoutingContext ctx, Predicate<String> provisioned) {
        String endpoint = ctx.pathParam("endpoint");
        if (!provisioned.test(endpoint)) {
            throw ApiProblem.unknownDevice(endpoint);
        }
        return endpoint;
    }

    static String string(RoutingContext ctx, String name) {
        List<String> values = ctx.queryParam(name);
        return values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }

    /** A name filter that must follow a name rule, so a misspelt one is an error rather than an empty page. */
    static String name(RoutingContext ctx, String name, Predicate<String> valid, String rule) {
        String value = string(ctx, name);
        if (value != null && !valid.test(value)) {
            throw ApiProblem.badRequest("query parameter " + name + " must be " + rule + "; got '" + value + "'");
        }
        return value;
    }

    /** A firmware version, major.minor.revision+build with later parts optional. */
    static ImageVersion version(RoutingContext ctx, String name) {
        String value = string(ctx, name);
        if (value == null) {
            return null;
        }
        try {
            return ImageVersion.parse(value);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("query parameter " + name + " must be a version major.minor.revision+build"
                    + " (e.g. 1.2.3 or 1.2.3+4), got '" + value + "'");
        }
    }

    static Boolean bool(RoutingContext ctx, String name) {
        String value = string(ctx, name);
        if (value == null) {
            return null;
        }
        if (!value.equals("true") && !value.equals("false")) {
            throw ApiProblem.badRequest("query parameter " + name + " must be true or false, got '" + value + "'");
        }
        return Boolean.valueOf(value);
    }

    static int integer(RoutingContext ctx, String name, int defaultValue, int min, int max) {
        String value = string(ctx, name);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw ApiProblem.badRequest(
                        "query parameter " + name + " must be between " + min + " and " + max + ", got " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("query parameter " + name + " must be a whole number, got '" + value + "'");
        }
    }
}
