package dev.ferry.sim;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.LeshanServerBuilder;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpointsProvider;
import org.eclipse.leshan.server.californium.endpoint.coap.CoapServerProtocolProvider;
import org.eclipse.leshan.server.californium.endpoint.coaps.CoapsServerProtocolProvider;
import org.eclipse.leshan.server.security.InMemorySecurityStore;
import org.eclipse.leshan.server.security.NonUniqueSecurityInfoException;
import org.eclipse.leshan.server.security.SecurityInfo;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A plain Leshan server with in-memory stores: the reference the registration benchmark compares with. */
@Command(name = "baseline-server", mixinStandardHelpOptions = true,
        description = "Run a plain leshan-server-cf (in-memory stores) for comparison.")
final class BaselineServerCommand implements Callable<Integer> {
    @Option(names = "--coap-port", defaultValue = "25683")
    int coapPort;

    @Option(names = "--coaps-port", defaultValue = "25684")
    int coapsPort;

    @Option(names = "--devices", defaultValue = "0", description = "Pre-load PSKs of this many benchmark devices")
    int devices;

    @Option(names = "--warmup", defaultValue = "1000", description = "Pre-load PSKs of this many warm-up devices"
            + " (<prefix>-warm-<i>, as ferry-sim bench --warmup names them; default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--prefix", defaultValue = "bench", description = "Endpoint prefix of the benchmark devices")
    String prefix;

    @Override
    public Integer call() throws Exception {
        LeshanServer server = create(coapPort, coapsPort, prefix, devices, warmup);
        server.start();
        System.out.printf("baseline Leshan server pid %d on coap://127.0.0.1:%d and coaps://127.0.0.1:%d%n",
                ProcessHandle.current().pid(), coapPort, coapsPort);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.destroy();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /**
     * The plain Leshan server on 127.0.0.1 (port 0: any free one), knowing the PSKs of {@code devices} benchmark
     * devices and {@code warmup} warm-up devices; not started.
     */
    static LeshanServer create(int coapPort, int coapsPort, String prefix, int devices, int warmup)
            throws NonUniqueSecurityInfoException {
        InMemorySecurityStore securityStore = new InMemorySecurityStore();
        addPsks(securityStore, prefix, devices);
        addPsks(securityStore, prefix + "-warm", warmup);
        CaliforniumServerEndpointsProvider.Builder endpoints = new CaliforniumServerEndpointsProvider.Builder(
                new CoapServerProtocolProvider(), new CoapsServerProtocolProvider());
        Configuration configuration = endpoints.createDefaultConfiguration();
        configuration.set(DtlsConfig.DTLS_CIPHER_SUITES, List.of(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8,
                CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256));
        endpoints.setConfiguration(configuration);
        endpoints.addEndpoint(new InetSocketAddress("127.0.0.1", coapPort), Protocol.COAP);
        endpoints.addEndpoint(new InetSocketAddress("127.0.0.1", coapsPort), Protocol.COAPS);
        return new LeshanServerBuilder().setEndpointsProviders(endpoints.build()).setSecurityStore(securityStore)
                .build();
    }

    private static void addPsks(InMemorySecurityStore store, String prefix, int count)
            throws NonUniqueSecurityInfoException {
        for (int i = 0; i < count; i++) {
            String endpoint = BenchKeys.endpoint(prefix, i);
            store.add(SecurityInfo.newPreSharedKeyInfo(endpoint, endpoint, BenchKeys.psk(endpoint)));
        }
    }
}
