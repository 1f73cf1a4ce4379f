package dev.ferry.server.api;

import java.util.Optional;

import dev.ferry.server.auth.Principal;
import io.vertx.ext.web.RoutingContext;

/** The caller of a request, as authentication put it into the routing context; empty when there is none. */
public final class Caller {
    static final String KEY = "ferry.principal";

    private Caller() {
    }

    public static Optional<Principal> of(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(KEY));
    }
}
