package dev.ferry.server.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Predicate;

import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.device.ProvisioningService;
import dev.ferry.server.firmware.FirmwareService;
import dev.ferry.server.firmware.PublishedImages;
import dev.ferry.server.lwm2m.DeviceResources;
import dev.ferry.server.update.UpdateService;
import dev.ferry.server.lwm2m.ServerIdentity;
import dev.ferry.server.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/** The HTTP API: routes, one failure handler rendering problem documents, and the listener. */
public final class HttpApi {
    static final long MAX_BODY_BYTES = 1024 * 1024;

    /** What the health check asks of the rest of the server. */
    public interface HealthProbe {
        /** Null when the LwM2M endpoints are up, otherwise why not. */
        String lwm2mDownReason();
    }

    private final Vertx vertx;
    private final Router router;
    private final Database database;
    private final HealthProbe health;
    private final Blocking blocking;
    private final String openApiDocument;
    private final JsonObject serverSecurity;
    private HttpServer server;

    /** The firmware repository and what serves its images. */
    public record Firmware(FirmwareService service, PublishedImages images, long maxImageBytes, Path uploads) {
    }

    public HttpApi(Vertx vertx, Database database, DeviceRepository repository, ProvisioningService provisioning,
            DeviceResources resources, Predicate<String> provisioned, Duration requestTimeout,
            ServerIdentity identity, HealthProbe health, Firmware firmware, UpdateService updates) {
        this.vertx = vertx;
        this.database = database;
        this.health = health;
        this.blocking = new Blocking(vertx);
        this.openApiDocument = loadOpenApi();
        this.serverSecurity = serverSecurity(identity);
        this.router = Router.router(vertx);
        FirmwareRoutes firmwareRoutes = new FirmwareRoutes(firmware.service(), blocking, firmware.maxImageBytes(),
                firmware.uploads());
        firmwareRoutes.mountUploadBody(router);
        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        router.get("/health").handler(this::health);
        router.get("/api/v1/openapi.yaml").handler(this::openApi);
        router.get("/api/v1/server/security").handler(this::security);
        new DeviceRoutes(repository, provisioning, blocking).mount(router);
        new ResourceRoutes(resources, provisioned, requestTimeout).mount(router);
        firmwareRoutes.mount(router);
        new DistributionRoutes(firmware.images()).mount(router);
        new UpdateRoutes(updates, blocking).mount(router);
        router.route().failureHandler(Problems::render);
        router.errorHandler(404, Problems::render);
        router.errorHandler(405, Problems::render);
        router.errorHandler(413, Problems::render);
    }

    public Router router() {
        return router;
    }

    public Future<HttpServer> listen(String host, int port) {
        return vertx.createHttpServer().requestHandler(router).listen(port, host).onSuccess(s -> server = s);
    }

    public int actualPort() {
        return server.actualPort();
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void health(RoutingContext ctx) {
        blocking.run(database::isReachable).onComplete(result -> {
            String reason = result.succeeded() && result.result() ? health.lwm2mDownReason() : "database is unreachable";
            if (reason == null) {
                Blocking.json(ctx, 200, new JsonObject().put("status", "up").put("database", "up")
                        .put("coap", "up").put("coaps", "up"));
            } else {
                Problems.send(ctx, new ApiProblem(503, "unhealthy", "Service unavailable", reason));
            }
        });
    }

    private void openApi(RoutingContext ctx) {
        ctx.response().putHeader("content-type", "application/yaml").end(openApiDocument);
    }

    private void security(RoutingContext ctx) {
        Blocking.json(ctx, 200, serverSecurity);
    }

    private static JsonObject serverSecurity(ServerIdentity identity) {
        try {
            return new JsonObject()
                    .put("publicKey", Base64.getEncoder().encodeToString(identity.certificate().getPublicKey().getEncoded()))
                    .put("certificate", ServerIdentity.pem(identity.certificate()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the server certificate", e);
        }
    }

    private static String loadOpenApi() {
        try (InputStream in = HttpApi.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the server's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read openapi.yaml", e);
        }
    }
}
