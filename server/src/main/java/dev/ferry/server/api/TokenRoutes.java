package dev.ferry.server.api;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import dev.ferry.server.auth.ApiToken;
import dev.ferry.server.auth.Principal;
import dev.ferry.server.auth.RequestRate;
import dev.ferry.server.auth.TokenSpec;
import dev.ferry.server.auth.TokenStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * API tokens: list (never their values), make one (its value is in that answer only), revoke one. Only an admin
 * token without a device-tag limit may manage tokens, so a limited token cannot make itself an unlimited one.
 */
final class TokenRoutes {
    static final long MAX_LIFETIME_SECONDS = 10L * 366 * 24 * 3600;

    private final TokenStore tokens;
    private final RequestRate rate;
    private final Blocking blocking;

    TokenRoutes(TokenStore tokens, RequestRate rate, Blocking blocking) {
        this.tokens = tokens;
        this.rate = rate;
        this.blocking = blocking;
    }

    java.util.List<ApiRoute> routes() {
        return java.util.List.of(
                ApiRoute.get("/api/v1/tokens", this::list).answers(200),
                ApiRoute.post("/api/v1/tokens", ApiRoute.Body.JSON, this::create).answers(201),
                ApiRoute.delete("/api/v1/tokens/:id", this::revoke).answers(204, 404));
    }

    private void list(RoutingContext ctx) {
        unlimited(ctx);
        blocking.run(() -> new JsonObject().put("items", new JsonArray(tokens.list().stream().map(ApiToken::toJson)
                .toList()))).onSuccess(body -> Blocking.json(ctx, 200, body)).onFailure(ctx::fail);
    }

    private void create(RoutingContext ctx) {
        Principal caller = unlimited(ctx);
        TokenSpec spec = parse(JsonInput.requireObject(ctx), tokens.now());
        String creator = "token " + caller.tokenId() + " (" + caller.name() + ")";
        blocking.run(() -> tokens.create(spec, creator)).onSuccess(created -> {
            ctx.response().putHeader("location", "/api/v1/tokens/" + created.token().id());
            Blocking.json(ctx, 201, created.token().toJson().put("value", created.value()));
        }).onFailure(ctx::fail);
    }

    private void revoke(RoutingContext ctx) {
        unlimited(ctx);
        String id = ctx.pathParam("id");
        blocking.run(() -> tokens.revoke(id)).onSuccess(deleted -> {
            if (deleted) {
                rate.forget(id);
                ctx.response().setStatusCode(204).end();
            } else {
                ctx.fail(ApiProblem.notFound("no API token with id '" + id + "'; list them with GET /api/v1/tokens"));
            }
        }).onFailure(ctx::fail);
    }

    private static Principal unlimited(RoutingContext ctx) {
        Principal caller = Caller.of(ctx).orElseThrow();
        if (caller.deviceTag().isPresent()) {
            throw new ApiProblem(403, "tag-limited", "Forbidden", "the API token '" + caller.name() + "' is limited"
                    + " to devices tagged '" + caller.deviceTag().get() + "'; managing tokens needs an admin token"
                    + " without a device tag");
        }
        return caller;
    }

    /** The request body: name, role, optional deviceTag, and at most one of expiresAt and expiresInSeconds. */
    static TokenSpec parse(JsonObject body, Instant now) {
        JsonInput.allowOnly(body, "the token", "name", "role", "deviceTag", "expiresAt", "expiresInSeconds");
        String expiresAtText = JsonInput.optString(body, "expiresAt", "");
        Long lifetime = JsonInput.optLong(body, "expiresInSeconds", "", 1, MAX_LIFETIME_SECONDS);
        if (expiresAtText != null && lifetime != null) {
            throw ApiProblem.badRequest("give expiresAt or expiresInSeconds, not both");
        }
        Instant expiresAt = lifetime == null ? null : now.plusSeconds(lifetime);
        if (expiresAtText != null) {
            try {
                expiresAt = Instant.parse(expiresAtText);
            } catch (DateTimeParseException e) {
                throw ApiProblem.badRequest("expiresAt must be an ISO-8601 UTC time such as 2030-01-31T12:00:00Z;"
                        + " got '" + expiresAtText.replaceAll("[^\\x20-\\x7e]", "?") + "'");
            }
        }
        return TokenSpec.of(JsonInput.optString(body, "name", ""), JsonInput.optString(body, "role", ""),
                JsonInput.optString(body, "deviceTag", ""), expiresAt, now);
    }
}
