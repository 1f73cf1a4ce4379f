package dev.ferry.server.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import dev.ferry.image.ImageVersion;
import dev.ferry.server.device.Names;
import dev.ferry.server.firmware.Firmware;
import dev.ferry.server.firmware.FirmwareQuery;
import dev.ferry.server.firmware.FirmwareService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/** The firmware repository routes: upload, list, show, publish, delete; signing keys; device models. */
final class FirmwareRoutes {
    static final long MAX_SLOT_SIZE = 0xFFFF_FFFFL;
    private final FirmwareService service;
    private final Blocking blocking;
    private final long maxImageBytes;
    private final Path uploads;

    FirmwareRoutes(FirmwareService service, Blocking blocking, long maxImageBytes, Path uploads) {
        this.service = service;
        this.blocking = blocking;
        this.maxImageBytes = maxImageBytes;
        this.uploads = uploads;
        removeUnfinishedUploads(uploads);
    }

    /** Multipart uploads that were being received when the server stopped; nothing refers to them. */
    private static void removeUnfinishedUploads(Path uploads) {
        if (!Files.isDirectory(uploads)) {
            return;
        }
        try (var files = Files.list(uploads)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove unfinished uploads in " + uploads.toAbsolutePath(), e);
        }
    }

    /** The upload's own body handler; must be mounted before the router's general one. */
    void mountUploadBody(Router router) {
        router.post("/api/v1/firmware").handler(BodyHandler.create(uploads.toString())
                .setBodyLimit(maxImageBytes).setDeleteUploadedFilesOnEnd(true).setHandleFileUploads(true));
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.post("/api/v1/firmware", ApiRoute.Body.IMAGE, this::upload).query("model", "notes")
                        .answers(201, 422),
                ApiRoute.get("/api/v1/firmware", this::list).query("model", "published", "version", "offset", "limit")
                        .answers(200),
                ApiRoute.get("/api/v1/firmware/:id", this::show).answers(200, 404),
                ApiRoute.delete("/api/v1/firmware/:id", this::delete).answers(204, 404, 409),
                ApiRoute.post("/api/v1/firmware/:id/publish", ApiRoute.Body.ACTION, this::publish)
                        .answers(200, 404, 422),
                ApiRoute.get("/api/v1/signing-keys", this::listKeys).answers(200),
                ApiRoute.post("/api/v1/signing-keys", ApiRoute.Body.JSON, this::addKey).answers(201, 409),
                ApiRoute.get("/api/v1/signing-keys/:id", this::showKey).answers(200, 404),
                ApiRoute.delete("/api/v1/signing-keys/:id", this::removeKey).answers(204, 404, 409),
                ApiRoute.get("/api/v1/models", this::listModels).answers(200),
                ApiRoute.put("/api/v1/models/:model", this::putModel).answers(200));
    }

    private void upload(RoutingContext ctx) {
        List<FileUpload> files = ctx.fileUploads();
        boolean multipart = isMultipart(ctx);
        String model = multipart ? ctx.request().getFormAttribute("model") : QueryParams.string(ctx, "model");
        String notes = multipart ? ctx.request().getFormAttribute("notes") : QueryParams.string(ctx, "notes");
        if (multipart && files.size() != 1) {
            throw ApiProblem.badRequest("a multipart upload carries exactly one file (the signed image), got "
                    + files.size());
        }
        if (!multipart && (ctx.body().buffer() == null || ctx.body().length() == 0)) {
            throw ApiProblem.badRequest("the request body is empty; send the signed image as the body"
                    + " (application/octet-stream, ?model=...) or as multipart/form-data with fields model, notes"
                    + " and one file");
        }
        blocking.run(() -> service.upload(model, notes,
                multipart ? Files.readAllBytes(Path.of(files.get(0).uploadedFileName())) : ctx.body().buffer().getBytes()))
                .onSuccess(firmware -> {
                    ctx.response().putHeader("location", "/api/v1/firmware/" + firmware.id());
                    Blocking.json(ctx, 201, FirmwareJson.firmware(firmware));
                })
                .onFailure(ctx::fail);
    }

    private static boolean isMultipart(RoutingContext ctx) {
        String type = ctx.request().getHeader("content-type");
        return type != null && type.toLowerCase().startsWith("multipart/form-data");
    }

    private void list(RoutingContext ctx) {
        ImageVersion version = QueryParams.version(ctx, "version");
        FirmwareQuery query = new FirmwareQuery(QueryParams.name(ctx, "model", Names::isModel, Names.MODEL_RULE),
                QueryParams.bool(ctx, "published"), version == null ? null : version.toString(),
                QueryParams.integer(ctx, "offset", 0, 0, Integer.MAX_VALUE),
                QueryParams.integer(ctx, "limit", FirmwareQuery.DEFAULT_LIMIT, 1, FirmwareQuery.MAX_LIMIT));
        blocking.run(() -> new JsonObject()
                .put("items", new JsonArray(service.repository().list(query).stream().map(FirmwareJson::firmware)
                        .toList()))
                .put("total", service.repository().count(query)).put("offset", query.offset())
                .put("limit", query.limit()))
                .onSuccess(body -> Blocking.json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    private void show(RoutingContext ctx) {
        long id = firmwareId(ctx);
        replyWithFirmware(ctx, id, blocking.run(() -> service.repository().find(id)));
    }

    private void publish(RoutingContext ctx) {
        long id = firmwareId(ctx);
        replyWithFirmware(ctx, id, blocking.run(() -> service.publish(id)));
    }

    private static void replyWithFirmware(RoutingContext ctx, long id, Future<Optional<Firmware>> found) {
        found.onSuccess(f -> f.ifPresentOrElse(image -> Blocking.json(ctx, 200, FirmwareJson.firmware(image)),
                () -> ctx.fail(unknownFirmware(id))))
                .onFailure(ctx::fail);
    }

    private void delete(RoutingContext ctx) {
        long id = firmwareId(ctx);
        blocking.run(() -> service.delete(id))
                .onSuccess(deleted -> {
                    if (deleted) {
                        Blocking.noContent(ctx);
                    } else {
                        ctx.fail(unknownFirmware(id));
                    }
                })
                .onFailure(ctx::fail);
    }

    private void listKeys(RoutingContext ctx) {
        blocking.run(() -> new JsonObject().put("items",
                new JsonArray(service.repository().signingKeys().stream().map(FirmwareJson::signingKey).toList())))
                .onSuccess(body -> Blocking.json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    private void addKey(RoutingContext ctx) {
        JsonObject body = JsonInput.requireObject(ctx);
        JsonInput.allowOnly(body, "the signing key", "name", "publicKey");
        String name = JsonInput.requireString(body, "name", "");
        String pem = JsonInput.requireString(body, "publicKey", "");
        blocking.run(() -> service.addSigningKey(name, pem))
                .onSuccess(key -> {
                    ctx.response().putHeader("location", "/api/v1/signing-keys/" + key.id());
                    Blocking.json(ctx, 201, FirmwareJson.signingKey(key));
                })
                .onFailure(ctx::fail);
    }

    private void showKey(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        blocking.run(() -> service.repository().signingKey(id))
                .onSuccess(found -> found.ifPresentOrElse(k -> Blocking.json(ctx, 200, FirmwareJson.signingKey(k)),
                        () -> ctx.fail(unknownKey(id))))
                .onFailure(ctx::fail);
    }

    private void removeKey(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        blocking.run(() -> service.removeSigningKey(id))
                .onSuccess(deleted -> {
                    if (deleted) {
                        Blocking.noContent(ctx);
                    } else {
                        ctx.fail(unknownKey(id));
                    }
                })
                .onFailure(ctx::fail);
    }

    private void listModels(RoutingContext ctx) {
        blocking.run(() -> new JsonObject().put("items",
                new JsonArray(service.repository().models().stream().map(FirmwareJson::model).toList())))
                .onSuccess(body -> Blocking.json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    private void putModel(RoutingContext ctx) {
        String model = ctx.pathParam("model");
        JsonObject body = JsonInput.requireObject(ctx);
        JsonInput.allowOnly(body, "the model", "slotSize");
        // MCUboot describes image sizes in 32 bits, so no slot it boots from is larger than 4 GiB - 1.
        Long slotSize = JsonInput.optLong(body, "slotSize", "", 1, MAX_SLOT_SIZE);
        blocking.run(() -> service.putModel(model, slotSize))
                .onSuccess(saved -> Blocking.json(ctx, 200, FirmwareJson.model(saved)))
                .onFailure(ctx::fail);
    }

    private static long firmwareId(RoutingContext ctx) {
        String raw = ctx.pathParam("id");
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException ignored) {
            // Answered below.
        }
        throw ApiProblem.notFound("no firmware with id '" + raw + "'; firmware ids are positive numbers");
    }

    private static ApiProblem unknownFirmware(long id) {
        return new ApiProblem(404, "unknown-firmware", "Unknown firmware",
                "no firmware with id " + id + "; list firmware with GET /api/v1/firmware");
    }

    private static ApiProblem unknownKey(String id) {
        return new ApiProblem(404, "unknown-signing-key", "Unknown signing key",
                "no trusted signing key with id '" + id + "'; list them with GET /api/v1/signing-keys");
    }
}
