package dev.ferry.sim;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
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
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.request.RegisterRequest;

/**
 * One simulated device: a real Leshan LwM2M client with Object 3, registering over CoAP or CoAP/DTLS-PSK.
 * {@link #registered()} completes with the registration latency in nanoseconds.
 */
public final class SimulatedDevice {
    private static final StaticModel MODEL = new StaticModel(ObjectLoader.loadAllDefault());

    private final LeshanClient client;
    private final CompletableFuture<Long> registered = new CompletableFuture<>();

    /** {@code pskKey} null means plain CoAP. */
    public SimulatedDevice(String endpoint, String serverUri, String pskIdentity, byte[] pskKey, long lifetime,
            ScheduledExecutorService sharedExecutor) {
        ObjectsInitializer initializer = new ObjectsInitializer(MODEL);
        initializer.setInstancesForObject(LwM2mId.SECURITY, pskKey == null ? Security.noSec(serverUri, 1)
                : Security.psk(serverUri, 1, pskIdentity.getBytes(StandardCharsets.UTF_8), pskKey));
        initializer.setInstancesForObject(LwM2mId.SERVER, new Server(1, lifetime));
        initializer.setInstancesForObject(LwM2mId.DEVICE, new Device("Ferry Simulator", "sim-1", "SIM-" + endpoint));
        List<LwM2mObjectEnabler> enablers = new ArrayList<>(
                initializer.create(LwM2mId.SECURITY, LwM2mId.SERVER, LwM2mId.DEVICE));

        CaliforniumClientEndpointsProvider.Builder endpoints = new CaliforniumClientEndpointsProvider.Builder(
                new CoapClientProtocolProvider(), new CoapsClientProtocolProvider());
        Configuration configuration = endpoints.createDefaultConfiguration();
        // LwM2M's mandatory PSK suite: what constrained devices use.
        configuration.set(DtlsConfig.DTLS_CIPHER_SUITES, List.of(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8));
        endpoints.setConfiguration(configuration);
        endpoints.setClientAddress(InetAddress.getLoopbackAddress());

        LeshanClientBuilder builder = new LeshanClientBuilder(endpoint);
        builder.setObjects(enablers);
        builder.setEndpointsProviders(endpoints.build());
        if (sharedExecutor != null) {
            builder.setSharedExecutor(sharedExecutor);
        }
        client = builder.build();
        client.addObserver(new LwM2mClientObserverAdapter() {
            private volatile long started;

            @Override
            public void onRegistrationStarted(LwM2mServer server, RegisterRequest request) {
                if (started == 0) {
                    started = System.nanoTime();
                }
            }

            @Override
            public void onRegistrationSuccess(LwM2mServer server, RegisterRequest request, String registrationId) {
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

    public void stop(boolean deregister) {
        client.destroy(deregister);
    }
}
