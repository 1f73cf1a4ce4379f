package dev.ferry.sim.load;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.MessageCallback;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.DTLSContext;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.SessionAdapter;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;

/**
 * DTLS-PSK for every endpoint through ONE Scandium client connector. Each endpoint's peer in the connector's
 * connection store is a virtual address, the endpoint's own local address: the records the connector sends
 * to that address go out of the endpoint's channel to the real server, and what the channel receives is fed
 * to the connector as coming from that address. Handshakes, retransmitted flights, record layer and sessions
 * are Scandium's; only the sockets are the load generator's.
 */
final class DtlsTransport implements Transport {
    private final Map<SocketAddress, LoadEndpoint> endpoints = new ConcurrentHashMap<>();
    private final Map<CipherSuite, LongAdder> suites = new ConcurrentHashMap<>();
    private final LongAdder handshakes = new LongAdder();
    private final LongAdder failedHandshakes = new LongAdder();
    private final LongAdder retransmittedFlights = new LongAdder();
    private final DTLSConnector connector;

    DtlsTransport(int connections, int threads, List<CipherSuite> cipherSuites) {
        Configuration configuration = new Configuration(DtlsConfig.DEFINITIONS);
        configuration.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        configuration.set(DtlsConfig.DTLS_CIPHER_SUITES, cipherSuites);
        configuration.set(DtlsConfig.DTLS_MAX_CONNECTIONS, Math.max(connections, 16));
        configuration.set(DtlsConfig.DTLS_STALE_CONNECTION_THRESHOLD, 24, TimeUnit.HOURS);
        // no thread reads the connector's own socket: the endpoints' channels bring the datagrams
        configuration.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 0);
        configuration.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, threads);
        configuration.set(DtlsConfig.DTLS_MAX_TRANSMISSION_UNIT, 1280);
        int jobs = Math.max(2 * connections, DtlsConfig.DEFAULT_MAX_PENDING_OUTBOUND_JOBS);
        configuration.set(DtlsConfig.DTLS_MAX_PENDING_OUTBOUND_JOBS, jobs);
        configuration.set(DtlsConfig.DTLS_MAX_PENDING_INBOUND_JOBS, jobs);
        configuration.set(DtlsConfig.DTLS_MAX_PENDING_HANDSHAKE_RESULT_JOBS, jobs);
        DtlsConnectorConfig config = DtlsConnectorConfig.builder(configuration)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setAdvancedPskStore(new EndpointPsks(endpoints))
                .setSessionListener(new SessionAdapter() {
                    @Override
                    public void contextEstablished(Handshaker handshaker, DTLSContext context) {
                        handshakes.increment();
                        suites.computeIfAbsent(context.getSession().getCipherSuite(), s -> new LongAdder())
                                .increment();
                    }

                    @Override
                    public void handshakeFailed(Handshaker handshaker, Throwable error) {
                        failedHandshakes.increment();
                    }

                    @Override
                    public void handshakeFlightRetransmitted(Handshaker handshaker, int flight) {
                        retransmittedFlights.increment();
                    }
                })
                .build();
        connector = new Tunnel(config);
        connector.setRawDataReceiver(this::decrypted);
    }

    /** The connector, with its network side rerouted through the endpoints' channels. */
    private final class Tunnel extends DTLSConnector {
        Tunnel(DtlsConnectorConfig config) {
            super(config);
        }

        @Override
        protected void sendNextDatagramOverNetwork(DatagramPacket datagram) throws IOException {
            LoadEndpoint endpoint = endpoints.get(datagram.getSocketAddress());
            if (endpoint == null) {
                throw new IOException("no load endpoint at " + datagram.getSocketAddress());
            }
            endpoint.sendDatagram(datagram.getData(), datagram.getOffset(), datagram.getLength());
        }
    }

    @Override
    public void start() throws IOException {
        connector.start();
    }

    @Override
    public void opened(LoadEndpoint endpoint) {
        endpoints.put(endpoint.localAddress(), endpoint);
    }

    @Override
    public void send(LoadEndpoint endpoint, byte[] coap, Runnable sent, Consumer<Throwable> failed) {
        EventLoop loop = endpoint.loop();
        RawData message = RawData.outbound(coap, new AddressEndpointContext(endpoint.localAddress()),
                new MessageCallback() {
                    @Override
                    public void onConnecting() {
                    }

                    @Override
                    public void onDtlsRetransmission(int flight) {
                    }

                    @Override
                    public void onContextEstablished(EndpointContext context) {
                    }

                    @Override
                    public void onSent() {
                        loop.execute(sent);
                    }

                    @Override
                    public void onError(Throwable error) {
                        loop.execute(() -> failed.accept(error));
                    }
                }, false);
        try {
            connector.send(message);
        } catch (RuntimeException e) {
            // e.g. "connection store is exhausted": the connector told the message's callback before throwing
        }
    }

    @Override
    public void received(LoadEndpoint endpoint, byte[] datagram) {
        connector.processDatagram(new DatagramPacket(datagram, datagram.length, endpoint.localAddress()));
    }

    private void decrypted(RawData data) {
        LoadEndpoint endpoint = endpoints.get(data.getInetSocketAddress());
        if (endpoint != null) {
            byte[] coap = data.getBytes();
            endpoint.loop().execute(() -> endpoint.coap(coap));
        }
    }

    @Override
    public void forgetSessions() {
        connector.clearConnectionState();
    }

    @Override
    public String name() {
        return "DTLS-PSK";
    }

    long handshakes() {
        return handshakes.sum();
    }

    long failedHandshakes() {
        return failedHandshakes.sum();
    }

    long retransmittedFlights() {
        return retransmittedFlights.sum();
    }

    /** Handshakes completed so far per negotiated cipher suite. */
    Map<String, Long> suites() {
        Map<String, Long> counts = new TreeMap<>();
        suites.forEach((suite, count) -> counts.put(suite.name(), count.sum()));
        return counts;
    }

    @Override
    public void close() {
        connector.destroy();
    }
}
