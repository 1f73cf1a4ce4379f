package dev.ferry.server.api;

import java.util.Optional;

import dev.ferry.server.auth.Principal;
import io.vertx.ext.web.RoutingContext;

/**
 * Who made the request being served: set by the authentication that runs first on every route, before any route
 * handler. Empty only on the open routes ({@code /health}, {@code /fw/...}, {@code /ota/manifest.json}).
 */
public final class Caller {
    static final String KEY = "ferry.caller";

    private Caller() {
    }

    public static Optional<Principal> of(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(KEY));
    }

    static void set(RoutingContext ctx, Principal principal) {
        ctx.put(KEY, principal);
    }

    /** The tag the caller's token is limited to, if any. */
    static Optional<String> deviceTag(RoutingContext ctx) {
        return of(ctx).flatMap(Principal::deviceTag);
    }
}
