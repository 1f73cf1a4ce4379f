package dev.ferry.sim.device;

import dev.ferry.sim.link.LinkedClientProtocols;
import dev.ferry.sim.link.SimLink;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.engine.DefaultRegistrationEngineFactory;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.observer.LwM2mClientObserver;
import org.eclipse.leshan.client.resource.BaseInstanceEnablerFactory;
import org.eclipse.leshan.client.resource.LwM2mInstanceEnabler;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.StaticModel;

/** Builds the Leshan client a simulated device runs after each boot: objects 0, 1, 3 and 5. */
final class ClientFactory {
    private static final StaticModel MODEL = new StaticModel(ObjectLoader.loadDefault());
    /** Leshan retries a failed registration after this long (its default is 10 minutes). */
    private static final int REGISTRATION_RETRY_MS = 5_000;

    private static final BaseInstanceEnablerFactory NO_CREATE = new BaseInstanceEnablerFactory() {
        @Override
        public LwM2mInstanceEnabler create() {
            throw new UnsupportedOperationException("objects 3 and 5 have exactly one instance");
        }
    };

    private ClientFactory() {
    }

    static LeshanClient create(DeviceSettings settings, SimLink link, ScheduledExecutorService executor,
            DeviceObject deviceObject, FirmwareObject firmwareObject, LwM2mClientObserver observer) {
        String server = settings.serverUri().toString();
        ObjectsInitializer initializer = new ObjectsInitializer(MODEL);
        boolean secure = "coaps".equalsIgnoreCase(settings.serverUri().getScheme());
        initializer.setInstancesForObject(LwM2mId.SECURITY, !secure ? Security.noSec(server, 1)
                : Security.psk(server, 1, settings.pskIdentity().getBytes(StandardCharsets.UTF_8), settings.pskKey()));
        initializer.setInstancesForObject(LwM2mId.SERVER, new Server(1, settings.lifetimeSeconds()));
        initializer.setInstancesForObject(LwM2mId.DEVICE, deviceObject);
        initializer.setInstancesForObject(LwM2mId.FIRMWARE, firmwareObject);
        // Single-instance objects that exist from the start: nothing for a Create to make.
        initializer.setFactoryForObject(LwM2mId.DEVICE, NO_CREATE);
        initializer.setFactoryForObject(LwM2mId.FIRMWARE, NO_CREATE);

        CaliforniumClientEndpointsProvider.Builder endpoints = new CaliforniumClientEndpointsProvider.Builder(
                LinkedClientProtocols.coap(link), LinkedClientProtocols.coaps(link));
        Configuration configuration = endpoints.createDefaultConfiguration();
        // LwM2M's mandatory PSK suite: what constrained devices use.
        configuration.set(DtlsConfig.DTLS_CIPHER_SUITES, List.of(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8));
        // A pushed package arrives block-wise and is reassembled here before object 5 sees it.
        configuration.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, settings.slotSize() + 4096);
        configuration.set(CoapConfig.ACK_TIMEOUT, settings.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        configuration.set(DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, settings.ackTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        configuration.set(UdpConfig.UDP_RECEIVER_THREAD_COUNT, 1);
        configuration.set(UdpConfig.UDP_SENDER_THREAD_COUNT, 1);
        endpoints.setConfiguration(configuration);
        endpoints.setClientAddress(localAddressFor(settings.serverUri().getHost()));

        DefaultRegistrationEngineFactory engine = new DefaultRegistrationEngineFactory();
        engine.setQueueMode(settings.queueMode());
        engine.setRetryWaitingTimeInMs(REGISTRATION_RETRY_MS);
        if (settings.faults().isSleeping()) {
            engine.setCommunicationPeriod((int) settings.faults().sleepPeriod().toMillis());
        }

        LeshanClientBuilder builder = new LeshanClientBuilder(settings.endpoint());
        builder.setObjects(initializer.create(LwM2mId.SECURITY, LwM2mId.SERVER, LwM2mId.DEVICE, LwM2mId.FIRMWARE));
        builder.setEndpointsProviders(endpoints.build());
        builder.setRegistrationEngineFactory(engine);
        builder.setSharedExecutor(executor);
        LeshanClient client = builder.build();
        client.addObserver(observer);
        return client;
    }

    /** Loopback for a server on loopback; otherwise every interface. */
    static InetAddress localAddressFor(String host) {
        try {
            InetAddress server = InetAddress.getByName(host);
            return server.isLoopbackAddress() ? InetAddress.getLoopbackAddress() : null;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve the LwM2M server host '" + host + "'", e);
        }
    }
}
