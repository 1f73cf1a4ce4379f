package dev.ferry.server.api;

import java.util.List;

import dev.ferry.server.ca.CertificateRequestException;
import dev.ferry.server.ca.DeviceCertificates;
import dev.ferry.server.ca.FleetCa;
import dev.ferry.server.ca.IssuedCertificate;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The fleet CA routes: its certificate for factory tools, signing a device's CSR (the device keeps its key),
 * the device's issued certificates, and revocation.
 */
final class CertificateRoutes {
    private final DeviceCertificates certificates;
    private final Blocking blocking;
    private final JsonObject caJson;

    CertificateRoutes(DeviceCertificates certificates, Blocking blocking) {
        this.certificates = certificates;
        this.blocking = blocking;
        FleetCa ca = certificates.ca();
        this.caJson = new JsonObject().put("certificate", ca.certificatePem())
                .put("subject", ca.certificate().getSubjectX500Principal().getName())
                .put("notAfter", ca.certificate().getNotAfter().toInstant().toString())
                .put("sha256Fingerprint", ca.fingerprint());
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get("/api/v1/ca", this::ca).answers(200),
                ApiRoute.post("/api/v1/devices/:endpoint/certificate", ApiRoute.Body.JSON, this::issue)
                        .answers(201, 404, 409, 422),
                ApiRoute.get("/api/v1/devices/:endpoint/certificates", this::list).answers(200, 404),
                ApiRoute.post("/api/v1/devices/:endpoint/certificate/revoke", ApiRoute.Body.JSON, this::revoke)
                        .answers(200, 404));
    }

    private void ca(RoutingContext ctx) {
        Blocking.json(ctx, 200, caJson);
    }

    private void issue(RoutingContext ctx) {
        String endpoint = ctx.pathParam("endpoint");
        JsonObject body = JsonInput.requireObject(ctx);
        JsonInput.allowOnly(body, "the certificate request", "csr");
        String csr = JsonInput.optString(body, "csr", "");
        blocking.run(() -> certificates.issue(endpoint, csr)).onSuccess(issued -> {
            ctx.response().putHeader("location", "/api/v1/devices/" + endpoint + "/certificates");
            Blocking.json(ctx, 201, json(issued.certificate()).put("chain", new JsonArray(issued.chainPem())));
        }).onFailure(ctx::fail);
    }

    private void list(RoutingContext ctx) {
        String endpoint = ctx.pathParam("endpoint");
        blocking.run(() -> certificates.list(endpoint)).onSuccess(found -> {
            if (found.isEmpty()) {
                ctx.fail(ApiProblem.unknownDevice(endpoint));
            } else {
                Blocking.json(ctx, 200, new JsonObject().put("items", items(found.get())));
            }
        }).onFailure(ctx::fail);
    }

    private void revoke(RoutingContext ctx) {
        String endpoint = ctx.pathParam("endpoint");
        JsonObject body = JsonInput.optionalObject(ctx);
        JsonInput.allowOnly(body, "the revocation", "serial", "reason");
        String serial = JsonInput.optString(body, "serial", "");
        String reason = JsonInput.optString(body, "reason", "");
        blocking.run(() -> certificates.revoke(endpoint, serial, reason))
                .onSuccess(revoked -> Blocking.json(ctx, 200, new JsonObject().put("revoked", items(revoked))))
                .onFailure(ctx::fail);
    }

    private static JsonArray items(List<IssuedCertificate> certificates) {
        return new JsonArray(certificates.stream().map(CertificateRoutes::json).toList());
    }

    private static JsonObject json(IssuedCertificate c) {
        return new JsonObject().put("serial", c.serial()).put("endpoint", c.endpoint())
                .put("notBefore", c.notBefore().toInstant().toString())
                .put("notAfter", c.notAfter().toInstant().toString())
                .put("issuedAt", c.issuedAt().toInstant().toString())
                .put("revoked", c.revoked())
                .put("revokedAt", c.revokedAt() == null ? null : c.revokedAt().toInstant().toString())
                .put("revocationReason", c.revocationReason())
                .put("certificate", c.certificatePem());
    }

    /** The problem document of a refused certificate request. */
    static ApiProblem problem(CertificateRequestException e) {
        return switch (e.kind()) {
        case INVALID_CSR -> new ApiProblem(400, "invalid-csr", "Invalid certificate signing request", e.getMessage());
        case SUBJECT_MISMATCH -> new ApiProblem(422, "csr-subject-mismatch", "CSR names another device",
                e.getMessage());
        case NOT_X509 -> new ApiProblem(409, "not-x509-device", "Device does not use certificates", e.getMessage());
        case UNCERTIFIABLE_ENDPOINT -> new ApiProblem(409, "endpoint-not-certifiable",
                "Endpoint cannot be named in a certificate", e.getMessage());
        case UNKNOWN_DEVICE -> ApiProblem.unknownDevice(e.endpoint());
        case UNKNOWN_CERTIFICATE -> new ApiProblem(404, "unknown-certificate", "Unknown certificate", e.getMessage());
        case INVALID_REVOCATION -> ApiProblem.badRequest(e.getMessage());
        };
    }
}
