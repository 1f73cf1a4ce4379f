package dev.ferry.server.api;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

import dev.ferry.server.audit.AuditEntry;
import dev.ferry.server.audit.AuditLog;
import dev.ferry.server.audit.AuditQuery;
import dev.ferry.server.audit.AuditVerifier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The audit log: pages of entries, oldest first, and verification of the whole hash chain. */
final class AuditRoutes {
    private final AuditLog log;
    private final Blocking blocking;

    AuditRoutes(AuditLog log, Blocking blocking) {
        this.log = log;
        this.blocking = blocking;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get("/api/v1/audit", this::list)
                        .query("actor", "target", "action", "since", "until", "after", "limit").answers(200),
                ApiRoute.get("/api/v1/audit/verify", this::verify).answers(200));
    }

    private void list(RoutingContext ctx) {
        Instant since = time(ctx, "since");
        Instant until = time(ctx, "until");
        if (since != null && until != null && !since.isBefore(until)) {
            throw ApiProblem.badRequest("since (" + since + ") must be before until (" + until + ")");
        }
        AuditQuery query = new AuditQuery(QueryParams.string(ctx, "actor"), QueryParams.string(ctx, "target"),
                QueryParams.string(ctx, "action"), since, until, after(ctx),
                QueryParams.integer(ctx, "limit", AuditQuery.DEFAULT_LIMIT, 1, AuditQuery.MAX_LIMIT));
        blocking.run(() -> {
            List<AuditEntry> entries = log.find(query);
            Long next = entries.size() < query.limit() ? null : entries.get(entries.size() - 1).sequence();
            return new JsonObject().put("items", new JsonArray(entries.stream().map(AuditRoutes::json).toList()))
                    .put("limit", query.limit()).put("next", next);
        }).onSuccess(body -> Blocking.json(ctx, 200, body)).onFailure(ctx::fail);
    }

    private void verify(RoutingContext ctx) {
        blocking.run(log::verify).onSuccess(result -> Blocking.json(ctx, 200, json(result))).onFailure(ctx::fail);
    }

    static JsonObject json(AuditVerifier.Verification result) {
        return new JsonObject().put("valid", result.valid()).put("entries", result.entries())
                .put("firstBroken", result.firstBroken().map(b -> new JsonObject().put("sequence", b.sequence())
                        .put("reason", b.reason())).orElse(null))
                .put("head", result.head().map(h -> new JsonObject().put("sequence", h.sequence())
                        .put("hash", h.hash())).orElse(null));
    }

    static JsonObject json(AuditEntry e) {
        return new JsonObject().put("sequence", e.sequence()).put("time", e.time().toString())
                .put("actor", new JsonObject().put("name", e.actor().name()).put("role", e.actor().role()))
                .put("action", e.action()).put("target", e.target()).put("outcome", e.outcome())
                .put("summary", e.summary()).put("previousHash", e.previousHash()).put("hash", e.hash());
    }

    /** An RFC 3339 date-time with an offset, e.g. 2026-05-01T12:00:00Z. */
    private static Instant time(RoutingContext ctx, String name) {
        String value = QueryParams.string(ctx, name);
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest("query parameter " + name + " must be an RFC 3339 date-time with an offset,"
                    + " e.g. 2026-05-01T12:00:00Z; got '" + value + "'");
        }
    }

    private static long after(RoutingContext ctx) {
        String value = QueryParams.string(ctx, "after");
        if (value == null) {
            return 0;
        }
        try {
            long after = Long.parseLong(value);
            if (after >= 0) {
                return after;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("query parameter after must be a sequence number (0 or more), the next of the"
                + " page before; got '" + value + "'");
    }
}
