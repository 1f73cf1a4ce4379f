package dev.ferry.server.api;

import java.util.List;

import dev.ferry.server.device.ClaimCode;
import dev.ferry.server.device.ClaimCodes;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Claim codes: an operator issues one per device (for its box or QR label); a consumer's app claims the device with
 * it, which adds the owner's tags. A code works once. Every code that does not claim a device (malformed aside)
 * gets the same 404, whether it never existed, was replaced or was used: a caller learns nothing about codes it
 * does not hold.
 */
final class ClaimRoutes {
    private final ClaimCodes codes;
    private final Blocking blocking;

    ClaimRoutes(ClaimCodes codes, Blocking blocking) {
        this.codes = codes;
        this.blocking = blocking;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.post("/api/v1/devices/:endpoint/claim-code", ApiRoute.Body.ACTION, this::issue)
                        .answers(201, 404),
                ApiRoute.post("/api/v1/devices/claim", ApiRoute.Body.JSON, this::claim).answers(200, 404));
    }

    private void issue(RoutingContext ctx) {
        String endpoint = ctx.pathParam("endpoint");
        blocking.run(() -> codes.issue(endpoint)).onSuccess(code -> {
            if (code.isEmpty()) {
                ctx.fail(ApiProblem.unknownDevice(endpoint));
                return;
            }
            // Shown once; the server keeps only its hash.
            ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            Blocking.json(ctx, 201, new JsonObject().put("endpoint", endpoint).put("claimCode", code.get()));
        }).onFailure(ctx::fail);
    }

    private void claim(RoutingContext ctx) {
        JsonObject body = JsonInput.requireObject(ctx);
        JsonInput.allowOnly(body, "the claim", "code", "tags");
        String given = JsonInput.requireString(body, "code", "");
        String code = ClaimCode.normalise(given).orElseThrow(() -> ApiProblem.badRequest(
                "code is not a claim code: " + ClaimCode.RULE));
        List<String> tags = JsonInput.optStringList(body, "tags", "");
        if (tags == null || tags.isEmpty()) {
            throw ApiProblem.badRequest("tags is required: the tags to add to the claimed device, e.g."
                    + " [\"owner:alice\"]");
        }
        // An owner's app holds a token limited to the owner's tag: it may claim a device only into its own reach.
        Caller.requireTag(ctx, tags, "claim");
        blocking.run(() -> codes.claim(code, tags)).onSuccess(device -> {
            if (device.isEmpty()) {
                ctx.fail(new ApiProblem(404, "unknown-claim-code", "Unknown claim code", "no device can be claimed"
                        + " with this code; check it against the label (a code works only once)"));
            } else {
                Blocking.json(ctx, 200, DeviceJson.summary(device.get()));
            }
        }).onFailure(ctx::fail);
    }
}
