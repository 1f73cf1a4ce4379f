package dev.ferry.sim.download;

import dev.ferry.sim.link.SimDtlsConnector;
import dev.ferry.sim.link.SimLink;
import dev.ferry.sim.link.SimUdpConnector;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;

/**
 * Pulls a package over CoAP or CoAP/DTLS block by block (RFC 7959 Block2), asking for the block that holds
 * the resume offset first, the way Ferry's Zephyr module does. Each attempt opens its own endpoint (a new
 * socket, and for coaps a new DTLS session with the device's PSK), as the device opens a separate socket.
 * Transparent block-wise handling is off, so every block is one request the device controls.
 */
public final class CoapFetcher implements PackageFetcher {

    /** Timeouts of the pull endpoint; CoAP retransmits a block request {@code maxRetransmit} times. */
    public record Timeouts(Duration ackTimeout, int maxRetransmit) {
    }

    private final URI uri;
    private final int blockSize;
    private final String pskIdentity;
    private final byte[] pskKey;
    private final SimLink link;
    private final Configuration configuration;
    private final ScheduledExecutorService executor;

    /**
     * @param pskIdentity with {@code pskKey}, the device's credentials for a coaps URI; null for coap
     */
    public CoapFetcher(URI uri, int blockSize, String pskIdentity, byte[] pskKey, SimLink link, Timeouts timeouts,
            ScheduledExecutorService executor) {
        BlockOption.size2Szx(blockSize); // throws for a size CoAP does not have
        this.uri = uri;
        this.blockSize = blockSize;
        this.pskIdentity = pskIdentity;
        this.pskKey = pskKey == null ? null : pskKey.clone();
        this.link = link;
        this.executor = executor;
        this.configuration = configuration(timeouts);
    }

    private static Configuration configuration(Timeouts timeouts) {
        Configuration configuration = new Configuration(SystemConfig.DEFINITIONS, CoapConfig.DEFINITIONS,
                UdpConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        configuration.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 0); // every block is a request of ours
        configuration.set(CoapConfig.ACK_TIMEOUT, timeouts.ackTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        configuration.set(CoapConfig.MAX_RETRANSMIT, timeouts.maxRetransmit());
        configuration.set(CoapConfig.MID_TRACKER, CoapConfig.TrackerMode.NULL);
        configuration.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
        configuration.set(UdpConfig.UDP_RECEIVER_THREAD_COUNT, 1);
        configuration.set(UdpConfig.UDP_SENDER_THREAD_COUNT, 1);
        configuration.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        configuration.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        configuration.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 4);
        configuration.set(DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, timeouts.ackTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        configuration.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        configuration.set(DtlsConfig.DTLS_CIPHER_SUITES, List.of(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8));
        return configuration;
    }

    @Override
    public Transfer fetch(long offset, byte[] etag, FetchCallback callback) {
        CoapTransfer transfer = new CoapTransfer(callback);
        try {
            executor.execute(() -> transfer.start(offset));
        } catch (RejectedExecutionException closed) {
            transfer.cancel(); // the device's threads are gone
        }
        return transfer;
    }

    private CoapEndpoint openEndpoint() throws IOException {
        InetAddress server = InetAddress.getByName(uri.getHost());
        InetSocketAddress local = new InetSocketAddress(
                server.isLoopbackAddress() ? InetAddress.getLoopbackAddress() : null, 0);
        Connector connector;
        if ("coaps".equals(uri.getScheme())) {
            DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(configuration)
                    .setAddress(local)
                    .setAdvancedPskStore(new AdvancedSinglePskStore(pskIdentity, pskKey))
                    .build();
            connector = new SimDtlsConnector(dtls, link);
        } else {
            connector = new SimUdpConnector(local, configuration, link);
        }
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConnector(connector).setConfiguration(configuration)
                .setLoggingTag("[pull " + uri + "]").build();
        endpoint.setExecutors(executor, executor);
        endpoint.start();
        return endpoint;
    }

    private final class CoapTransfer implements Transfer {
        private final FetchCallback callback;
        private volatile boolean over;
        private CoapEndpoint endpoint;
        private byte[] firstEtag;
        private boolean first = true;

        CoapTransfer(FetchCallback callback) {
            this.callback = callback;
        }

        void start(long offset) {
            try {
                synchronized (this) {
                    if (over) {
                        return;
                    }
                    endpoint = openEndpoint();
                }
            } catch (IOException | RuntimeException e) {
                fail(FetchFailure.CONNECTION_LOST, "cannot open a " + uri.getScheme() + " endpoint: " + e);
                return;
            }
            request((int) (offset / blockSize), BlockOption.size2Szx(blockSize));
        }

        private void request(int num, int szx) {
            Request get = Request.newGet();
            get.setURI(uri);
            get.getOptions().setBlock2(szx, false, num);
            get.addMessageObserver(new MessageObserverAdapter() {
                @Override
                public void onResponse(Response response) {
                    handle(response);
                }

                @Override
                protected void failed() {
                    fail(FetchFailure.CONNECTION_LOST, "block " + num + " of " + uri + ": no answer"
                            + (get.getSendError() == null ? "" : " (" + get.getSendError().getMessage() + ")"));
                }
            });
            CoapEndpoint current = endpoint;
            if (!over && current != null) {
                current.sendRequest(get);
            }
        }

        private void handle(Response response) {
            if (over) {
                return;
            }
            if (response.getCode() == ResponseCode.NOT_FOUND) {
                fail(FetchFailure.NOT_FOUND, uri + " answered 4.04 Not Found");
                return;
            }
            if (response.getCode() != ResponseCode.CONTENT) {
                // A server error may pass: resumed like a lost connection. Anything else is a refusal.
                fail(response.getCode().isServerError() ? FetchFailure.CONNECTION_LOST
                        : FetchFailure.REFUSED, uri + " answered " + response.getCode() + " "
                        + response.getPayloadString());
                return;
            }
            List<byte[]> etags = response.getOptions().getETags();
            byte[] etag = etags.isEmpty() ? null : etags.get(0);
            BlockOption block = response.getOptions().getBlock2();
            byte[] payload = response.getPayload();
            long offset = block == null ? 0 : block.getOffset();
            if (first) {
                first = false;
                firstEtag = etag;
                long total = response.getOptions().hasSize2() ? response.getOptions().getSize2()
                        : block == null ? payload.length : -1;
                if (!callback.started(etag, total, offset)) {
                    stop();
                    return;
                }
            } else if (!Arrays.equals(etag, firstEtag)) {
                fail(FetchFailure.PACKAGE_CHANGED, uri + " changed its ETag during the transfer");
                return;
            }
            if (!callback.data(offset, payload)) {
                stop();
                return;
            }
            if (block == null || !block.isM()) {
                if (finish()) {
                    callback.completed();
                }
                return;
            }
            int next = (int) ((offset + payload.length) / block.getSize());
            request(next, block.getSzx());
        }

        private void fail(FetchFailure failure, String detail) {
            if (finish()) {
                callback.failed(failure, detail);
            }
        }

        /** Ends the attempt once; true for the caller that ended it. */
        private boolean finish() {
            CoapEndpoint toClose;
            synchronized (this) {
                if (over) {
                    return false;
                }
                over = true;
                toClose = endpoint;
            }
            if (toClose != null) {
                try {
                    executor.execute(toClose::destroy); // not on the endpoint's own thread
                } catch (RejectedExecutionException closed) {
                    toClose.destroy();
                }
            }
            return true;
        }

        private void stop() {
            finish();
        }

        @Override
        public void cancel() {
            finish();
        }
    }
}
