package dev.ferry.server.api;

import java.util.concurrent.CompletionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.ca.CertificateRequestException;
import dev.ferry.server.device.DeviceConflictException;
import dev.ferry.server.device.InvalidDeviceInputException;
import dev.ferry.server.firmware.FirmwareConflictException;
import dev.ferry.server.firmware.FirmwareRejectedException;
import dev.ferry.server.firmware.InvalidFirmwareInputException;
import dev.ferry.server.lwm2m.DeviceRequestException;
import dev.ferry.server.update.InvalidUpdateException;
import dev.ferry.server.update.UpdateConflictException;
import dev.ferry.server.update.UpdateService;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The one place where failures become HTTP problem documents (RFC 9457). */
final class Problems {
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    static final String CONTENT_TYPE = "application/problem+json";

    private Problems() {
    }

    static void send(RoutingContext ctx, ApiProblem problem) {
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        problem.headers().forEach(ctx.response()::putHeader);
        ctx.response().setStatusCode(problem.status()).putHeader("content-type", CONTENT_TYPE);
        String body = body(problem, ctx.request().path()).encode();
        AuditRecording.send(ctx, problem.type(), () -> ctx.response().end(body));
    }

    static JsonObject body(ApiProblem problem, String instance) {
        JsonObject body = new JsonObject()
                .put("type", "urn:ferry:problem:" + problem.type())
                .put("title", problem.title())
                .put("status", problem.status())
                .put("detail", problem.getMessage());
        if (instance != null) {
            body.put("instance", instance);
        }
        return body.mergeIn(problem.extensions());
    }

    /**
     * Answers a request the HTTP decoder could not take (request line or headers too long, malformed), in place
     * of Vert.x's default, which answers with an empty body.
     */
    static void invalidRequest(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        ApiProblem problem;
        if (cause instanceof TooLongHttpLineException) {
            problem = new ApiProblem(414, "uri-too-long", "URI too long", "the request line is longer than "
                    + HttpApi.MAX_REQUEST_LINE_BYTES + " bytes; send long values in a request body instead");
        } else if (cause instanceof TooLongHttpHeaderException) {
            problem = new ApiProblem(431, "headers-too-large", "Request header fields too large",
                    "the request headers are larger than " + HttpApi.MAX_HEADER_BYTES + " bytes; send fewer or"
                            + " shorter headers");
        } else {
            problem = ApiProblem.badRequest("the request is not well-formed HTTP/1.1");
        }
        LOG.debug("Refused a malformed HTTP request from {}", request.remoteAddress(), cause);
        request.response().setStatusCode(problem.status()).putHeader("content-type", CONTENT_TYPE)
                .putHeader("connection", "close").end(body(problem, null).encode());
        request.connection().close();
    }

    static ApiProblem toProblem(Throwable failure, int statusCode) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        if (cause instanceof ApiProblem problem) {
            return problem;
        }
        if (cause instanceof CertificateRequestException refused) {
            return CertificateRoutes.problem(refused);
        }
        if (cause instanceof InvalidDeviceInputException) {
            return ApiProblem.badRequest(cause.getMessage());
        }
        if (cause instanceof DeviceConflictException) {
            return new ApiProblem(409, "conflict", "Conflict", cause.getMessage());
        }
        if (cause instanceof FirmwareRejectedException rejected) {
            return new ApiProblem(422, "firmware-rejected", "Firmware rejected", rejected.getMessage())
                    .with("reason", rejected.reason().wireName());
        }
        if (cause instanceof FirmwareConflictException) {
            return new ApiProblem(409, "conflict", "Conflict", cause.getMessage());
        }
        if (cause instanceof dev.ferry.server.auth.InvalidTokenException) {
            return ApiProblem.badRequest(cause.getMessage());
        }
        if (cause instanceof InvalidFirmwareInputException) {
            return ApiProblem.badRequest(cause.getMessage());
        }
        if (cause instanceof UpdateConflictException) {
            return new ApiProblem(409, "conflict", "Conflict", cause.getMessage());
        }
        if (cause instanceof InvalidUpdateException refused) {
            return new ApiProblem(422, "invalid-update", "Update cannot be made", refused.getMessage())
                    .with("reason", refused.reason().wireName());
        }
        if (cause instanceof UpdateService.UnknownDeviceException unknown) {
            return ApiProblem.unknownDevice(unknown.endpoint());
        }
        if (cause instanceof dev.ferry.server.rollout.InvalidRolloutException
                || cause instanceof dev.ferry.server.rollout.RolloutStateException
                || cause instanceof dev.ferry.server.rollout.Rollouts.UnknownRolloutException) {
            return RolloutRoutes.problem((RuntimeException) cause);
        }
        if (cause instanceof DecodeException) {
            LOG.debug("Request body is not valid JSON", cause);
            return ApiProblem.badRequest("request body is not valid JSON");
        }
        if (cause instanceof DeviceRequestException e) {
            return fromDeviceRequest(e);
        }
        if (cause == null) {
            return switch (statusCode) {
            case 404 -> ApiProblem.notFound("no such route; the API is described at /api/v1/openapi.yaml");
            case 405 -> new ApiProblem(405, "method-not-allowed", "Method not allowed",
                    "this route does not support that method; the Allow header lists those it does, and"
                            + " /api/v1/openapi.yaml describes them");
            case 413 -> new ApiProblem(413, "too-large", "Request too large",
                    "request body exceeds the limit (JSON bodies 1 MiB; device lists for"
                            + " /api/v1/devices:bulk 16 MiB; firmware images: the server's firmware.max-image-bytes"
                            + " setting)");
            default -> new ApiProblem(statusCode < 400 ? 500 : statusCode, "error", "Error",
                    "the request failed with status " + statusCode);
            };
        }
        LOG.error("Unexpected failure while serving a request", cause);
        return new ApiProblem(500, "internal-error", "Internal server error",
                "the server failed unexpectedly; the server log has the cause");
    }

    private static ApiProblem fromDeviceRequest(DeviceRequestException e) {
        return switch (e.kind()) {
        case NOT_REGISTERED -> new ApiProblem(409, "device-offline", "Device not registered", e.getMessage());
        case ASLEEP -> new ApiProblem(409, "device-asleep", "Device asleep", e.getMessage());
        case TIMEOUT -> new ApiProblem(504, "device-timeout", "Device did not answer", e.getMessage());
        case UNKNOWN_RESOURCE -> new ApiProblem(404, "unknown-resource", "Unknown resource", e.getMessage());
        case NOT_ALLOWED -> new ApiProblem(405, "operation-not-allowed", "Operation not allowed", e.getMessage())
                .withHeader("Allow", ResourceRoutes.allowedMethods(e.allowedOperations()));
        case BAD_VALUE -> ApiProblem.badRequest(e.getMessage());
        case SEND_FAILED -> new ApiProblem(502, "device-unreachable", "Request to device failed", e.getMessage());
        case DEVICE_ERROR -> new ApiProblem(deviceErrorStatus(e.deviceCode()), "device-error", "Device error",
                e.getMessage());
        };
    }

    private static int deviceErrorStatus(String coapCode) {
        if (coapCode == null) {
            return 502;
        }
        return switch (coapCode) {
        case "NOT_FOUND" -> 404;
        case "METHOD_NOT_ALLOWED" -> 405;
        case "BAD_REQUEST" -> 400;
        case "UNAUTHORIZED", "FORBIDDEN" -> 403;
        case "UNSUPPORTED_CONTENT_FORMAT" -> 415;
        default -> 502;
        };
    }
}
