package dev.ferry.server.api;

import java.util.Collection;
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

    /** The name recorded as the one who changed something: the token's name, "anonymous" on an open route. */
    static String actor(RoutingContext ctx) {
        return of(ctx).map(Principal::name).orElse("anonymous");
    }

    /** The tag the caller's token is limited to, if any. */
    static Optional<String> deviceTag(RoutingContext ctx) {
        return of(ctx).flatMap(Principal::deviceTag);
    }

    /**
     * A token limited to a tag may only bring into being, or leave after a change, devices whose tags include its
     * tag: anything else would put devices out of its own reach, or hand them to another owner.
     */
    static void requireTag(RoutingContext ctx, Collection<String> tags, String action) {
        Optional<String> limit = deviceTag(ctx);
        if (limit.isPresent() && (tags == null || !tags.contains(limit.get()))) {
            throw outOfScope(ctx, "it may only " + action + " devices whose tags include '" + limit.get() + "'");
        }
    }

    /** The 403 of a tag-limited token asking for something outside its tag, saying why. */
    static ApiProblem outOfScope(RoutingContext ctx, String why) {
        String name = of(ctx).map(Principal::name).orElse("?");
        return new ApiProblem(403, "tag-limited", "Forbidden", "the API token '" + name + "' is limited to devices"
                + " tagged '" + deviceTag(ctx).orElse("?") + "'; " + why);
    }
}
