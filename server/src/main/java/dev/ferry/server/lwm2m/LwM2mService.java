package dev.ferry.server.lwm2m;

import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.auth.X509CertPath;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.DaemonThreadFactory;
import org.eclipse.californium.elements.util.Filter;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.leshan.core.endpoint.EndpointUriUtil;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.LeshanServerBuilder;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpoint;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpointsProvider;
import org.eclipse.leshan.server.californium.endpoint.coap.CoapServerEndpointFactory;
import org.eclipse.leshan.server.californium.endpoint.coap.CoapServerProtocolProvider;
import org.eclipse.leshan.server.californium.endpoint.coaps.CoapsServerEndpointFactory;
import org.eclipse.leshan.server.californium.endpoint.coaps.CoapsServerProtocolProvider;
import org.eclipse.leshan.server.endpoint.LwM2mServerEndpoint;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationServiceImpl;
import org.eclipse.leshan.server.registration.Deregistration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.device.RegistrationRows;
import dev.ferry.server.device.RegistryWriter;

/**
 * The LwM2M side of the server: a Leshan server with a plain CoAP and a CoAP-over-DTLS endpoint, secured by
 * {@link DeviceSecurityStore} and {@link ProvisionedOnlyAuthorizer}, reporting into the registry.
 */
public final class LwM2mService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LwM2mService.class);

    /**
     * PSK suites first with LwM2M's mandatory TLS_PSK_WITH_AES_128_CCM_8 (cheap handshakes for constrained
     * devices), then ECDHE-PSK for forward secrecy, then the certificate suites for RPK and X.509.
     */
    static final List<CipherSuite> CIPHER_SUITES = List.of(
            CipherSuite.TLS_PSK_WITH_AES_128_CCM_8,
            CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256,
            CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
            CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);

    private final LeshanServer server;
    private final DeviceSecurityStore securityStore;
    private final DeviceResources resources;
    private final HandshakeFailureRecorder handshakeRecorder;
    private final StatelessAnswers stateless;
    private final DurableRegistrationStore registrations;
    private final DtlsConnectionFile dtlsConnections;
    private final DeviceInfoReader infoReader;
    private final Predicate<X509Certificate> revoked;

    private LwM2mService(LeshanServer server, DeviceSecurityStore securityStore,
            HandshakeFailureRecorder handshakeRecorder, StatelessAnswers stateless, LifetimeRange lifetimes,
            DurableRegistrationStore registrations, DtlsConnectionFile dtlsConnections, DeviceInfoReader infoReader,
            Predicate<X509Certificate> revoked) {
        this.server = server;
        this.securityStore = securityStore;
        this.resources = new DeviceResources(server, lifetimes);
        this.handshakeRecorder = handshakeRecorder;
        this.stateless = stateless;
        this.registrations = registrations;
        this.dtlsConnections = dtlsConnections;
        this.infoReader = infoReader;
        this.revoked = revoked;
    }

    /**
     * @param trustedCertificates the CAs whose device certificates are trusted (the fleet CA among them)
     * @param revoked whether a device certificate is on the denylist; asked at every X.509 handshake, so it must
     *        answer from memory
     */
    public static LwM2mService create(FerryConfig config, DeviceSecurityStore securityStore, RegistryWriter writer,
            ServerIdentity identity, List<X509Certificate> trustedCertificates, Predicate<X509Certificate> revoked,
            ObjectModels models) {
        HandshakeFailureRecorder handshakeRecorder = new HandshakeFailureRecorder(writer, securityStore,
                config.handshakeStallLimit());
        StatelessAnswers stateless = new StatelessAnswers();
        CaliforniumServerEndpointsProvider.Builder endpoints = new CaliforniumServerEndpointsProvider.Builder(
                new CoapServerProtocolProvider(),
                new CoapsServerProtocolProvider());
        Configuration coapConfig = endpoints.createDefaultConfiguration();
        coapConfig.set(DtlsConfig.DTLS_CIPHER_SUITES, CIPHER_SUITES);
        // Block-wise transfers (firmware downloads, pushes) may use blocks up to this size.
        coapConfig.set(CoapConfig.PREFERRED_BLOCK_SIZE, config.coapMaxBlockSize());
        // Rotating maps instead of a periodic sweep over every remembered message: a fleet downloading
        // firmware block by block sends tens of thousands of messages per second.
        coapConfig.set(CoapConfig.DEDUPLICATOR, CoapConfig.DEDUPLICATOR_CROP_ROTATION);
        coapConfig.set(UdpConfig.UDP_RECEIVER_THREAD_COUNT, config.coapReceiverThreads());
        coapConfig.set(UdpConfig.UDP_RECEIVE_BUFFER_SIZE, config.coapSocketBufferBytes());
        coapConfig.set(UdpConfig.UDP_SEND_BUFFER_SIZE, config.coapSocketBufferBytes());
        endpoints.setConfiguration(coapConfig);
        endpoints.addEndpoint(new CoapServerEndpointFactory(EndpointUriUtil.createUri(Protocol.COAP.getUriScheme(),
                new InetSocketAddress(config.bindAddress(), config.coapPort()))) {
            @Override
            protected Connector createConnector(InetSocketAddress address, Configuration configuration) {
                return new DirectUdpConnector(address, configuration, stateless);
            }
        });
        endpoints.addEndpoint(new CoapsServerEndpointFactory(EndpointUriUtil.createUri(Protocol.COAPS.getUriScheme(),
                new InetSocketAddress(config.bindAddress(), config.coapsPort())), null, null,
                // A fixed label: Scandium's default names the configured port, which may be 0 (any free port).
                dtls -> dtls.setSessionListener(handshakeRecorder).setConnectionListener(handshakeRecorder.macErrors())
                        .setAdvancedCertificateVerifier(new RevocationCheckingVerifier(trustedCertificates, revoked))
                        .setSerializationLabel("ferry-coaps"), null) {
            @Override
            protected Connector createConnector(DtlsConnectorConfig dtlsConfig) {
                return new StatelessDtlsConnector(dtlsConfig, stateless);
            }
        });

        LeshanServerBuilder builder = new LeshanServerBuilder();
        builder.setEndpointsProviders(endpoints.build());
        DurableRegistrationStore registrations = new DurableRegistrationStore(
                config.expiryGrace().toSeconds());
        builder.setRegistrationStore(registrations);
        builder.setSecurityStore(securityStore);
        builder.setAuthorizer(new ProvisionedOnlyAuthorizer(securityStore, writer));
        builder.setLinkParser(new StrictLinkParser());
        builder.setObjectModelProvider(models);
        builder.setPrivateKey(identity.privateKey());
        builder.setCertificateChain(new X509Certificate[] { identity.certificate() });
        LeshanServer server = builder.build();
        processOnReceivingThreads(server);
        LifetimeRange lifetimes = config.lifetimeRange();
        RegistrationGate.install(server, new RegistrationChecks(lifetimes), writer);

        DeviceInfoReader infoReader = new DeviceInfoReader(writer, config.requestTimeout().toMillis(),
                config.readDeviceInfo());
        infoReader.attach(server);
        server.getRegistrationService().addListener(new RegistrationTracker(writer, infoReader));
        LwM2mService service = new LwM2mService(server, securityStore, handshakeRecorder, stateless,
                lifetimes, registrations, new DtlsConnectionFile(config.dataDir()), infoReader, revoked);
        if (service.coapEndpoint(Protocol.COAPS).getConnector() instanceof DTLSConnector dtls) {
            dtls.setAlertHandler(handshakeRecorder);
        }
        return service;
    }

    /**
     * Messages are processed by the thread that received them (see {@link CallerRunsScheduler}); each block of a
     * firmware download then costs no thread hand-off on the way in, and none on the way out for plain CoAP
     * ({@link DirectUdpConnector}).
     */
    private static void processOnReceivingThreads(LeshanServer server) {
        server.getEndpointsProvider().stream()
                .filter(CaliforniumServerEndpointsProvider.class::isInstance)
                .map(CaliforniumServerEndpointsProvider.class::cast)
                .forEach(provider -> provider.getCoapServer().setExecutors(
                        new CallerRunsScheduler(ExecutorsUtil.newScheduledThreadPool(2,
                                new DaemonThreadFactory("CoapServer(timers)#"))),
                        ExecutorsUtil.newDefaultSecondaryScheduler("CoapServer(secondary)#"), false));
    }

    /**
     * Loads registrations persisted before the last stop (see {@link DurableRegistrationStore}), before
     * {@link #start}.
     */
    public RegistrationRows.Restored restoreRegistrations(List<RegistrationRows.Row> rows) {
        Set<URI> endpoints = server.getEndpoints().stream().map(LwM2mServerEndpoint::getURI)
                .collect(Collectors.toSet());
        return registrations.restore(rows, endpoints);
    }

    /** Starts both endpoints, the DTLS one with the connections the last graceful stop saved. */
    public void start() {
        if (dtlsConnector() instanceof DTLSConnector dtls) {
            int restored = dtlsConnections.load(dtls);
            if (restored > 0) {
                LOG.info("Restored {} DTLS connection(s) saved at the last stop", restored);
            }
        }
        server.start();
        if (dtlsConnector() instanceof DTLSConnector dtls) {
            // A saved session would never meet the handshake's denylist check again.
            terminate(dtls, peer -> peer instanceof X509CertPath path && revoked.test(path.getTarget()));
        }
    }

    /** Registers the LwM2M side's meters: registrations, devices registered, DTLS handshakes, CoAP messages. */
    public void bindMeters(io.micrometer.core.instrument.MeterRegistry meters) {
        server.getRegistrationService().addListener(new LwM2mMeters(meters, handshakeRecorder,
                () -> server.getRegistrationService().getAllRegistrations()));
        LwM2mMeters.count(meters, coapEndpoint(Protocol.COAP), "coap");
        LwM2mMeters.count(meters, coapEndpoint(Protocol.COAPS), "coaps");
    }

    public LeshanServer leshan() {
        return server;
    }

    /**
     * Which of {@code candidates} a plain CoAP peer is: the device registered from that very address, else the only
     * candidate registered from the same host (a pull client uses a socket of its own); empty when it cannot be told,
     * as for devices behind one NAT. Map lookups only.
     */
    public java.util.Optional<String> deviceAt(java.net.InetSocketAddress address, java.util.List<String> candidates) {
        org.eclipse.leshan.server.registration.Registration exact = registrations.getRegistrationByAdress(address);
        if (exact != null) {
            return java.util.Optional.of(exact.getEndpoint());
        }
        java.util.List<String> fromHost = candidates.stream().filter(endpoint -> {
            org.eclipse.leshan.server.registration.Registration r = registrations.getRegistrationByEndpoint(endpoint);
            return r != null && address.getAddress().equals(r.getAddress());
        }).limit(2).toList();
        return fromHost.size() == 1 ? java.util.Optional.of(fromHost.get(0)) : java.util.Optional.empty();
    }

    public DeviceResources resources() {
        return resources;
    }

    /**
     * Lets both endpoints answer some requests without the CoAP stack (see {@link StatelessAnswers}); the function
     * returns null for requests it leaves to the stack. The request's source context carries the DTLS identity.
     */
    public void answerStatelessly(Function<Request, Response> answers) {
        stateless.use(answers);
    }

    /** Serves an extra CoAP resource (e.g. firmware downloads) on both LwM2M endpoints. */
    /**
     * Answers LwM2M Send only once the values are committed (see {@link DurableSendResource}); the ingest must
     * then give each Send's commit to the resource ({@link TelemetryIngest} does).
     */
    public void answerSendWhenStored() {
        server.getEndpointsProvider().stream()
                .filter(CaliforniumServerEndpointsProvider.class::isInstance)
                .map(CaliforniumServerEndpointsProvider.class::cast)
                .forEach(provider -> {
                    Resource root = provider.getCoapServer().getRoot();
                    if (root.getChild("dp") instanceof org.eclipse.californium.core.CoapResource leshans
                            && !(leshans instanceof DurableSendResource)) {
                        root.add(new DurableSendResource(leshans));
                    }
                });
    }

    public void addCoapResource(Resource resource) {
        server.getEndpointsProvider().stream()
                .filter(CaliforniumServerEndpointsProvider.class::isInstance)
                .map(CaliforniumServerEndpointsProvider.class::cast)
                .findFirst().orElseThrow(() -> new IllegalStateException("no Californium endpoints"))
                .getCoapServer().add(resource);
    }

    public InetSocketAddress coapAddress() {
        return coapEndpoint(Protocol.COAP).getAddress();
    }

    public InetSocketAddress coapsAddress() {
        return coapEndpoint(Protocol.COAPS).getAddress();
    }

    /** DTLS handshakes (full or abbreviated) completed since start; restored connections need none. */
    public long dtlsHandshakesCompleted() {
        return handshakeRecorder.completedHandshakes();
    }

    /** Null when both endpoints are up; otherwise which one is down. */
    public String downReason() {
        for (Protocol protocol : List.of(Protocol.COAP, Protocol.COAPS)) {
            CoapEndpoint endpoint = coapEndpoint(protocol);
            if (endpoint == null || !endpoint.isStarted()) {
                return protocol.getUriScheme() + " endpoint is not running";
            }
        }
        return null;
    }

    /**
     * Removes a deprovisioned device: forgets its credentials, drops its DTLS connections and ends its
     * registration (reported to registration listeners as a deregistration).
     */
    public void forget(String endpoint) {
        securityStore.remove(endpoint, true);
        endRegistration(endpoint);
    }

    /**
     * Ends the DTLS connections (and their resumable sessions) that authenticated with one of these certificates,
     * and then the device's registration if one of them carried it: a device whose certificate was revoked has to
     * handshake again, which the denylist refuses. Blocks until the connector has dropped them.
     */
    public void dropCertificateConnections(String endpoint, Set<BigInteger> serials) {
        if (!(dtlsConnector() instanceof DTLSConnector dtls)) {
            return;
        }
        if (terminate(dtls, peer -> peer instanceof X509CertPath path
                && serials.contains(path.getTarget().getSerialNumber())) > 0) {
            endRegistration(endpoint);
        }
    }

    /** Terminates the matching connections, removing their sessions too; returns how many matched. */
    private static int terminate(DTLSConnector dtls, Predicate<Principal> matches) {
        AtomicInteger matched = new AtomicInteger();
        Future<Void> done = dtls.startTerminateConnectionsForPrincipal((Filter<Principal>) peer -> {
            boolean match = peer != null && matches.test(peer);
            if (match) {
                matched.incrementAndGet();
            }
            return match;
        }, true);
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Dropping DTLS connections did not finish: {}", e.toString());
        }
        return matched.get();
    }

    private void endRegistration(String endpoint) {
        Registration registration = server.getRegistrationService().getByEndpoint(endpoint);
        if (registration != null && server.getRegistrationService() instanceof RegistrationServiceImpl service) {
            Deregistration removed = service.getStore().removeRegistration(registration.getId());
            if (removed != null) {
                service.fireUnregistered(removed.getRegistration(), removed.getObservations(), null);
            }
        }
    }

    private CoapEndpoint coapEndpoint(Protocol protocol) {
        LwM2mServerEndpoint endpoint = server.getEndpoint(protocol);
        return endpoint instanceof CaliforniumServerEndpoint cf ? cf.getCoapEndpoint() : null;
    }


    private Connector dtlsConnector() {
        CoapEndpoint coaps = coapEndpoint(Protocol.COAPS);
        return coaps == null ? null : coaps.getConnector();
    }

    /** Stops the endpoints, saves the DTLS connections for the next start, then frees everything. */
    @Override
    public void close() {
        server.stop();
        if (dtlsConnector() instanceof DTLSConnector dtls) {
            int saved = dtlsConnections.save(dtls);
            LOG.info("Saved {} DTLS connection(s) for the next start", saved);
        }
        server.destroy();
        infoReader.close();
        handshakeRecorder.close();
    }
}
