package dev.ferry.server.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import dev.ferry.server.auth.ApiToken;
import dev.ferry.server.auth.FailedAttempts;
import dev.ferry.server.auth.RequestRate;
import dev.ferry.server.auth.Role;
import dev.ferry.server.auth.TokenSecret;
import dev.ferry.server.auth.TokenStore;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * The first handler of every route: checks the bearer token against the route's rule in {@link AccessRules}, then
 * the rate limits, and makes the caller known to the handlers that follow ({@link Caller}). A token found in memory
 * is checked on the event loop (a hash and a map lookup); one not in memory is looked up in the database on a
 * worker thread, with the request paused meanwhile. A token limited to a device tag reaches a route with an
 * {@code :endpoint} only for a device carrying that tag; any other device answers 404, as if absent.
 */
final class Authentication {
    private static final String CHALLENGE = "Bearer realm=\"ferry\"";
    private static final String BEARER = "bearer ";

    private final TokenStore tokens;
    private final FailedAttempts failures;
    private final RequestRate rate;
    private final Blocking blocking;
    private final Function<String, Optional<List<String>>> deviceTags;

    Authentication(TokenStore tokens, FailedAttempts failures, RequestRate rate, Blocking blocking,
            Function<String, Optional<List<String>>> deviceTags) {
        this.tokens = tokens;
        this.failures = failures;
        this.rate = rate;
        this.blocking = blocking;
        this.deviceTags = deviceTags;
    }

    /** The handler for a route; a route without a rule is a mistake that stops the server from starting. */
    Handler<RoutingContext> handlerFor(ApiRoute route) {
        AccessRules.Rule rule = AccessRules.of(route.method(), route.path()).orElseThrow(() -> new IllegalStateException(
                "route " + route.method() + " " + route.path() + " has no rule in AccessRules; every served route"
                        + " must declare the role it needs"));
        if (rule.needed().isEmpty()) {
            return RoutingContext::next;
        }
        boolean scoped = route.path().contains(":endpoint");
        return ctx -> authenticate(ctx, rule, scoped);
    }

    private void authenticate(RoutingContext ctx, AccessRules.Rule rule, boolean scoped) {
        String address = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
        Optional<Duration> wait = failures.blocked(address);
        if (wait.isPresent()) {
            ctx.fail(tooMany("too-many-failures", "Too many failed authentications", "this address sent too many"
                    + " invalid API tokens; wait for the Retry-After seconds, then send a valid one", wait.get()));
            return;
        }
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            ctx.fail(unauthorized(null, (header == null ? "this route needs an API token" : "the Authorization"
                    + " header is not a bearer token") + "; send 'Authorization: Bearer <token>' (the first admin"
                    + " token is in <data-dir>/admin.token; make more with 'ferry-server token create')"));
            return;
        }
        String value = header.substring(BEARER.length()).strip();
        if (!TokenSecret.wellFormed(value)) {
            refuse(ctx, address, "the API token is not valid: unknown or revoked");
            return;
        }
        byte[] hash = TokenSecret.hash(value);
        Optional<ApiToken> cached = tokens.cached(hash);
        if (cached.isPresent()) {
            admit(ctx, rule, scoped, address, hash, cached.get());
            return;
        }
        pause(ctx);
        blocking.run(() -> tokens.lookup(hash)).onSuccess(found -> {
            resume(ctx);
            if (found.isPresent()) {
                admit(ctx, rule, scoped, address, hash, found.get());
            } else {
                refuse(ctx, address, "the API token is not valid: unknown or revoked");
            }
        }).onFailure(e -> {
            resume(ctx);
            ctx.fail(e);
        });
    }

    private void admit(RoutingContext ctx, AccessRules.Rule rule, boolean scoped, String address, byte[] hash,
            ApiToken token) {
        if (token.expiredAt(tokens.now())) {
            refuse(ctx, address, "the API token '" + token.name() + "' expired at " + token.expiresAt().get()
                    + "; ask an admin for a new one");
            return;
        }
        Optional<Duration> wait = rate.take(token.id());
        if (wait.isPresent()) {
            ctx.fail(tooMany("rate-limited", "Too many requests", "the API token '" + token.name() + "' sent more"
                    + " requests than http.token-rate-limit allows; retry after the Retry-After seconds", wait.get()));
            return;
        }
        tokens.used(hash);
        Role needed = rule.needed().get();
        if (!token.role().satisfies(needed, rule.ciAllowed())) {
            String roles = needed.wireName() + (rule.ciAllowed() ? " (or ci)" : "");
            ctx.fail(new ApiProblem(403, "role-needed", "Forbidden", "this route needs a token of role " + roles
                    + "; the API token '" + token.name() + "' has role " + token.role().wireName())
                    .with("neededRole", needed.wireName()));
            return;
        }
        Caller.set(ctx, token.principal());
        if (!scoped || token.deviceTag().isEmpty()) {
            ctx.next();
            return;
        }
        String endpoint = ctx.pathParam("endpoint");
        String tag = token.deviceTag().get();
        pause(ctx);
        blocking.run(() -> deviceTags.apply(endpoint)).onSuccess(tags -> {
            resume(ctx);
            if (tags.isPresent() && tags.get().contains(tag)) {
                ctx.next();
            } else {
                ctx.fail(ApiProblem.unknownDevice(endpoint));
            }
        }).onFailure(e -> {
            resume(ctx);
            ctx.fail(e);
        });
    }

    private void refuse(RoutingContext ctx, String address, String detail) {
        failures.failed(address);
        ctx.fail(unauthorized("invalid_token", detail));
    }

    private static ApiProblem unauthorized(String error, String detail) {
        return new ApiProblem(401, "unauthorized", "Unauthorized", detail).withHeader("WWW-Authenticate",
                error == null ? CHALLENGE : CHALLENGE + ", error=\"" + error + "\"");
    }

    private static ApiProblem tooMany(String type, String title, String detail, Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return new ApiProblem(429, type, title, detail).withHeader("Retry-After", Long.toString(seconds))
                .with("retryAfterSeconds", seconds);
    }

    private static void pause(RoutingContext ctx) {
        if (!ctx.request().isEnded()) {
            ctx.request().pause();
        }
    }

    private static void resume(RoutingContext ctx) {
        if (!ctx.request().isEnded()) {
            ctx.request().resume();
        }
    }
}
