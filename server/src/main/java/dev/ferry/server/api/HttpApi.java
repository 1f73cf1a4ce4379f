package dev.ferry.server.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.ferry.server.audit.AuditLog;
import dev.ferry.server.ca.DeviceCertificates;
import dev.ferry.server.command.CommandService;
import dev.ferry.server.device.ClaimCodes;
import dev.ferry.server.bootstrap.BatchService;
import dev.ferry.server.auth.FailedAttempts;
import dev.ferry.server.auth.RequestRate;
import dev.ferry.server.auth.TokenStore;
import dev.ferry.server.device.DeviceGroups;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.device.ProvisioningService;
import dev.ferry.server.firmware.FirmwareService;
import dev.ferry.server.firmware.PublishedImages;
import dev.ferry.server.lwm2m.DeviceResources;
import dev.ferry.server.update.PackageUris;
import dev.ferry.server.update.UpdateService;
import dev.ferry.server.lwm2m.ServerIdentity;
import dev.ferry.server.rollout.RolloutPlanCheck;
import dev.ferry.server.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/** The HTTP API: routes, one failure handler rendering problem documents, and the listener. */
public final class HttpApi {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpApi.class);
    static final long MAX_BODY_BYTES = 1024 * 1024;
    static final int MAX_REQUEST_LINE_BYTES = HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH;
    static final int MAX_HEADER_BYTES = HttpServerOptions.DEFAULT_MAX_HEADER_SIZE;

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
    private final List<ApiRoute> routes;
    private HttpServer server;

    /** Who may call the API: the tokens and the limits on failed and excessive requests. */
    public record Access(TokenStore tokens, FailedAttempts failures, RequestRate rate) {
    }

    /**
     * The firmware repository and what serves its images.
     *
     * @param publicHttp whether HTTP downloads are open to anyone ({@code distribution.public-http})
     * @param progress how far each device has fetched its image over CoAP, shown with its update session
     */
    public record Firmware(FirmwareService service, PublishedImages images, long maxImageBytes, Path uploads,
            boolean publicHttp, dev.ferry.server.distribution.DownloadProgress progress) {
    }

    /** The fleet's rollouts, and the check that judges a plan (used to add its problems to those of shape). */
    public record RolloutApi(dev.ferry.server.rollout.Rollouts rollouts, RolloutPlanCheck check) {
    }

    /**
     * The event stream and webhooks: the hub that orders events, the webhook store, what to wake when a webhook is
     * made, and the stream's heartbeat interval.
     */
    public record Events(dev.ferry.server.events.EventHub hub, dev.ferry.server.events.WebhookStore webhooks,
            Runnable webhookCreated, Duration heartbeat) {
    }

    /**
     * The meters {@code GET /metrics} renders, whether it is open without a token ({@code metrics.public}), and
     * what to count again before each scrape (blocking; run on a worker).
     */
    public record Meters(io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry, boolean open,
            Runnable beforeScrape) {
    }

    /** The object models that type device values, observation profiles, and the stored telemetry read back. */
    public record Telemetry(dev.ferry.server.lwm2m.ObjectModels models,
            dev.ferry.server.telemetry.TelemetryProfiles profiles,
            dev.ferry.server.telemetry.TelemetryQueries queries, dev.ferry.server.telemetry.FleetTelemetry fleet) {
    }

    /** Production batches, and the bootstrap server's URI devices of a batch use (null when it is off). */
    public record Batches(BatchService service, Supplier<String> bootstrapUri) {
    }

    public HttpApi(Vertx vertx, Database database, DeviceRepository repository, ProvisioningService provisioning,
            DeviceGroups groups, DeviceResources resources, Predicate<String> provisioned, Duration requestTimeout,
            ServerIdentity identity, HealthProbe health, Firmware firmware, UpdateService updates,
            Supplier<PackageUris> packageUris, DeviceCertificates certificates, Batches batches,
            AuditLog audit, Access access, RolloutApi rollouts, CommandService commands,
            Events events, Telemetry telemetry, Meters meters) {
        this.vertx = vertx;
        this.database = database;
        this.health = health;
        this.blocking = new Blocking(vertx);
        this.openApiDocument = loadOpenApi();
        this.serverSecurity = serverSecurity(identity);
        this.router = Router.router(vertx);
        FirmwareRoutes firmwareRoutes = new FirmwareRoutes(firmware.service(), blocking, firmware.maxImageBytes(),
                firmware.uploads());
        List<ApiRoute> declared = new ArrayList<>(List.of(
                ApiRoute.get("/health", this::health).answers(200, 503),
                ApiRoute.get("/api/v1/openapi.yaml", this::openApi).answers(200),
                ApiRoute.get("/api/v1/server/security", this::security).answers(200)));
        BulkRoutes bulkRoutes = new BulkRoutes(provisioning, blocking);
        declared.addAll(new DeviceRoutes(repository, provisioning, groups, telemetry.queries(), blocking).routes());
        declared.addAll(new GroupRoutes(groups, blocking).routes());
        declared.addAll(new FleetSummaryRoutes(new dev.ferry.server.device.DeviceCensus(database), repository,
                new dev.ferry.server.update.UpdateRepository(database), rollouts.rollouts(), blocking).routes());
        declared.addAll(bulkRoutes.routes());
        declared.addAll(new ClaimRoutes(new ClaimCodes(repository), blocking).routes());
        declared.addAll(new ResourceRoutes(resources, provisioned, requestTimeout).routes());
        declared.addAll(firmwareRoutes.routes());
        declared.addAll(new DistributionRoutes(firmware.images(), packageUris,
                updates.httpDownloadAccess(), firmware.publicHttp()).routes());
        declared.addAll(new UpdateRoutes(updates, blocking, firmware.progress()).routes());
        declared.addAll(new CertificateRoutes(certificates, blocking).routes());
        declared.addAll(new BatchRoutes(batches.service(), blocking, batches.bootstrapUri()).routes());
        declared.addAll(new AuditRoutes(audit, blocking).routes());
        declared.addAll(new TokenRoutes(access.tokens(), access.rate(), blocking).routes());
        declared.addAll(new RolloutRoutes(rollouts.rollouts(), rollouts.check(), blocking).routes());
        declared.addAll(new CommandRoutes(commands, provisioned, blocking).routes());
        MetricsRoutes metricsRoutes = new MetricsRoutes(meters.registry(), meters.beforeScrape(), blocking);
        declared.addAll(metricsRoutes.routes());
        declared.addAll(new ObjectModelRoutes(telemetry.models(), blocking).routes());
        declared.addAll(new FleetTelemetryRoutes(telemetry.fleet(), repository, groups, blocking).routes());
        declared.addAll(new TelemetryRoutes(telemetry.profiles(), telemetry.queries(), provisioned, blocking)
                .routes());
        declared.addAll(new EventStreamRoutes(events.hub(), groups, blocking, events.heartbeat()).routes());
        declared.addAll(new WebhookRoutes(events.webhooks(), events.hub(), groups, events.webhookCreated(), blocking)
                .routes());
        this.routes = withHead(declared);
        // First of all handlers, so that a call refused by any check after it (authentication included) is
        // recorded too.
        metricsRoutes.mountRequestMeter(router);
        router.route().handler(new AuditRecording(audit, routes)::handle);
        Authentication authentication = new Authentication(access.tokens(), access.failures(), access.rate(),
                blocking, endpoint -> repository.find(endpoint).map(dev.ferry.server.device.Device::tags));
        for (ApiRoute route : routes) {
            boolean openMetrics = meters.open() && route.path().equals(MetricsRoutes.PATH);
            route.mountOn(router).handler(ctx -> {
                ctx.put(MetricsRoutes.ROUTE_KEY, route.path());
                ctx.next();
            }).handler(openMetrics ? RoutingContext::next : authentication.handlerFor(route)).handler(route::check);
        }
        firmwareRoutes.mountUploadBody(router);
        bulkRoutes.mountBody(router);
        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        for (ApiRoute route : routes) {
            if (route.body() == ApiRoute.Body.ACTION) {
                route.mountOn(router).handler(JsonInput::noContent).handler(route.handler());
            } else {
                route.mountOn(router).handler(route.handler());
            }
        }
        router.route().failureHandler(this::renderFailure);
        router.errorHandler(404, this::renderFailure);
        router.errorHandler(405, this::renderFailure);
        router.errorHandler(413, this::renderFailure);
    }

    /** HEAD wherever GET is served (unless a route answers HEAD itself); Vert.x leaves out the body. */
    private static List<ApiRoute> withHead(List<ApiRoute> declared) {
        List<ApiRoute> all = new ArrayList<>(declared);
        for (ApiRoute route : declared) {
            boolean explicit = declared.stream()
                    .anyMatch(r -> r.method() == HttpMethod.HEAD && r.path().equals(route.path()));
            if (route.method() == HttpMethod.GET && !explicit) {
                all.add(new ApiRoute(HttpMethod.HEAD, route.path(), route.body(), route.queryParams(),
                        route.declaredStatuses(), route.handler()));
            }
        }
        return List.copyOf(all);
    }

    /** The one failure handler: maps whatever failed to exactly one status and problem document. */
    private void renderFailure(RoutingContext ctx) {
        ApiProblem problem = Problems.toProblem(ctx.failure(), ctx.statusCode());
        if (problem.status() == 405 && !problem.headers().containsKey("Allow")) {
            problem.withHeader("Allow", ApiRoute.allowed(routes, ctx.request().path()));
        }
        Problems.send(ctx, problem);
    }

    /** Every operation the API serves, with what it takes and answers. */
    public List<ApiRoute> routes() {
        return routes;
    }

    public Router router() {
        return router;
    }

    /** @param tls HTTPS with this key and certificate, or empty for plain HTTP */
    public Future<HttpServer> listen(String host, int port, Optional<HttpTls> tls) {
        // No cleartext HTTP/2 upgrade: on that path Vert.x answers oversized headers without a problem document
        // and sends bodies to HEAD requests, so every request takes the one HTTP/1.1 path described here (over TLS
        // too: no ALPN, so HTTP/1.1 only).
        HttpServerOptions options = new HttpServerOptions().setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES).setHttp2ClearTextEnabled(false);
        tls.ifPresent(t -> t.apply(options));
        return vertx.createHttpServer(options).requestHandler(router).invalidRequestHandler(Problems::invalidRequest)
                .exceptionHandler(HttpApi::connectionFailed).listen(port, host).onSuccess(s -> server = s);
    }

    /** A connection that failed before it carried a request: plain HTTP to the HTTPS port, a failed handshake. */
    private static void connectionFailed(Throwable cause) {
        LOG.debug("HTTP connection closed: {}", cause.toString());
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
