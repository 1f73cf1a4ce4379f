package dev.ferry.server.bootstrap;

import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.leshan.core.endpoint.EndpointUriUtil;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.server.bootstrap.BootstrapFailureCause;
import org.eclipse.leshan.server.bootstrap.BootstrapSession;
import org.eclipse.leshan.server.bootstrap.DefaultBootstrapSessionManager;
import org.eclipse.leshan.server.bootstrap.LeshanBootstrapServer;
import org.eclipse.leshan.server.bootstrap.LeshanBootstrapServerBuilder;
import org.eclipse.leshan.server.bootstrap.endpoint.LwM2mBootstrapServerEndpoint;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.CaliforniumBootstrapServerEndpoint;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.CaliforniumBootstrapServerEndpointsProvider;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.coap.CoapBootstrapServerProtocolProvider;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.coaps.CoapsBootstrapServerEndpointFactory;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.coaps.CoapsBootstrapServerProtocolProvider;
import org.eclipse.leshan.server.model.StandardBootstrapModelProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.ca.DeviceCertificates;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.device.ProvisioningService;
import dev.ferry.server.device.RegistryWriter;
import dev.ferry.server.device.SecurityMode;

/**
 * The LwM2M bootstrap server, in the same JVM as the LwM2M server: a plain CoAP and a CoAPS endpoint where
 * devices of a production batch exchange the batch's credential for one of their own (see {@link BootstrapTasks}).
 */
public final class BootstrapService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapService.class);
    /**
     * The suites of the LwM2M server, LwM2M's mandatory TLS_PSK_WITH_AES_128_CCM_8 first; the ECDSA ones for
     * batches whose bootstrap credential is a certificate.
     */
    static final List<CipherSuite> CIPHER_SUITES = List.of(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8,
            CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
            CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);

    /**
     * What the CoAPS endpoint shows and trusts for certificate handshakes: the server's own key and certificate
     * (those of the LwM2M server) and the fleet CA, whose batch certificates it accepts.
     */
    public record Certificates(PrivateKey serverKey, X509Certificate serverCertificate, DeviceCertificates ca) {
    }

    /** Where the bootstrap server listens and where it sends devices. */
    public record Settings(String bindAddress, int coapPort, int coapsPort, String publicHost, int lifetimeSeconds,
            IntSupplier lwm2mCoapPort, IntSupplier lwm2mCoapsPort) {
    }

    private final LeshanBootstrapServer server;
    private final DeviceBootstrapper bootstrapper;
    private final BootstrapTasks tasks;

    private BootstrapService(LeshanBootstrapServer server, DeviceBootstrapper bootstrapper, BootstrapTasks tasks) {
        this.server = server;
        this.bootstrapper = bootstrapper;
        this.tasks = tasks;
    }

    /**
     * @param provisioned whether an endpoint is provisioned, from memory (the LwM2M server's security store)
     * @param registered whether an endpoint is registered right now, from memory
     */
    public static BootstrapService start(Settings settings, Certificates certificates, BatchService batches,
            ProvisioningService provisioning, DeviceRepository devices, RegistryWriter writer,
            Predicate<String> provisioned, Predicate<String> registered) {
        DeviceBootstrapper bootstrapper = new DeviceBootstrapper(provisioning, devices, batches.repository(), writer);
        String host = settings.publicHost().contains(":") && !settings.publicHost().startsWith("[")
                ? "[" + settings.publicHost() + "]" : settings.publicHost();
        BootstrapTasks tasks = new BootstrapTasks(batches.credentials(), bootstrapper,
                mode -> mode == SecurityMode.NONE ? "coap://" + host + ":" + settings.lwm2mCoapPort().getAsInt()
                        : "coaps://" + host + ":" + settings.lwm2mCoapsPort().getAsInt(),
                settings.lifetimeSeconds());

        var endpoints = new CaliforniumBootstrapServerEndpointsProvider.Builder(
                new CoapBootstrapServerProtocolProvider(), new CoapsBootstrapServerProtocolProvider());
        Configuration configuration = endpoints.createDefaultConfiguration();
        configuration.set(DtlsConfig.DTLS_CIPHER_SUITES, CIPHER_SUITES);
        endpoints.setConfiguration(configuration);
        endpoints.addEndpoint(new InetSocketAddress(settings.bindAddress(), settings.coapPort()), Protocol.COAP);
        BatchCertificateVerifier verifier = new BatchCertificateVerifier(certificates.ca().ca().certificate(),
                certificates.ca().revocations(), batches.credentials(), bootstrapper);
        endpoints.addEndpoint(new CoapsBootstrapServerEndpointFactory(EndpointUriUtil.createUri(
                Protocol.COAPS.getUriScheme(), new InetSocketAddress(settings.bindAddress(), settings.coapsPort())),
                null, null, dtls -> dtls.setAdvancedCertificateVerifier(verifier)
                        .setSerializationLabel("ferry-bootstrap-coaps"), null));

        LeshanBootstrapServerBuilder builder = new LeshanBootstrapServerBuilder();
        builder.setEndpointsProviders(endpoints.build());
        builder.setSecurityStore(batches.credentials());
        builder.setPrivateKey(certificates.serverKey());
        builder.setCertificateChain(new X509Certificate[] { certificates.serverCertificate() });
        builder.setBootstrapHandlerFactory(
                (sender, sessionManager, listener) -> new ResumingBootstrapHandler(sender, sessionManager, listener,
                        tasks));
        builder.setSessionManager(new SessionManager(tasks, new BatchAuthorizer(batches.credentials(), bootstrapper,
                new BatchAuthorizer.Fleet() {
                    @Override
                    public boolean provisioned(String endpoint) {
                        return provisioned.test(endpoint);
                    }

                    @Override
                    public boolean registered(String endpoint) {
                        return registered.test(endpoint);
                    }
                })));
        LeshanBootstrapServer server = builder.build();
        try {
            server.start();
        } catch (RuntimeException e) {
            server.destroy();
            bootstrapper.close();
            throw new IllegalStateException("bootstrap server cannot listen on " + settings.bindAddress() + " (UDP "
                    + settings.coapPort() + ", " + settings.coapsPort() + "): " + e.getMessage(), e);
        }
        return new BootstrapService(server, bootstrapper, tasks);
    }

    /** The manager Leshan drives sessions with: batches decide who may bootstrap, {@link BootstrapTasks} what. */
    private static final class SessionManager extends DefaultBootstrapSessionManager {
        private final BootstrapTasks tasks;

        SessionManager(BootstrapTasks tasks, BatchAuthorizer authorizer) {
            super(tasks, new StandardBootstrapModelProvider(), authorizer);
            this.tasks = tasks;
        }

        @Override
        public void end(BootstrapSession session) {
            tasks.ended(session);
            LOG.info("Bootstrap of {} finished; it registers with its own credential next", session.getEndpoint());
        }

        @Override
        public void failed(BootstrapSession session, BootstrapFailureCause cause) {
            tasks.ended(session);
            if (session.isAuthorized()) {
                LOG.info("Bootstrap of {} did not finish: {}", session.getEndpoint(), cause);
            }
        }
    }

    public InetSocketAddress coapAddress() {
        return address(Protocol.COAP);
    }

    public InetSocketAddress coapsAddress() {
        return address(Protocol.COAPS);
    }

    private InetSocketAddress address(Protocol protocol) {
        LwM2mBootstrapServerEndpoint endpoint = server.getEndpoint(protocol);
        return ((CaliforniumBootstrapServerEndpoint) endpoint).getCoapEndpoint().getAddress();
    }

    /** Bootstraps that had to wait for their provisioning (see {@link BootstrapTasks}), since start. */
    public long provisioningWaitRounds() {
        return tasks.waitRounds();
    }

    /** Stops the endpoints first (no new sessions), then the provisioning thread. */
    @Override
    public void close() {
        server.destroy();
        bootstrapper.close();
        LOG.info("Bootstrap server stopped; {} bootstrap(s) had to wait for their provisioning"
                + " since start", tasks.waitRounds());
    }
}
