package dev.ferry.sim;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.dtls.DTLSSession;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpoint;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.californium.endpoint.coap.CoapClientProtocolProvider;
import org.eclipse.leshan.client.californium.endpoint.coaps.CoapsClientProtocolProvider;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.client.resource.LwM2mObjectEnabler;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.request.BootstrapRequest;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.peer.IpPeer;
import org.eclipse.leshan.core.request.RegisterRequest;

/**
 * One simulated device: a real Leshan LwM2M client with Object 3, registering over CoAP or CoAP/DTLS-PSK.
 * {@link #registered()} completes with the registration latency in nanoseconds.
 */
public final class SimulatedDevice {
    private static final StaticModel MODEL = new StaticModel(ObjectLoader.loadAllDefault());

    /** LwM2M's mandatory PSK suite: what constrained devices use. */
    public static final List<CipherSuite> MANDATORY_PSK_SUITE = List.of(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);

    private final LeshanClient client;
    private final CompletableFuture<Long> registered = new CompletableFuture<>();
    private volatile LwM2mServer registeredWith;

    /** {@code pskKey} null means plain CoAP; a PSK client offers {@link #MANDATORY_PSK_SUITE}. */
    public SimulatedDevice(String endpoint, String serverUri, String pskIdentity, byte[] pskKey, long lifetime,
            ScheduledExecutorService sharedExecutor) {
        this(endpoint, serverUri, pskIdentity, pskKey, MANDATORY_PSK_SUITE, lifetime, sharedExecutor, null);
    }

    /**
     * {@code pskKey} null means plain CoAP; {@code cipherSuites} are offered in the DTLS handshake, in order.
     *
     * @param sharedExecutor runs the Leshan client's tasks, null for its own; a registration holds one of its
     *        threads until the server answers, so it needs a thread for each registration meant to be in flight
     * @param coapExecutor processes the client's CoAP messages and timers, null for threads of the client's own
     *        (three per client); never the {@code sharedExecutor}, whose threads wait for these messages
     */
    public SimulatedDevice(String endpoint, String serverUri, String pskIdentity, byte[] pskKey,
            List<CipherSuite> cipherSuites, long lifetime, ScheduledExecutorService sharedExecutor,
            ScheduledExecutorService coapExecutor) {
        this(endpoint, pskKey == null ? Security.noSec(serverUri, 1)
                : Security.psk(serverUri, 1, pskIdentity.getBytes(StandardCharsets.UTF_8), pskKey),
                new Server(1, lifetime), cipherSuites, sharedExecutor, coapExecutor);
    }

    /**
     * A device fresh from the factory: only a bootstrap server account with its production batch's PSK. It
     * bootstraps, then registers with what the bootstrap server wrote; {@link #registered()} then counts from the
     * start of the bootstrap.
     */
    public static SimulatedDevice bootstrapping(String endpoint, String bootstrapUri, String batchIdentity,
            byte[] batchKey, List<CipherSuite> cipherSuites, ScheduledExecutorService sharedExecutor,
            ScheduledExecutorService coapExecutor) {
        return new SimulatedDevice(endpoint, Security.pskBootstrap(bootstrapUri,
                batchIdentity.getBytes(StandardCharsets.UTF_8), batchKey), null, cipherSuites, sharedExecutor,
                coapExecutor);
    }

    /** {@code server} null: no Server instance, as before a bootstrap. */
    private SimulatedDevice(String endpoint, Security security, Server server, List<CipherSuite> cipherSuites,
            ScheduledExecutorService sharedExecutor, ScheduledExecutorService coapExecutor) {
        ObjectsInitializer initializer = new ObjectsInitializer(MODEL);
        initializer.setInstancesForObject(LwM2mId.SECURITY, security);
        if (server == null) {
            initializer.setClassForObject(LwM2mId.SERVER, Server.class);
        } else {
            initializer.setInstancesForObject(LwM2mId.SERVER, server);
        }
        initializer.setInstancesForObject(LwM2mId.DEVICE, new Device("Ferry Simulator", "sim-1", "SIM-" + endpoint));
        List<LwM2mObjectEnabler> enablers = new ArrayList<>(
                initializer.create(LwM2mId.SECURITY, LwM2mId.SERVER, LwM2mId.DEVICE));

        CaliforniumClientEndpointsProvider.Builder endpoints = new CaliforniumClientEndpointsProvider.Builder(
                new CoapClientProtocolProvider(), new CoapsClientProtocolProvider());
        Configuration configuration = endpoints.createDefaultConfiguration();
        configuration.set(DtlsConfig.DTLS_CIPHER_SUITES, cipherSuites);
        endpoints.setConfiguration(configuration);
        endpoints.setClientAddress(InetAddress.getLoopbackAddress());

        LeshanClientBuilder builder = new LeshanClientBuilder(endpoint);
        builder.setObjects(enablers);
        builder.setEndpointsProviders(endpoints.build());
        if (sharedExecutor != null) {
            builder.setSharedExecutor(sharedExecutor);
        }
        client = builder.build();
        if (coapExecutor != null) {
            // Leshan's client gives each CoAP server (one per client) three threads of its own, shared executor or
            // not; shared, a client keeps only its connector's threads, and thousands of clients fit under the
            // machine's thread limit.
            for (var provider : client.getEndpointsProvider()) {
                if (provider instanceof CaliforniumClientEndpointsProvider californium) {
                    californium.getCoapServer().setExecutors(coapExecutor, coapExecutor, true);
                }
            }
        }
        client.addObserver(new LwM2mClientObserverAdapter() {
            private volatile long started;

            @Override
            public void onBootstrapStarted(LwM2mServer server, BootstrapRequest request) {
                if (started == 0) {
                    started = System.nanoTime();
                }
            }

            @Override
            public void onBootstrapFailure(LwM2mServer server, BootstrapRequest request, ResponseCode code,
                    String errorMessage, Exception cause) {
                registered.completeExceptionally(new IllegalStateException("bootstrap of " + endpoint
                        + " refused: " + code + (errorMessage == null ? "" : " " + errorMessage)));
            }

            @Override
            public void onBootstrapTimeout(LwM2mServer server, BootstrapRequest request) {
                registered.completeExceptionally(new IllegalStateException("bootstrap of " + endpoint
                        + " timed out"));
            }

            @Override
            public void onRegistrationStarted(LwM2mServer server, RegisterRequest request) {
                if (started == 0) {
                    started = System.nanoTime();
                }
            }

            @Override
            public void onRegistrationSuccess(LwM2mServer server, RegisterRequest request, String registrationId) {
                registeredWith = server;
                registered.complete(System.nanoTime() - started);
            }

            @Override
            public void onRegistrationFailure(LwM2mServer server, RegisterRequest request, ResponseCode code,
                    String errorMessage, Exception cause) {
                registered.completeExceptionally(new IllegalStateException("registration of " + endpoint
                        + " refused: " + code + (errorMessage == null ? "" : " " + errorMessage)));
            }

            @Override
            public void onRegistrationTimeout(LwM2mServer server, RegisterRequest request) {
                registered.completeExceptionally(new IllegalStateException("registration of " + endpoint
                        + " timed out"));
            }
        });
    }

    public void start() {
        client.start();
    }

    public CompletableFuture<Long> registered() {
        return registered;
    }

    /**
     * The cipher suite of the DTLS session this device registered over, as its connector negotiated it; empty over
     * plain CoAP, before the registration, or once the session is gone.
     */
    public Optional<CipherSuite> negotiatedCipherSuite() {
        LwM2mServer server = registeredWith;
        if (server == null || !(client.getEndpoint(server) instanceof CaliforniumClientEndpoint endpoint)
                || !(endpoint.getCoapEndpoint().getConnector() instanceof DTLSConnector dtls)
                || !(server.getTransportData() instanceof IpPeer peer)) {
            return Optional.empty();
        }
        DTLSSession session = dtls.getSessionByAddress(peer.getSocketAddress());
        return session == null ? Optional.empty() : Optional.ofNullable(session.getCipherSuite());
    }

    public void stop(boolean deregister) {
        client.destroy(deregister);
    }
}
