package dev.ferry.server.api;

import java.util.List;

import io.vertx.ext.web.RoutingContext;

/** Typed query parameters with range checks; a bad value is a 400 naming the parameter. */
final class QueryParams {
    private QueryParams() {
    }

    static String string(RoutingContext ctx, String name) {
        List<String> values = ctx.queryParam(name);
        return values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
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
