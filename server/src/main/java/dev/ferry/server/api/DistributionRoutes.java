package dev.ferry.server.api;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.ferry.image.ImageVersion;
import dev.ferry.server.device.Names;
import dev.ferry.server.firmware.BlobStore;
import dev.ferry.server.firmware.Firmware;
import dev.ferry.server.firmware.PublishedImages;
import dev.ferry.server.distribution.HttpDownloadAccess;
import dev.ferry.server.update.Delivery;
import dev.ferry.server.update.PackageUris;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Image downloads over HTTP ({@code /fw/<sha256>}: ETag, conditional requests, single byte ranges for resuming,
 * streamed from disk) and the OTA manifest. Both answer from memory and the file system, never the database.
 * Unless {@code distribution.public-http} is on, a download needs the download token of an unfinished update session
 * installing that image (the {@code token} query parameter of the package URI the session wrote), and the manifest,
 * whose URLs carry no token, is refused.
 */
final class DistributionRoutes {
    private final PublishedImages images;
    private final Supplier<PackageUris> packageUris;
    private final HttpDownloadAccess access;
    private final boolean publicHttp;

    /** @param packageUris where devices reach this server (public-host), for the manifest's download URLs */
    DistributionRoutes(PublishedImages images, Supplier<PackageUris> packageUris, HttpDownloadAccess access,
            boolean publicHttp) {
        this.images = images;
        this.packageUris = packageUris;
        this.access = access;
        this.publicHttp = publicHttp;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get("/fw/:sha256", this::download).query(PackageUris.TOKEN_PARAMETER)
                        .answers(200, 206, 304, 403, 404, 416),
                ApiRoute.head("/fw/:sha256", this::download).query(PackageUris.TOKEN_PARAMETER)
                        .answers(200, 206, 304, 403, 404, 416),
                ApiRoute.get("/ota/manifest.json", this::manifest).query("model", "current").answers(200, 403));
    }

    private void download(RoutingContext ctx) {
        String sha256 = ctx.pathParam("sha256");
        if (!publicHttp) {
            // Before anything about the image: without a valid token, not even whether it exists is told.
            refuseUnless(access.check(ctx.queryParams().get(PackageUris.TOKEN_PARAMETER), sha256));
        }
        Optional<Firmware> firmware = BlobStore.isSha256Hex(sha256) ? images.bySha256(sha256) : Optional.empty();
        if (firmware.isEmpty()) {
            throw new ApiProblem(404, "unknown-image", "Unknown image",
                    "no published image has SHA-256 '" + sha256 + "'; published images are listed at"
                            + " /ota/manifest.json");
        }
        long size = firmware.get().sizeBytes();
        String etag = "\"" + sha256 + "\"";
        HttpServerResponse response = ctx.response()
                .putHeader(HttpHeaders.ETAG, etag)
                .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
                // A token URL must stop working when its session ends, in caches too.
                .putHeader(HttpHeaders.CACHE_CONTROL, publicHttp ? "public, max-age=31536000, immutable" : "no-store")
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream");
        if (matches(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
            response.setStatusCode(304).end();
            return;
        }
        ByteRange range = ByteRange.NONE;
        String rangeHeader = ctx.request().getHeader("range");
        String ifRange = ctx.request().getHeader("if-range");
        if (rangeHeader != null && (ifRange == null || ifRange.equals(etag))) {
            range = ByteRange.parse(rangeHeader, size);
        }
        if (range == ByteRange.UNSATISFIABLE) {
            response.putHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + size).putHeader(HttpHeaders.CONTENT_TYPE,
                    Problems.CONTENT_TYPE);
            throw new ApiProblem(416, "range-not-satisfiable", "Range not satisfiable",
                    "the image has " + size + " bytes; ask for a range inside it, e.g. bytes=0-" + (size - 1));
        }
        long offset = range == ByteRange.NONE ? 0 : range.first();
        long length = range == ByteRange.NONE ? size : range.last() - range.first() + 1;
        if (range != ByteRange.NONE) {
            response.setStatusCode(206).putHeader(HttpHeaders.CONTENT_RANGE,
                    "bytes " + range.first() + "-" + range.last() + "/" + size);
        }
        if (ctx.request().method() == HttpMethod.HEAD) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length)).end();
            return;
        }
        response.sendFile(images.blobPath(sha256).toString(), offset, length).onFailure(ctx::fail);
    }

    private static void refuseUnless(HttpDownloadAccess.Verdict verdict) {
        switch (verdict) {
        case GRANTED -> {
        }
        case MISSING -> throw new ApiProblem(403, "download-token-required", "Download token required",
                "HTTP downloads need the download token of an update session: a pull-http update writes the"
                        + " device a package URI ending in ?" + PackageUris.TOKEN_PARAMETER + "=... To let anyone"
                        + " download published images over HTTP, set distribution.public-http=true");
        case INVALID -> throw new ApiProblem(403, "download-token-invalid", "Download token not valid",
                "the download token was not made for this image; a token opens only the image of the update"
                        + " session it was made for");
        case EXPIRED -> throw new ApiProblem(403, "download-token-expired", "Download token expired",
                "the download token's update session has ended or passed its deadline; start a new update to give"
                        + " the device a new download URL");
        }
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    private void manifest(RoutingContext ctx) {
        String model = QueryParams.name(ctx, "model", Names::isModel, Names.MODEL_RULE);
        ImageVersion current = QueryParams.version(ctx, "current");
        if (!publicHttp) {
            throw new ApiProblem(403, "manifest-not-public", "Manifest not public",
                    "the manifest lists download URLs that anyone may use, and HTTP downloads need a session's"
                            + " download token; set distribution.public-http=true to serve it. Devices updated by this"
                            + " server get their download URL in the package URI of their update session instead");
        }
        // From the configured public host, never the request's Host header, which the client chooses.
        PackageUris uris = packageUris.get();
        JsonArray entries = new JsonArray();
        for (Firmware firmware : images.newestPerModel(model)) {
            if (current == null || firmware.version().compareTo(current) > 0) {
                entries.add(new JsonObject().put("model", firmware.model())
                        .put("version", firmware.version().toString())
                        .put("url", uris.of(Delivery.PULL_HTTP, firmware))
                        .put("sha256", firmware.sha256())
                        .put("size", firmware.sizeBytes()));
            }
        }
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(entries.encode());
    }

    /** One byte range of a representation, per RFC 9110 section 14.1.2; other forms are ignored. */
    record ByteRange(long first, long last) {
        static final ByteRange NONE = new ByteRange(-1, -1);
        static final ByteRange UNSATISFIABLE = new ByteRange(-2, -2);

        static ByteRange parse(String header, long size) {
            String spec = header.strip();
            if (!spec.startsWith("bytes=") || spec.contains(",")) {
                return NONE; // Unknown units and multiple ranges: serve the whole image, as RFC 9110 allows.
            }
            String[] bounds = spec.substring("bytes=".length()).strip().split("-", -1);
            if (bounds.length != 2) {
                return NONE;
            }
            try {
                if (bounds[0].isEmpty()) {
                    long suffix = Long.parseLong(bounds[1]);
                    if (suffix <= 0 || size == 0) {
                        return UNSATISFIABLE;
                    }
                    return new ByteRange(Math.max(0, size - suffix), size - 1);
                }
                long first = Long.parseLong(bounds[0]);
                long asked = bounds[1].isEmpty() ? Long.MAX_VALUE : Long.parseLong(bounds[1]);
                if (first < 0 || asked < first) {
                    return NONE; // Syntactically invalid: ignored.
                }
                if (first >= size) {
                    return UNSATISFIABLE;
                }
                long last = Math.min(asked, size - 1);
                return new ByteRange(first, last);
            } catch (NumberFormatException e) {
                return NONE;
            }
        }
    }
}
