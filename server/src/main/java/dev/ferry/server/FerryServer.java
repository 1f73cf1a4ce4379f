package dev.ferry.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.api.ApiRoute;
import dev.ferry.server.api.HttpApi;
import dev.ferry.server.audit.AuditLog;
import dev.ferry.server.audit.TransitionAuditor;
import dev.ferry.server.api.HttpTls;
import dev.ferry.server.ca.DeviceCertificates;
import dev.ferry.server.command.CommandService;
import dev.ferry.server.ca.FleetCa;
import dev.ferry.server.bootstrap.BatchService;
import dev.ferry.server.bootstrap.BootstrapService;
import dev.ferry.server.auth.FailedAttempts;
import dev.ferry.server.auth.InitialAdminToken;
import dev.ferry.server.auth.RequestRate;
import dev.ferry.server.auth.TokenStore;
import dev.ferry.server.config.ConfigException;
import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.device.CredentialSink;
import dev.ferry.server.device.DeviceCredentials;
import dev.ferry.server.device.DeviceEventBus;
import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.device.DeviceGroup;
import dev.ferry.server.device.DeviceGroups;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.device.ProvisioningService;
import dev.ferry.server.device.RegistrationRows;
import dev.ferry.server.device.RegistryWriter;
import dev.ferry.server.distribution.CoapFirmwareResource;
import dev.ferry.server.distribution.DownloadProgress;
import dev.ferry.server.events.EventHub;
import dev.ferry.server.events.EventLog;
import dev.ferry.server.events.WebhookDispatcher;
import dev.ferry.server.events.WebhookSender;
import dev.ferry.server.events.WebhookStore;
import dev.ferry.server.distribution.ImageBlocks;
import dev.ferry.server.firmware.BlobStore;
import dev.ferry.server.firmware.FirmwareRepository;
import dev.ferry.server.firmware.FirmwareService;
import dev.ferry.server.firmware.PublishedImages;
import dev.ferry.server.lwm2m.DeviceSecurityStore;
import dev.ferry.server.metrics.Metrics;
import dev.ferry.server.metrics.StateGauges;
import dev.ferry.server.rollout.RegistryTargets;
import dev.ferry.server.telemetry.TelemetryBus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.ferry.server.rollout.RolloutPlanCheck;
import dev.ferry.server.rollout.RolloutPlanJson;
import dev.ferry.server.rollout.RolloutService;
import dev.ferry.server.update.DownloadTokens;
import dev.ferry.server.update.PackageUris;
import dev.ferry.server.update.UpdateRepository;
import dev.ferry.server.update.UpdateService;
import dev.ferry.server.lwm2m.LwM2mService;
import dev.ferry.server.lwm2m.ObjectModels;
import dev.ferry.server.lwm2m.ServerIdentity;
import dev.ferry.server.store.Database;
import dev.ferry.server.store.LocalDatabaseServer;
import io.vertx.core.Vertx;

/**
 * The whole fleet server: database, registry writer, LwM2M endpoints and HTTP API, started in dependency
 * order and stopped in reverse so that nothing is half-written.
 */
public final class FerryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FerryServer.class);

    private final Database database;
    private final DeviceRepository repository;
    private final DeviceEventBus eventBus;
    private final RegistryWriter writer;
    private final LwM2mService lwm2m;
    private final Vertx vertx;
    private final HttpApi api;
    private final UpdateService updates;
    private final BootstrapService bootstrap;
    private final AuditLog audit;
    private final TokenStore tokens;
    private final Optional<LocalDatabaseServer> served;
    private boolean closed;
    private RolloutService rollouts;
    private TelemetryBus telemetryBus;
    private TelemetryFeature telemetryFeature;
    private PrometheusMeterRegistry meters;
    private CommandService commands;
    private EventHub eventHub;
    private WebhookDispatcher webhooks;
    private WebhookSender webhookSender;

    private FerryServer(Database database, DeviceRepository repository, DeviceEventBus eventBus,
            RegistryWriter writer, LwM2mService lwm2m, Vertx vertx, HttpApi api, UpdateService updates,
            BootstrapService bootstrap, AuditLog audit, TokenStore tokens, Optional<LocalDatabaseServer> served) {
        this.tokens = tokens;
        this.served = served;
        this.database = database;
        this.repository = repository;
        this.eventBus = eventBus;
        this.writer = writer;
        this.lwm2m = lwm2m;
        this.vertx = vertx;
        this.api = api;
        this.updates = updates;
        this.bootstrap = bootstrap;
        this.audit = audit;
    }

    private static String usedBy(UpdateRepository sessions, long firmwareId) {
        String active = sessions.activeUserOf(firmwareId);
        if (active != null) {
            return active + "; cancel them or wait for their outcome, then delete it";
        }
        return sessions.anyFor(firmwareId) ? "finished update sessions, whose history names it; an image that"
                + " devices were updated with is kept so that their history stays complete" : null;
    }

    /** Starts everything and returns once all listeners are bound; fails fast with the reason otherwise. */
    public static FerryServer start(FerryConfig config) {
        return start(config, Clock.systemUTC());
    }

    /**
     * As {@link #start(FerryConfig)}, with the clock the rollout scheduler reads (start times, maintenance
     * windows, device timeouts, soak periods, retry times): tests pass one they can move.
     */
    public static FerryServer start(FerryConfig config, Clock clock) {
        // First: a wrong CA or TLS setting stops the start before anything is opened.
        FleetCa fleetCa = FleetCa.load(config.caCertificate(), config.caKey(), config.dataDir());
        Optional<HttpTls> tls = config.httpTls().map(t -> HttpTls.load(t,
                List.of(config.publicHost(), config.bindAddress())));
        DownloadTokens downloadTokens = DownloadTokens.loadOrCreate(config.dataDir());
        Database database = Database.open(config);
        TokenStore tokens = new TokenStore(database, Clock.systemUTC());
        Optional<LocalDatabaseServer> served = Optional.empty();
        AuditLog audit = null;
        try {
            served = LocalDatabaseServer.start(config);
            tokens.load();
            InitialAdminToken.ensure(tokens, config.dataDir());
            DeviceEventBus eventBus = new DeviceEventBus();
            PrometheusMeterRegistry meters = Metrics.create();
            TelemetryBus telemetryBus = new TelemetryBus();
            audit = AuditLog.open(database);
            eventBus.subscribe(new TransitionAuditor(audit));
            DeviceRepository repository = new DeviceRepository(database, eventBus);
            DeviceGroups groups = new DeviceGroups(database, repository, Clock.systemUTC());
            DeviceSecurityStore securityStore = new DeviceSecurityStore();
            securityStore.load(repository.allCredentials());
            RegistryWriter writer = new RegistryWriter(database, eventBus, config.registryQueueCapacity(),
                    config.registryBatchSize());
            writer.start();

            ServerIdentity identity = ServerIdentity.loadOrCreate(config.dataDir());
            DeviceCertificates certificates = new DeviceCertificates(fleetCa, database,
                    config.deviceCertificateValidity());
            List<X509Certificate> operatorCas = trustedCertificates(config);
            List<X509Certificate> trusted = new ArrayList<>(operatorCas);
            trusted.add(0, fleetCa.certificate());
            BatchService batches = new BatchService(database, certificates);
            // A production batch's bootstrap certificate is no device credential: refused at the handshake as if
            // revoked, so that it registers no device, even one provisioned under the batch's CN.
            ObjectModels objectModels = ObjectModels.load(config.dataDir());
            LwM2mService lwm2m = LwM2mService.create(config, securityStore, writer, identity, trusted,
                    cert -> certificates.revocations().isRevoked(cert) || batches.isBatchCertificate(cert),
                    objectModels);
            certificates.dropConnectionsWith(lwm2m::dropCertificateConnections);
            restoreRegistrations(new RegistrationRows(database), lwm2m);
            lwm2m.bindMeters(meters);

            UpdateService[] updates = new UpdateService[1];
            CredentialSink sink = new CredentialSink() {
                @Override
                public void provisioned(DeviceCredentials credentials) {
                    securityStore.put(credentials);
                }

                @Override
                public void rekeyed(DeviceCredentials credentials) {
                    // Drops the DTLS connections made with the old credential, then trusts the new one.
                    securityStore.remove(credentials.endpoint(), true);
                    securityStore.put(credentials);
                }

                @Override
                public void deprovisioned(String endpoint) {
                    lwm2m.forget(endpoint);
                    certificates.deviceRemoved(endpoint);
                    if (updates[0] != null) {
                        updates[0].deviceRemoved(endpoint);
                    }
                }
            };
            // X.509 devices always work: the fleet CA signs their certificates.
            ProvisioningService provisioning = new ProvisioningService(repository, sink, true,
                    DeviceSecurityStore::decodePublicKey);
            BlobStore blobs = new BlobStore(config.firmwareDir().resolve("blobs"));
            PublishedImages published = new PublishedImages(blobs);
            ImageBlocks imageBlocks = new ImageBlocks(config.downloadCacheBytes());
            FirmwareRepository firmwareRepository = new FirmwareRepository(database);
            UpdateRepository updateRepository = new UpdateRepository(database);
            FirmwareService firmware = new FirmwareService(firmwareRepository, blobs, published,
                    firmwareId -> usedBy(updateRepository, firmwareId), imageBlocks::evict);

            HttpApi[] httpApi = new HttpApi[1];
            Supplier<PackageUris> packageUris = () -> new PackageUris(config.publicHost(),
                    lwm2m.coapAddress().getPort(), lwm2m.coapsAddress().getPort(), httpApi[0].actualPort(),
                    tls.isPresent());
            UpdateService updateService = new UpdateService(updateRepository, firmwareRepository, repository, blobs,
                    eventBus, writer, lwm2m.leshan(), lwm2m.resources(), config.updateSettings(), packageUris,
                    downloadTokens);
            updates[0] = updateService;
            Function<String, Optional<DeviceFilter>> groupFilters = name -> groups.find(name).map(DeviceGroup::filter);
            RolloutPlanCheck planCheck = new RolloutPlanCheck(firmwareRepository, repository, groupFilters, clock);
            RolloutService rolloutService = new RolloutService(database, eventBus, new RolloutPlanJson(), planCheck,
                    new RegistryTargets(repository, groupFilters), repository, firmwareRepository, updateService, clock,
                    "local");
            StateGauges stateGauges = new StateGauges(meters, List.of(
                    new StateGauges.Source("ferry.update.sessions", "Update sessions by state and failure reason",
                            List.of("state", "failure_reason"), updateRepository::countByStateAndFailure),
                    StateGauges.single("ferry.rollouts", "Rollouts by status", "status",
                            rolloutService::countByStatus),
                    StateGauges.single("ferry.rollout.waves", "Rollout waves by status", "status",
                            rolloutService::wavesByStatus)));
            writer.bindMeters(meters);
            groups.usedBy(rolloutService::groupUsedBy); // a group a rollout targets is neither changed nor deleted
            DownloadProgress downloadProgress = new DownloadProgress(securityStore::endpointOf,
                    (address, sha256) -> lwm2m.deviceAt(address, updateService.installing(sha256)),
                    Clock.systemUTC());
            CoapFirmwareResource coapFirmware = new CoapFirmwareResource(published, imageBlocks,
                    securityStore::endpointOf, updateService.downloadAccess(), config.coapMaxBlockSize(), meters,
                    downloadProgress);
            lwm2m.addCoapResource(coapFirmware);
            lwm2m.answerStatelessly(coapFirmware.statelessAnswers());

            CommandService commands = new CommandService(database, repository, groupFilters, lwm2m.leshan(),
                    lwm2m.resources(), eventBus, meters, config.commandSettings(), Clock.systemUTC());

            TelemetryFeature telemetry = new TelemetryFeature(config, database, telemetryBus, meters,
                    lwm2m.leshan(), endpoint -> repository.find(endpoint).map(d -> d.model()));

            // Devices are let in only now, with every listener and the firmware resource in place: a device that
            // resumes its download the moment a restarted server answers must find the image, not a 4.04.
            lwm2m.answerSendWhenStored();
            lwm2m.start();
            updateService.start();
            BootstrapService bootstrap = startBootstrap(config, new BootstrapService.Certificates(
                    identity.privateKey(), identity.certificate(), certificates), batches, provisioning, repository,
                    writer, lwm2m, securityStore);

            Vertx vertx = Vertx.vertx();
            EventLog eventLog = new EventLog(database);
            EventHub eventHub = new EventHub(eventLog, repository::find, config.eventStreamReplayLimit(),
                    config.eventStreamMaxClients(), meters);
            eventBus.subscribe(eventHub.eventListener());
            telemetryBus.subscribe(eventHub.telemetryListener());
            eventHub.start();
            WebhookSender webhookSender = new WebhookSender(vertx, config.webhookSettings().concurrency());
            WebhookStore webhookStore = new WebhookStore(database);
            WebhookDispatcher webhooks = new WebhookDispatcher(webhookStore, eventLog, eventHub, repository::find,
                    name -> groups.find(name).map(DeviceGroup::filter), webhookSender, config.webhookSettings(),
                    Clock.systemUTC(), "urn:ferry:" + config.publicHost(), meters);
            webhooks.start();
            HttpApi api = new HttpApi(vertx, database, repository, provisioning, groups, lwm2m.resources(),
                    endpoint -> securityStore.modeOf(endpoint).isPresent(), config.requestTimeout(), identity,
                    lwm2m::downReason, new HttpApi.Firmware(firmware, published, config.maxImageBytes(),
                            config.firmwareDir().resolve("uploads"), config.publicHttp(), downloadProgress),
                    updateService, packageUris,
                    certificates, new HttpApi.Batches(batches, () -> bootstrapUri(config, bootstrap)), audit,
                    new HttpApi.Access(tokens, new FailedAttempts(config.authFailureLimit(), Duration.ofMinutes(1),
                            Clock.systemUTC()), new RequestRate(config.tokenRateLimit(), config.tokenRateBurst(),
                                    System::nanoTime)), new HttpApi.RolloutApi(rolloutService, planCheck),
                    commands,
                    new HttpApi.Events(eventHub, webhookStore, webhooks::signal, config.eventStreamHeartbeat()),
                    new HttpApi.Telemetry(objectModels, telemetry.profiles, telemetry.queries, telemetry.fleet),
                    new HttpApi.Meters(meters, config.metricsPublic(), stateGauges::refresh));
            httpApi[0] = api;
            FerryServer server = new FerryServer(database, repository, eventBus, writer, lwm2m, vertx, api,
                    updateService, bootstrap, audit, tokens, served);
            server.rollouts = rolloutService;
            server.meters = meters;
            server.telemetryBus = telemetryBus;
            server.commands = commands;
            server.telemetryFeature = telemetry;
            telemetry.start();
            server.eventHub = eventHub;
            server.webhooks = webhooks;
            server.webhookSender = webhookSender;
            try {
                api.listen(config.bindAddress(), config.httpPort(), tls).toCompletionStage().toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                server.close();
                throw new IllegalStateException("HTTP API cannot listen on " + config.bindAddress() + ":"
                        + config.httpPort() + ": " + rootMessage(e), e);
            }
            LOG.info("LwM2M CoAP listening on coap://{}:{}", config.bindAddress(), lwm2m.coapAddress().getPort());
            LOG.info("LwM2M CoAPS listening on coaps://{}:{} (DTLS: PSK, RPK, X.509 from the fleet CA{})",
                    config.bindAddress(), lwm2m.coapsAddress().getPort(), operatorCas.isEmpty() ? ""
                            : " and " + operatorCas.size() + " CA(s) of dtls.trusted-certificates");
            if (bootstrap != null) {
                LOG.info("LwM2M bootstrap server listening on coap://{}:{} and coaps://{}:{} (production batches)",
                        config.bindAddress(), bootstrap.coapAddress().getPort(), config.bindAddress(),
                        bootstrap.coapsAddress().getPort());
            }
            LOG.info("HTTP API listening on {}://{}:{}/api/v1 (data in {}); HTTP firmware downloads {}",
                    tls.isPresent() ? "https" : "http", config.bindAddress(), api.actualPort(),
                    config.dataDir().toAbsolutePath(), config.publicHttp() ? "open to anyone (distribution.public-http)"
                            : "need an update session's download token");
            tls.ifPresent(t -> LOG.info("HTTPS certificate {} (SHA-256 fingerprint {}){}",
                    t.certificate().getSubjectX500Principal().getName(), t.fingerprint(),
                    config.httpTls().get().generated() ? ", self-signed, in " + config.httpTls().get().generatedDir()
                            : ""));
            return server;
        } catch (RuntimeException e) {
            if (audit != null) {
                audit.close();
            }
            tokens.close();
            served.ifPresent(LocalDatabaseServer::close);
            database.close();
            throw e;
        }
    }

    /** The bootstrap server, unless bootstrap.enabled is false; devices are sent to this server's LwM2M ports. */
    private static BootstrapService startBootstrap(FerryConfig config, BootstrapService.Certificates certificates,
            BatchService batches, ProvisioningService provisioning, DeviceRepository repository, RegistryWriter writer,
            LwM2mService lwm2m, DeviceSecurityStore securityStore) {
        if (!config.bootstrapEnabled()) {
            LOG.info("LwM2M bootstrap server off (bootstrap.enabled=false)");
            return null;
        }
        return BootstrapService.start(new BootstrapService.Settings(config.bindAddress(), config.bootstrapCoapPort(),
                config.bootstrapCoapsPort(), config.publicHost(), config.bootstrapLifetimeSeconds(),
                () -> lwm2m.coapAddress().getPort(), () -> lwm2m.coapsAddress().getPort()), certificates, batches,
                provisioning, repository, writer, endpoint -> securityStore.modeOf(endpoint).isPresent(),
                endpoint -> lwm2m.leshan().getRegistrationService().getByEndpoint(endpoint) != null);
    }

    /** The bootstrap server's CoAPS URI as devices reach it (batch PSKs are DTLS); null when it is off. */
    private static String bootstrapUri(FerryConfig config, BootstrapService bootstrap) {
        if (bootstrap == null) {
            return null;
        }
        String host = config.publicHost().contains(":") && !config.publicHost().startsWith("[")
                ? "[" + config.publicHost() + "]" : config.publicHost();
        return "coaps://" + host + ":" + bootstrap.coapsAddress().getPort();
    }

    /** Loads the persisted registrations and makes the registry's online flags agree with what was loaded. */
    private static void restoreRegistrations(RegistrationRows rows, LwM2mService lwm2m) {
        RegistrationRows.Reconciled reconciled = rows.reconcile(lwm2m.restoreRegistrations(rows.all()));
        LOG.info("Restored {} registration(s); {} device(s) shown offline until they register again",
                reconciled.online(), reconciled.takenOffline());
    }

    private static List<X509Certificate> trustedCertificates(FerryConfig config) {
        if (config.trustedCertificates().isEmpty()) {
            return List.of();
        }
        Path file = config.trustedCertificates().get();
        try {
            return ServerIdentity.readCertificates(file);
        } catch (Exception e) {
            throw new ConfigException("dtls.trusted-certificates: cannot read CA certificates from " + file + ": "
                    + e.getMessage());
        }
    }

    public int httpPort() {
        return api.actualPort();
    }

    public InetSocketAddress coapAddress() {
        return lwm2m.coapAddress();
    }

    public InetSocketAddress coapsAddress() {
        return lwm2m.coapsAddress();
    }

    /** The bootstrap server, or null when bootstrap.enabled is false. */
    public BootstrapService bootstrap() {
        return bootstrap;
    }

    public DeviceEventBus events() {
        return eventBus;
    }

    /** Telemetry as it is stored. */
    public TelemetryBus telemetry() {
        return telemetryBus;
    }

    /** The meters rendered at {@code GET /metrics}. */
    public PrometheusMeterRegistry meters() {
        return meters;
    }

    public DeviceRepository registry() {
        return repository;
    }

    public LwM2mService lwm2m() {
        return lwm2m;
    }

    /** The HTTP API's router, for checking the served routes against the OpenAPI document. */
    public io.vertx.ext.web.Router httpApiRouter() {
        return api.router();
    }

    /** The HTTP API's operations with the statuses each can answer, for checking them against the document. */
    public List<ApiRoute> httpApiRoutes() {
        return api.routes();
    }

    /** The audit log, for tests that read it behind the API's back. */
    public AuditLog audit() {
        return audit;
    }

    /** Queued commands and fleet command jobs. */
    public CommandService commands() {
        return commands;
    }

    /** The rollouts and their scheduler. */
    public RolloutService rollouts() {
        return rollouts;
    }

    public RegistryWriter registryWriter() {
        return writer;
    }

    /** Stops accepting requests, stops the LwM2M endpoints, writes what is queued, then closes the database. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("Shutting down: closing listeners, flushing {} queued registry change(s)", writer.pending());
        List<String> unclean = new ArrayList<>();
        try {
            api.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("HTTP API did not close cleanly: {}", rootMessage(e));
            unclean.add("HTTP API");
        }
        if (telemetryFeature != null) {
            telemetryFeature.close(); // before the event hub closes: what is queued is written and published
        }
        if (webhooks != null) {
            webhooks.close(); // what is queued stays queued for the next start
            webhookSender.close();
            eventHub.close();
        }
        if (rollouts != null) {
            rollouts.close(); // before the update sessions it creates and watches
        }
        if (commands != null) {
            commands.close(); // before the LwM2M server: what is in flight stays "sent" and is settled at the next start
        }
        updates.close();
        if (bootstrap != null) {
            bootstrap.close(); // before the LwM2M server: no device is handed an endpoint that is going away
        }
        lwm2m.close();
        // Registrations stay: what is queued is written, and the next start loads them again.
        writer.close();
        audit.close(); // after everything that appends to it, before the database closes
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Vert.x did not close cleanly: {}", rootMessage(e));
            unclean.add("Vert.x");
        }
        tokens.close();
        served.ifPresent(LocalDatabaseServer::close);
        database.close();
        if (meters != null) {
            meters.close();
        }
        if (unclean.isEmpty()) {
            LOG.info("Shut down cleanly");
        } else {
            LOG.warn("Shut down, but {} did not close cleanly (see the warnings above)",
                    String.join(" and ", unclean));
        }
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
