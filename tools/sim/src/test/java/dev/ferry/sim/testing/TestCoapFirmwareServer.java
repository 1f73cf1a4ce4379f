package dev.ferry.sim.testing;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedMultiPskStore;

/**
 * Serves packages at {@code /fw/<sha256>} block by block (Block2 with Size2 and ETag, the block size the
 * client asks for), over CoAP and CoAP/DTLS-PSK, on loopback ephemeral ports: the part of Ferry's server
 * the device pulls from.
 */
public final class TestCoapFirmwareServer implements AutoCloseable {
    private final CoapServer server;
    private final CoapResource fw = new CoapResource("fw");
    private final CoapEndpoint plain;
    private final CoapEndpoint secure;
    private final AdvancedMultiPskStore psks = new AdvancedMultiPskStore();
    /** Block number and size of every request served, e.g. "3@256". */
    private final List<String> requests = new CopyOnWriteArrayList<>();

    public TestCoapFirmwareServer() {
        Configuration configuration = new Configuration(SystemConfig.DEFINITIONS, CoapConfig.DEFINITIONS,
                UdpConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        configuration.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 0); // the resource answers block requests itself
        configuration.set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY);
        configuration.set(DtlsConfig.DTLS_CIPHER_SUITES, List.of(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8));
        server = new CoapServer(configuration);
        plain = new CoapEndpoint.Builder().setConfiguration(configuration)
                .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(configuration)
                .setAddress(new InetSocketAddress("127.0.0.1", 0)).setAdvancedPskStore(psks).build();
        secure = new CoapEndpoint.Builder().setConfiguration(configuration)
                .setConnector(new DTLSConnector(dtls)).build();
        server.addEndpoint(plain);
        server.addEndpoint(secure);
        server.add(fw);
        server.start();
    }

    /** Serves {@code bytes}; returns the path {@code /fw/<sha256>}. */
    public String serve(byte[] bytes) {
        String name = sha256(bytes);
        fw.add(new PackageResource(name, bytes));
        return "/fw/" + name;
    }

    /** Serves {@code bytes} at an existing {@code path} from now on, with their own ETag: a changed package. */
    public void replace(String path, byte[] bytes) {
        PackageResource old = (PackageResource) fw.getChild(path.substring("/fw/".length()));
        old.bytes = bytes;
        old.etag = Arrays.copyOf(HexFormat.of().parseHex(sha256(bytes)), 8);
    }

    public void allowPsk(String identity, byte[] key) {
        psks.setKey(identity, key);
    }

    public String coapUri(String path) {
        return "coap://127.0.0.1:" + plain.getAddress().getPort() + path;
    }

    public String coapsUri(String path) {
        return "coaps://127.0.0.1:" + secure.getAddress().getPort() + path;
    }

    public List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.destroy();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private final class PackageResource extends CoapResource {
        private volatile byte[] bytes;
        private volatile byte[] etag;

        PackageResource(String name, byte[] bytes) {
            super(name);
            this.bytes = bytes;
            this.etag = Arrays.copyOf(HexFormat.of().parseHex(name), 8);
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            byte[] bytes = this.bytes;
            byte[] etag = this.etag;
            BlockOption asked = exchange.getRequestOptions().getBlock2();
            int szx = asked == null ? BlockOption.size2Szx(1024) : asked.getSzx();
            int size = BlockOption.szx2Size(szx);
            int num = asked == null ? 0 : asked.getNum();
            int from = num * size;
            requests.add(num + "@" + size);
            if (from > bytes.length) {
                exchange.respond(ResponseCode.BAD_OPTION, "block " + num + " is past the end");
                return;
            }
            int to = Math.min(from + size, bytes.length);
            Response response = new Response(ResponseCode.CONTENT);
            response.setPayload(Arrays.copyOfRange(bytes, from, to));
            response.getOptions().setBlock2(szx, to < bytes.length, num).addETag(etag).setSize2(bytes.length);
            exchange.respond(response);
        }
    }
}
