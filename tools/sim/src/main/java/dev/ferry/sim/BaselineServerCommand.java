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

    @Option(names = "--prefix", defaultValue = "bench", description = "Endpoint prefix of the benchmark devices")
    String prefix;

    @Override
    public Integer call() throws Exception {
        InMemorySecurityStore securityStore = new InMemorySecurityStore();
        for (int i = 0; i < devices; i++) {
            String endpoint = BenchKeys.endpoint(prefix, i);
            securityStore.add(SecurityInfo.newPreSharedKeyInfo(endpoint, endpoint, BenchKeys.psk(endpoint)));
        }
        CaliforniumServerEndpointsProvider.Builder endpoints = new CaliforniumServerEndpointsProvider.Builder(
                new CoapServerProtocolProvider(), new CoapsServerProtocolProvider());
        Configuration configuration = endpoints.createDefaultConfiguration();
        configuration.set(DtlsConfig.DTLS_CIPHER_SUITES, List.of(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8,
                CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256));
        endpoints.setConfiguration(configuration);
        endpoints.addEndpoint(new InetSocketAddress("127.0.0.1", coapPort), Protocol.COAP);
        endpoints.addEndpoint(new InetSocketAddress("127.0.0.1", coapsPort), Protocol.COAPS);
        LeshanServer server = new LeshanServerBuilder().setEndpointsProviders(endpoints.build())
                .setSecurityStore(securityStore).build();
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
}
