package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.eclipse.californium.elements.RawData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.SecurityMode;
import dev.ferry.server.testing.Credentials;
import dev.ferry.server.testing.Fleet;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;

/**
 * Registrations and registration updates as raw CoAP datagrams from a device provisioned for plain CoAP, with the
 * lifetime range set to 60..3600 s: what the server refuses, with which code and reason, and what it accepts.
 */
class RegistrationInputTest {
    static final String DEVICE = "raw-1";
    static final byte[] OBJECTS = "</1/0>,</3/0>".getBytes(StandardCharsets.UTF_8);

    TestServer server;
    DatagramSocket device;
    ListAppender<ILoggingEvent> log;

    @BeforeEach
    void startServer() throws Exception {
        server = TestServer.givenServer().with(Setting.LWM2M_MIN_LIFETIME_SECONDS, "60")
                .with(Setting.LWM2M_MAX_LIFETIME_SECONDS, "3600").with(Setting.READ_DEVICE_INFO, "false").start();
        TestServer.Reply provisioned = server.post("/api/v1/devices",
                "{\"endpoint\":\"" + DEVICE + "\",\"security\":{\"mode\":\"none\"}}");
        assertThat(provisioned.status()).as(provisioned.body()).isEqualTo(201);
        device = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        device.setSoTimeout(5000);
        log = new ListAppender<>();
        log.start();
        rootLogger().addAppender(log);
    }

    @AfterEach
    void stop() {
        rootLogger().detachAppender(log);
        device.close();
        server.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "lt=abc", "lt=", "lt=1.5", "lt=99999999999999999999" })
    void a_registration_whose_lifetime_is_not_a_number_is_a_bad_request_with_the_reason(String lifetime)
            throws Exception {
        Response response = register("lwm2m=1.1", lifetime, "b=U");

        assertThat(response.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(response.getPayloadString()).isEqualTo(lifetime
                + ": the lifetime must be a whole number of seconds (60 to 3600 seconds)");
        assertThat(response.getOptions().hasContentFormat()).as("a diagnostic payload").isFalse();
        assertRefusalLoggedInOneLine(lifetime);
        assertRejectedAndOffline("registration refused: " + lifetime);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "b=XYZ", "b=Uq", "b=" })
    void a_registration_with_an_unknown_binding_mode_is_a_bad_request_with_the_reason(String binding)
            throws Exception {
        Response response = register("lwm2m=1.1", "lt=300", binding);

        assertThat(response.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(response.getPayloadString()).startsWith(binding).contains("use U, T, S or N");
        assertRefusalLoggedInOneLine(binding);
        assertRejectedAndOffline("registration refused: " + binding);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "lt=0", "lt=-5" })
    void a_registration_with_a_lifetime_of_zero_or_below_is_a_bad_request(String lifetime) throws Exception {
        Response response = register("lwm2m=1.1", lifetime, "b=U");

        assertThat(response.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(response.getPayloadString()).startsWith(lifetime + ": a lifetime must be a positive number of"
                + " seconds, got " + lifetime.substring(3) + "; this server accepts 60 to 3600 seconds");
        assertRejectedAndOffline("registration refused: " + lifetime);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "lt=59", "lt=3601" })
    void a_registration_with_a_lifetime_outside_the_configured_range_is_a_bad_request(String lifetime)
            throws Exception {
        Response response = register("lwm2m=1.1", lifetime, "b=U");

        assertThat(response.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(response.getPayloadString()).isEqualTo(lifetime + ": a lifetime of " + lifetime.substring(3)
                + " s is outside the range this server accepts: 60 to 3600 seconds");
        assertRejectedAndOffline("registration refused: " + lifetime);
    }

    @Test
    void a_registration_with_an_unsupported_lwm2m_version_is_refused_as_precondition_failed() throws Exception {
        Response response = register("lwm2m=9.9", "lt=300", "b=U");

        assertThat(response.getCode()).isEqualTo(ResponseCode.PRECONDITION_FAILED);
        assertThat(response.getPayloadString())
                .isEqualTo("LwM2M version 9.9 is not supported; this server supports 1.0, 1.1 and 1.2");
        assertRejectedAndOffline("registration refused: LwM2M version 9.9 is not supported");
    }

    @Test
    void a_malformed_lwm2m_version_is_a_bad_request() throws Exception {
        Response response = register("lwm2m=one", "lt=300", "b=U");

        assertThat(response.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(response.getPayloadString()).startsWith("lwm2m=one: version (one) MUST be composed of 2 parts");
    }

    @Test
    void an_object_list_with_a_number_out_of_range_is_a_bad_request() throws Exception {
        Response response = post("</>;rt=\"oma.lwm2m\";ct=99999999999,</1/0>,</3/0>".getBytes(StandardCharsets.UTF_8),
                "/rd", "ep=" + DEVICE, "lwm2m=1.1", "lt=300");

        assertThat(response.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(response.getPayloadString()).startsWith("Unable to parse [</>;rt=\"oma.lwm2m\";ct=99999999999")
                .contains("99999999999");
        assertThat(log.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR));
    }

    @ParameterizedTest(name = "lwm2m={0}")
    @ValueSource(strings = { "1.0", "1.1", "1.2" })
    void devices_of_lwm2m_1_0_1_1_and_1_2_register_at_either_end_of_the_lifetime_range(String version)
            throws Exception {
        Response first = register("lwm2m=" + version, "lt=60", "b=U");
        assertThat(first.getCode()).as(first.getPayloadString()).isEqualTo(ResponseCode.CREATED);
        server.waitForEvent(DEVICE, DeviceEventType.REGISTERED);

        Response again = register("lwm2m=" + version, "lt=3600", "b=U");

        assertThat(again.getCode()).as(again.getPayloadString()).isEqualTo(ResponseCode.CREATED);
        TestServer.eventually("registered as LwM2M " + version + " with a lifetime of 3600 s", () -> {
            var json = server.get("/api/v1/devices/" + DEVICE).json();
            return json.getBoolean("online") && version.equals(json.getJsonObject("registration")
                    .getString("lwm2mVersion")) && json.getJsonObject("registration").getLong("lifetimeSeconds") == 3600;
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "lt=abc", "lt=0", "lt=-5", "lt=3601", "b=XYZ" })
    void a_registration_update_with_a_malformed_or_refused_parameter_is_a_bad_request(String parameter)
            throws Exception {
        Response registered = register("lwm2m=1.1", "lt=300", "b=U");
        assertThat(registered.getCode()).isEqualTo(ResponseCode.CREATED);
        String location = registered.getOptions().getLocationPathString();

        Response update = post("/" + location, parameter);

        assertThat(update.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(update.getPayloadString()).startsWith(parameter + ":");
        assertRefusalLoggedInOneLine(parameter);
        DeviceEvent rejected = server.waitForEvent(DEVICE, DeviceEventType.REJECTED);
        assertThat(rejected.detail()).startsWith("registration update of /" + location + " refused: " + parameter);
        assertThat(post("/" + location, "lt=600").getCode()).as("a correct update still works")
                .isEqualTo(ResponseCode.CHANGED);
    }

    @Test
    void a_write_of_a_server_lifetime_outside_the_range_is_refused_before_reaching_the_device() {
        try (TestDevice leshan = new Fleet(server, Credentials.Authority.create("unused"))
                .provision("writable-1", SecurityMode.NONE).lifetime(300).start()) {
            server.waitForEvent("writable-1", DeviceEventType.REGISTERED);

            for (String value : new String[] { "0", "-5", "59", "3601", "120.5" }) {
                TestServer.Reply reply = server.put("/api/v1/devices/writable-1/resources/1/0/1",
                        "{\"value\":" + value + "}");

                assertThat(reply.status()).as(value + ": " + reply.body()).isEqualTo(400);
                assertThat(reply.isProblem()).isTrue();
                assertThat(reply.json().getString("detail")).as(value)
                        .startsWith("/1/0/1 is the device's registration lifetime: ").contains("60 to 3600 seconds");
            }
            TestServer.Reply accepted = server.put("/api/v1/devices/writable-1/resources/1/0/1", "{\"value\":600}");
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(204);
            assertThat(server.get("/api/v1/devices/writable-1/resources/1/0/1").json().getLong("value")).isEqualTo(600);
        }
    }

    private Response register(String... query) throws Exception {
        return post("/rd", "ep=" + DEVICE, String.join("&", query));
    }

    private Response post(String path, String... queries) throws Exception {
        return post(OBJECTS, path, queries);
    }

    /** Sends a confirmable POST with an object list as one datagram and returns the answer to it. */
    private Response post(byte[] objects, String path, String... queries) throws Exception {
        Request request = Request.newPost();
        request.setURI(server.coapUri() + path + "?" + String.join("&", queries));
        request.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_LINK_FORMAT);
        request.setPayload(objects);
        request.setMID(ThreadLocalRandom.current().nextInt(1 << 16));
        request.setToken(Token.fromProvider(new byte[] { 1, 2, 3, 4 }));
        RawData raw = new UdpDataSerializer().serializeRequest(request);
        device.send(new DatagramPacket(raw.getBytes(), raw.getSize(), raw.getInetSocketAddress()));
        while (true) {
            DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
            try {
                device.receive(answer);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer to POST " + request.getURI() + " within 5 s");
            }
            Message message = new UdpDataParser().parseMessage(Arrays.copyOf(answer.getData(), answer.getLength()));
            if (message instanceof Response response && response.getMID() == request.getMID()) {
                return response;
            }
        }
    }

    private void assertRefusalLoggedInOneLine(String parameter) {
        TestServer.eventually("the refusal logged", () -> log.list.stream()
                .anyMatch(e -> e.getLoggerName().endsWith("RegistrationGate")));
        assertThat(log.list).filteredOn(e -> e.getLoggerName().endsWith("RegistrationGate")).singleElement()
                .satisfies(e -> {
                    assertThat(e.getFormattedMessage()).contains(parameter).doesNotContain("\n");
                    assertThat(e.getThrowableProxy()).isNull();
                });
        assertThat(log.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR) || e.getThrowableProxy() != null);
    }

    private void assertRejectedAndOffline(String detail) {
        DeviceEvent rejected = server.waitForEvent(DEVICE, DeviceEventType.REJECTED);
        assertThat(rejected.detail()).startsWith(detail);
        assertThat(rejected.peerAddress()).isEqualTo("127.0.0.1:" + device.getLocalPort());
        assertThat(server.get("/api/v1/devices/" + DEVICE).json().getBoolean("online")).isFalse();
    }

    private static Logger rootLogger() {
        return (Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
