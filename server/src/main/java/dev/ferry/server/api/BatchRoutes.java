package dev.ferry.server.api;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

import dev.ferry.server.bootstrap.Batch;
import dev.ferry.server.bootstrap.BatchConflictException;
import dev.ferry.server.bootstrap.BatchService;
import dev.ferry.server.bootstrap.InvalidBatchException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Production batches for the bootstrap server: create (the bootstrap key is in this one reply only), list,
 * show with the devices produced, revoke. Operators manage them (see {@link AccessRules}).
 */
final class BatchRoutes {
    static final String PATH = "/api/v1/provisioning/batches";
    static final long MAX_LIFE_SECONDS = 10L * 366 * 24 * 3600;

    private final BatchService batches;
    private final Blocking blocking;
    private final Supplier<String> bootstrapUri;

    BatchRoutes(BatchService batches, Blocking blocking, Supplier<String> bootstrapUri) {
        this.batches = batches;
        this.blocking = blocking;
        this.bootstrapUri = bootstrapUri;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.post(PATH, ApiRoute.Body.JSON, this::create).answers(201, 409, 422),
                ApiRoute.get(PATH, this::list).answers(200),
                ApiRoute.get(PATH + "/:id", this::show).answers(200, 404),
                ApiRoute.delete(PATH + "/:id", this::revoke).answers(204, 404, 409));
    }

    private void create(RoutingContext ctx) {
        JsonObject body = JsonInput.requireObject(ctx);
        JsonInput.allowOnly(body, "the batch", "name", "maxDevices", "expiresAt", "expiresInSeconds", "security",
                "tags", "model", "credential");
        String name = JsonInput.requireString(body, "name", "");
        Long max = JsonInput.optLong(body, "maxDevices", "", 1, 1_000_000);
        if (max == null) {
            throw ApiProblem.badRequest("maxDevices is required: how many devices the batch may produce");
        }
        BatchService.BatchRequest request = new BatchService.BatchRequest(name, max.intValue(), expiry(body),
                JsonInput.optString(body, "security", ""), JsonInput.optStringList(body, "tags", ""),
                JsonInput.optString(body, "model", ""), JsonInput.optString(body, "credential", ""));
        // A batch provisions devices with its tags: a tag-limited token may only make ones that stay in its reach.
        Caller.requireTag(ctx, request.tags(), "provision (through a batch)");
        blocking.run(() -> batches.create(request)).onSuccess(created -> {
            JsonObject json = summary(created.batch());
            if (created.certificate() != null) {
                json.getJsonObject("bootstrap").put("certificatePem", created.certificate().certificatePem())
                        .put("chain", new JsonArray(created.certificate().chainPem()))
                        .put("privateKey", created.certificate().privateKeyPem());
            } else {
                json.getJsonObject("bootstrap").put("key", HexFormat.of().formatHex(created.key()))
                        .put("keyBase64", Base64.getEncoder().encodeToString(created.key()));
            }
            ctx.response().putHeader("location", PATH + "/" + created.batch().id());
            Blocking.json(ctx, 201, json);
        }).onFailure(e -> ctx.fail(problem(e)));
    }

    private static OffsetDateTime expiry(JsonObject body) {
        String at = JsonInput.optString(body, "expiresAt", "");
        Long in = JsonInput.optLong(body, "expiresInSeconds", "", 1, MAX_LIFE_SECONDS);
        if (at != null && in != null) {
            throw ApiProblem.badRequest("give expiresAt or expiresInSeconds, not both");
        }
        if (in != null) {
            return OffsetDateTime.now().plusSeconds(in);
        }
        if (at == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(at);
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest("expiresAt must be an RFC 3339 date-time with offset, e.g."
                    + " 2027-01-31T23:59:59Z; got '" + at + "'");
        }
    }

    private void list(RoutingContext ctx) {
        blocking.run(batches::list).onSuccess(list -> Blocking.json(ctx, 200, new JsonObject()
                .put("items", new JsonArray(list.stream().map(this::summary).toList())))).onFailure(ctx::fail);
    }

    private void show(RoutingContext ctx) {
        long id = id(ctx);
        blocking.run(() -> batches.find(id).map(batch -> summary(batch).put("devices", new JsonArray(
                batches.produced(id).stream().map(BatchRoutes::produced).toList())))).onSuccess(found -> {
                    if (found.isPresent()) {
                        Blocking.json(ctx, 200, found.get());
                    } else {
                        ctx.fail(unknown(id));
                    }
                }).onFailure(ctx::fail);
    }

    private void revoke(RoutingContext ctx) {
        long id = id(ctx);
        blocking.run(() -> batches.revoke(id)).onSuccess(revoked -> {
            if (revoked.isPresent()) {
                ctx.response().setStatusCode(204).end();
            } else {
                ctx.fail(unknown(id));
            }
        }).onFailure(e -> ctx.fail(problem(e)));
    }

    private static long id(RoutingContext ctx) {
        String raw = ctx.pathParam("id");
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("batch id must be a positive whole number, got '" + raw + "'");
    }

    private static ApiProblem unknown(long id) {
        return ApiProblem.notFound("no production batch with id " + id);
    }

    private static Throwable problem(Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                ? e.getCause() : e;
        if (cause instanceof InvalidBatchException invalid) {
            return invalid.unprocessable()
                    ? new ApiProblem(422, "invalid-batch", "Batch cannot be created", invalid.getMessage())
                    : ApiProblem.badRequest(invalid.getMessage());
        }
        if (cause instanceof BatchConflictException) {
            return new ApiProblem(409, "conflict", "Conflict", cause.getMessage());
        }
        return e;
    }

    /** A batch without its key, which is never shown again after creation (an x509 batch's is kept nowhere). */
    private JsonObject summary(Batch batch) {
        OffsetDateTime now = OffsetDateTime.now();
        String state = batch.revoked() ? "revoked" : batch.expiredAt(now) ? "expired"
                : batch.produced() >= batch.maxDevices() ? "exhausted" : "active";
        return new JsonObject().put("id", batch.id()).put("name", batch.name()).put("state", state)
                .put("maxDevices", batch.maxDevices()).put("produced", batch.produced())
                .put("security", batch.deviceSecurity().wireName()).put("tags", new JsonArray(batch.tags()))
                .put("model", batch.model()).put("expiresAt", batch.expiresAt().toString())
                .put("createdAt", batch.createdAt().toString())
                .put("revokedAt", batch.revokedAt() == null ? null : batch.revokedAt().toString())
                .put("credential", batch.credentialKind()).put("bootstrap", bootstrap(batch));
    }

    private JsonObject bootstrap(Batch batch) {
        JsonObject bootstrap = new JsonObject().put("uri", bootstrapUri.get());
        Batch.Certificate certificate = batch.certificate();
        if (certificate == null) {
            return bootstrap.put("pskIdentity", batch.pskIdentity());
        }
        return bootstrap.put("certificate", new JsonObject().put("commonName", certificate.commonName())
                .put("serial", certificate.serial()).put("fingerprintSha256", certificate.fingerprint())
                .put("notAfter", certificate.notAfter().toInstant().toString()));
    }

    private static JsonObject produced(Batch.Produced device) {
        return new JsonObject().put("endpoint", device.endpoint())
                .put("firstBootstrap", device.firstBootstrap().toString())
                .put("lastBootstrap", device.lastBootstrap().toString()).put("bootstraps", device.bootstraps());
    }
}
