package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Option;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.interceptors.MessageInterceptorAdapter;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.server.config.Setting;
import dev.ferry.server.firmware.BlobStore;
import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

/** Published images downloaded by real clients: Californium over CoAP and CoAPS, libcoap, and HTTP. */
class DistributionTest {
    static final byte[] PSK = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
    static TestServer server;
    static byte[] image;
    static String sha256;
    static String unpublishedSha256;
    static long imageId;

    @BeforeAll
    static void publishAnImage() {
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
        // HTTP downloads open to anyone, to test their HTTP semantics on their own; DownloadTokenTest tests the tokens.
        server = TestServer.givenServer().with(Setting.DISTRIBUTION_PUBLIC_HTTP, "true").start();
        ImageSigningKey key = Images.newKey();
        server.post("/api/v1/signing-keys", new JsonObject().put("name", "release").put("publicKey",
                Images.publicPem(key)).encode());
        image = Images.signed("3.1.0", 256 * 1024 - 0x200 - 300, key);
        sha256 = BlobStore.sha256Hex(image);
        imageId = server.uploadFirmware("thermo-2", image).json().getLong("id");
        assertThat(server.post("/api/v1/firmware/" + imageId + "/publish", null).status()).isEqualTo(200);
        byte[] unpublished = Images.signed("3.2.0", 1000, key);
        unpublishedSha256 = BlobStore.sha256Hex(unpublished);
        assertThat(server.uploadFirmware("thermo-2", unpublished).status()).isEqualTo(201);
        assertThat(server.post("/api/v1/devices", new JsonObject().put("endpoint", "downloader")
                .put("security", new JsonObject().put("mode", "psk").put("identity", "downloader")
                        .put("key", HexFormat.of().formatHex(PSK))).encode()).status()).isEqualTo(201);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @ParameterizedTest(name = "{0}-byte blocks")
    @ValueSource(ints = { 16, 256, 512, 1024 })
    void a_coap_client_downloads_the_image_block_wise_at_the_block_size_it_asks_for(int blockSize)
            throws Exception {
        CoapEndpoint endpoint = plainEndpoint();
        List<Response> blocks = new CopyOnWriteArrayList<>();
        endpoint.addInterceptor(new MessageInterceptorAdapter() {
            @Override
            public void receiveResponse(Response response) {
                blocks.add(response);
            }
        });
        CoapClient client = coapClient(server.coapUri(), endpoint);
        try {
            Request get = Request.newGet();
            get.getOptions().setBlock2(BlockOption.size2Szx(blockSize), false, 0);

            CoapResponse whole = client.advanced(get);

            assertThat(whole.getCode()).isEqualTo(ResponseCode.CONTENT);
            assertThat(BlobStore.sha256Hex(whole.getPayload())).isEqualTo(sha256);
            assertThat(blocks).hasSize((image.length + blockSize - 1) / blockSize);
            Response first = blocks.get(0);
            assertThat(first.getPayload()).hasSize(blockSize);
            assertThat(first.getOptions().getBlock2().isM()).isTrue();
            assertThat(first.getOptions().getSize2()).isEqualTo(image.length);
            assertThat(first.getOptions().getETags()).containsExactly(HexFormat.of().parseHex(sha256.substring(0, 16)));
            assertThat(blocks).allSatisfy(block -> assertThat(block.getOptions().getBlock2().getSize())
                    .isEqualTo(blockSize));
        } finally {
            shutDown(client);
        }
    }

    @Test
    void an_interrupted_coap_download_resumes_from_the_block_it_stopped_at() throws Exception {
        int blockSize = 512;
        int blocks = (image.length + blockSize - 1) / blockSize;
        int stoppedAt = blocks / 2 + 3;
        CoapClient client = coapClient(server.coapUri(), plainEndpoint());
        try {
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            received.write(image, 0, stoppedAt * blockSize); // what the device had written before it lost power
            for (int num = stoppedAt; num < blocks; num++) {
                CoapResponse block = client.advanced(blockRequest(num, blockSize));
                assertThat(block.getCode()).isEqualTo(ResponseCode.CONTENT);
                assertThat(block.getOptions().getBlock2().getNum()).isEqualTo(num);
                assertThat(block.getOptions().getBlock2().isM()).isEqualTo(num < blocks - 1);
                received.write(block.getPayload());
            }
            assertThat(received.toByteArray()).isEqualTo(image);

            CoapResponse pastTheEnd = client.advanced(blockRequest(blocks, blockSize));
            assertThat(pastTheEnd.getCode()).isEqualTo(ResponseCode.BAD_OPTION);
        } finally {
            shutDown(client);
        }
    }

    @Test
    void a_repeated_confirmable_block_request_is_answered_again_with_the_same_block() throws Exception {
        try (DatagramSocket device = rawSocket()) {
            Request get = confirmableBlockRequest(7, 256, 4242, new byte[] { 1, 2, 3, 4 });

            Response first = exchangeDatagram(device, get);
            Response repeated = exchangeDatagram(device, get);

            for (Response answer : List.of(first, repeated)) {
                assertThat(answer.getType()).isEqualTo(CoAP.Type.ACK);
                assertThat(answer.getMID()).isEqualTo(4242);
                assertThat(answer.getTokenString()).isEqualTo("01020304");
                assertThat(answer.getCode()).isEqualTo(ResponseCode.CONTENT);
                assertThat(answer.getOptions().getBlock2().getNum()).isEqualTo(7);
                assertThat(answer.getPayload()).isEqualTo(Arrays.copyOfRange(image, 7 * 256, 8 * 256));
            }
        }
    }

    @Test
    void a_block_request_with_an_unknown_critical_option_is_refused_not_served() throws Exception {
        try (DatagramSocket device = rawSocket()) {
            Request get = confirmableBlockRequest(0, 256, 4343, new byte[] { 5, 6 });
            get.getOptions().addOption(new Option(65001, new byte[] { 1 })); // odd number: critical, unknown

            Response answer = exchangeDatagram(device, get);

            assertThat(answer.getMID()).isEqualTo(4343);
            assertThat(answer.getCode()).isEqualTo(ResponseCode.BAD_OPTION);
        }
    }

    @Test
    void requests_other_than_get_under_fw_still_reach_the_coap_stack() throws Exception {
        CoapClient client = new CoapClient(server.coapUri() + "/fw/" + sha256);
        client.setEndpoint(plainEndpoint());
        try {
            CoapResponse response = client.post(new byte[] { 1 }, 0);
            assertThat(response.getCode()).isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
        } finally {
            shutDown(client);
        }
    }

    @Test
    void over_coaps_a_device_downloads_only_the_image_its_unfinished_update_installs() throws Exception {
        CoapClient client = coapClient(server.coapsUri(), pskEndpoint("downloader", PSK));
        try {
            CoapResponse unassigned = client.advanced(Request.newGet());
            assertThat(unassigned).as("response over DTLS").isNotNull();
            assertThat(unassigned.getCode()).as("before any update").isEqualTo(ResponseCode.FORBIDDEN);

            TestServer.Reply update = server.post("/api/v1/devices/downloader/updates", new JsonObject()
                    .put("firmwareId", imageId).put("delivery", "pull-coaps").put("allowModelMismatch", true)
                    .encode()); // the raw client reports no model
            assertThat(update.status()).isEqualTo(201);
            CoapResponse whole = client.advanced(Request.newGet());
            assertThat(whole.getCode()).isEqualTo(ResponseCode.CONTENT);
            assertThat(BlobStore.sha256Hex(whole.getPayload())).isEqualTo(sha256);

            long sessionId = update.json().getLong("id");
            assertThat(server.post("/api/v1/devices/downloader/updates/" + sessionId + "/cancel", null).status())
                    .isEqualTo(200);
            assertThat(client.advanced(Request.newGet()).getCode()).as("after the update was cancelled")
                    .isEqualTo(ResponseCode.FORBIDDEN);
        } finally {
            shutDown(client);
        }
    }

    @Test
    void unpublished_and_unknown_images_are_not_found_over_coap() throws Exception {
        for (String path : new String[] { "/fw/" + unpublishedSha256, "/fw/" + "0".repeat(64), "/fw/not-a-hash" }) {
            CoapClient client = new CoapClient(server.coapUri() + path);
            client.setEndpoint(plainEndpoint());
            try {
                CoapResponse response = client.get();
                assertThat(response.getCode()).as(path).isEqualTo(ResponseCode.NOT_FOUND);
            } finally {
                shutDown(client);
            }
        }
    }

    @Test
    void libcoap_coap_client_downloads_the_same_bytes() throws Exception {
        Path coapClient = Path.of("/usr/bin/coap-client-notls");
        assumeTrue(Files.isExecutable(coapClient), "skipped: libcoap's coap-client is not installed"
                + " (Debian package libcoap3-bin; tools/test-all installs it)");
        Path out = Files.createTempFile("ferry-coap-client-", ".bin");
        try {
            Process process = new ProcessBuilder(coapClient.toString(), "-m", "get", "-b", "1024", "-o",
                    out.toString(), server.coapUri() + "/fw/" + sha256).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            assertThat(BlobStore.sha256Hex(Files.readAllBytes(out))).isEqualTo(sha256);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void http_serves_the_image_with_its_etag_and_length() {
        HttpResponse<byte[]> response = server.download("/fw/" + sha256);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(image);
        assertThat(response.headers().firstValue("etag")).hasValue("\"" + sha256 + "\"");
        assertThat(response.headers().firstValue("content-length")).hasValue(Integer.toString(image.length));
        assertThat(response.headers().firstValue("accept-ranges")).hasValue("bytes");
        assertThat(server.download("/fw/" + sha256, "if-none-match", "\"" + sha256 + "\"").statusCode())
                .isEqualTo(304);
    }

    @Test
    void http_resumes_with_a_range_request() {
        int from = 100_000;
        HttpResponse<byte[]> rest = server.download("/fw/" + sha256, "range", "bytes=" + from + "-", "if-range",
                "\"" + sha256 + "\"");

        assertThat(rest.statusCode()).isEqualTo(206);
        assertThat(rest.headers().firstValue("content-range"))
                .hasValue("bytes " + from + "-" + (image.length - 1) + "/" + image.length);
        assertThat(rest.body()).isEqualTo(Arrays.copyOfRange(image, from, image.length));

        HttpResponse<byte[]> tail = server.download("/fw/" + sha256, "range", "bytes=-10");
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(image, image.length - 10, image.length));

        HttpResponse<byte[]> stale = server.download("/fw/" + sha256, "range", "bytes=10-", "if-range", "\"other\"");
        assertThat(stale.statusCode()).as("If-Range with another ETag gets the whole image").isEqualTo(200);

        HttpResponse<byte[]> outside = server.download("/fw/" + sha256, "range", "bytes=" + image.length + "-");
        assertThat(outside.statusCode()).isEqualTo(416);
        assertThat(outside.headers().firstValue("content-range")).hasValue("bytes */" + image.length);
    }

    @Test
    void http_does_not_serve_unpublished_images() {
        HttpResponse<byte[]> response = server.download("/fw/" + unpublishedSha256);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
    }

    private static DatagramSocket rawSocket() throws Exception {
        DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        socket.setSoTimeout(5000);
        return socket;
    }

    private static Request confirmableBlockRequest(int num, int blockSize, int mid, byte[] token) {
        Request get = blockRequest(num, blockSize);
        get.setMID(mid);
        get.setToken(token);
        return get;
    }

    /** Sends one CoAP message as a raw datagram and parses the datagram that answers it. */
    private static Response exchangeDatagram(DatagramSocket socket, Request request) throws Exception {
        RawData raw = new UdpDataSerializer().serializeRequest(request);
        socket.send(new DatagramPacket(raw.getBytes(), raw.getSize(), raw.getInetSocketAddress()));
        DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
        socket.receive(answer);
        return (Response) new UdpDataParser().parseMessage(Arrays.copyOf(answer.getData(), answer.getLength()));
    }

    private static Request blockRequest(int num, int blockSize) {
        Request request = Request.newGet();
        request.setURI(server.coapUri() + "/fw/" + sha256);
        request.getOptions().setBlock2(BlockOption.size2Szx(blockSize), false, num);
        return request;
    }

    private static CoapClient coapClient(String base, CoapEndpoint endpoint) {
        CoapClient client = new CoapClient(base + "/fw/" + sha256);
        client.setEndpoint(endpoint);
        client.setTimeout(20_000L);
        return client;
    }

    /** Shuts down the client and its endpoint: {@link CoapClient#shutdown()} leaves a given endpoint running. */
    private static void shutDown(CoapClient client) {
        client.shutdown();
        client.getEndpoint().destroy();
    }

    private static Configuration clientConfiguration() {
        Configuration config = Configuration.createStandardWithoutFile();
        config.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 4 * 1024 * 1024);
        config.set(CoapConfig.PREFERRED_BLOCK_SIZE, 1024);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        return config;
    }

    private static CoapEndpoint plainEndpoint() {
        return new CoapEndpoint.Builder().setConfiguration(clientConfiguration())
                .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    }

    private static CoapEndpoint pskEndpoint(String identity, byte[] key) {
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(clientConfiguration())
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setAdvancedPskStore(new AdvancedSinglePskStore(identity, key)).build();
        return new CoapEndpoint.Builder().setConfiguration(clientConfiguration())
                .setConnector(new DTLSConnector(dtls)).build();
    }

}
