package dev.ferry.server.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceCredentials;
import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

/** Real Leshan clients with only a batch's bootstrap PSK, against a real server's bootstrap and LwM2M endpoints. */
@Timeout(90)
class BootstrapTest {
    static TestServer server;
    static ListAppender<ILoggingEvent> log;

    @BeforeAll
    static void startServer() {
        log = new ListAppender<>();
        log.start();
        root().addAppender(log);
        // Everything Ferry and Leshan log, down to debug, is searched for secrets below.
        logger("dev.ferry").setLevel(Level.DEBUG);
        logger("org.eclipse.leshan").setLevel(Level.DEBUG);
        // The device's own model stays the batch's: the server does not read 3/0/1 here.
        server = TestServer.givenServer().with(Setting.READ_DEVICE_INFO, "false").start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
        root().detachAppender(log);
        logger("dev.ferry").setLevel(null);
        logger("org.eclipse.leshan").setLevel(Level.WARN);
    }

    @Test
    void a_device_with_only_the_batch_psk_bootstraps_gets_its_own_psk_and_registers_with_the_batch_tags_and_model() {
        BatchFixture batch = BatchFixture.create(server, "line-3 week 48", 10, 3600);

        try (TestDevice device = TestDevice.device("meter-0001")
                .bootstrapPsk(server.bootstrapCoapsUri(), batch.identity(), batch.key()).start()) {
            server.waitForEvent("meter-0001", DeviceEventType.REGISTERED);

            JsonObject shown = server.get("/api/v1/devices/meter-0001").json();
            assertThat(shown.getJsonArray("tags").getList()).containsExactlyInAnyOrder("line-3", "eu");
            assertThat(shown.getString("model")).isEqualTo("meter-x");
            assertThat(shown.getJsonObject("security").getString("mode")).isEqualTo("psk");
            assertThat(shown.getJsonObject("security").getString("identity")).isEqualTo("meter-0001");
            byte[] ownKey = keyOf("meter-0001");
            assertThat(ownKey).hasSize(16).isNotEqualTo(batch.key());
            assertThat(device.bootstrapCount()).isEqualTo(1);
            assertThat(device.client().getRegisteredServers()).hasSize(1);

            JsonObject detail = server.get(batch.path()).json();
            assertThat(detail.getInteger("produced")).isEqualTo(1);
            assertThat(detail.getJsonArray("devices").getJsonObject(0).getString("endpoint")).isEqualTo("meter-0001");
            assertThat(detail.getString("state")).isEqualTo("active");

            String listed = server.get("/api/v1/provisioning/batches").body() + server.get(batch.path()).body()
                    + server.get("/api/v1/devices/meter-0001").body() + server.get("/api/v1/events?limit=1000").body();
            assertThat(listed).contains(batch.identity()).doesNotContainIgnoringCase(batch.keyHex())
                    .doesNotContain(batch.keyBase64()).doesNotContainIgnoringCase(HexFormat.of().formatHex(ownKey));
            assertNoSecretInLog(batch.keyHex(), batch.keyBase64(), HexFormat.of().formatHex(ownKey),
                    Base64.getEncoder().encodeToString(ownKey));
        }
    }

    @Test
    void the_batch_credential_alone_is_refused_by_the_lwm2m_server() {
        BatchFixture batch = BatchFixture.create(server, "intruder check", 10, 3600);

        try (TestDevice intruder = TestDevice.device("meter-0666")
                .psk(server.coapsUri(), batch.identity(), batch.key()).start()) {
            DeviceEvent rejected = server.waitForEvent(e -> e.type() == DeviceEventType.REJECTED
                    && e.detail().contains(batch.identity()), "refused handshake with the batch identity");

            assertThat(rejected.detail()).contains("unknown PSK identity");
            assertThat(server.get("/api/v1/devices/meter-0666").status()).isEqualTo(404);
            assertThat(server.eventsSoFar()).noneMatch(e -> e.type() == DeviceEventType.REGISTERED
                    && "meter-0666".equals(e.endpoint()));
        }
    }

    @Test
    void an_expired_batch_refuses_the_bootstrap_and_records_a_rejected_event() {
        BatchFixture batch = BatchFixture.create(server, "expires at once", 10, 1);
        TestServer.eventually("the batch to expire",
                () -> server.get(batch.path()).json().getString("state").equals("expired"));

        try (TestDevice late = TestDevice.device("meter-0100")
                .bootstrapPsk(server.bootstrapCoapsUri(), batch.identity(), batch.key()).start()) {
            DeviceEvent rejected = server.waitForEvent("meter-0100", DeviceEventType.REJECTED);

            assertThat(rejected.detail()).startsWith("bootstrap refused: ").contains("expired at");
            assertThat(server.get("/api/v1/devices/meter-0100").status()).isEqualTo(404);
            assertThat(late.bootstrapCount()).isZero();
        }
    }

    @Test
    void an_exhausted_batch_refuses_the_next_device_and_a_revoked_one_every_device() {
        BatchFixture batch = BatchFixture.create(server, "one only", 1, 3600);
        try (TestDevice first = TestDevice.device("meter-0200")
                .bootstrapPsk(server.bootstrapCoapsUri(), batch.identity(), batch.key()).start()) {
            server.waitForEvent("meter-0200", DeviceEventType.REGISTERED);
        }
        try (TestDevice second = TestDevice.device("meter-0201")
                .bootstrapPsk(server.bootstrapCoapsUri(), batch.identity(), batch.key()).start()) {
            DeviceEvent rejected = server.waitForEvent("meter-0201", DeviceEventType.REJECTED);

            assertThat(rejected.detail()).contains("is exhausted: it produced its 1 device(s)");
            assertThat(server.get("/api/v1/devices/meter-0201").status()).isEqualTo(404);
            assertThat(server.get(batch.path()).json().getString("state")).isEqualTo("exhausted");
        }

        BatchFixture revoked = BatchFixture.create(server, "revoked soon", 10, 3600);
        assertThat(server.delete(revoked.path()).status()).isEqualTo(204);
        try (TestDevice device = TestDevice.device("meter-0202")
                .bootstrapPsk(server.bootstrapCoapsUri(), revoked.identity(), revoked.key()).start()) {
            DeviceEvent rejected = server.waitForEvent("meter-0202", DeviceEventType.REJECTED);

            assertThat(rejected.detail()).contains("was revoked at");
            assertThat(server.get("/api/v1/devices/meter-0202").status()).isEqualTo(404);
        }
    }

    @Test
    void a_factory_reset_device_bootstraps_again_and_is_rekeyed_but_not_while_it_is_registered() {
        BatchFixture batch = BatchFixture.create(server, "resets", 1, 3600);
        byte[] firstKey;
        try (TestDevice device = TestDevice.device("meter-0300")
                .bootstrapPsk(server.bootstrapCoapsUri(), batch.identity(), batch.key()).start()) {
            server.waitForEvent("meter-0300", DeviceEventType.REGISTERED);
            firstKey = keyOf("meter-0300");
            try (TestDevice clone = TestDevice.device("meter-0300")
                    .bootstrapPsk(server.bootstrapCoapsUri(), batch.identity(), batch.key()).start()) {
                DeviceEvent rejected = server.waitForEvent("meter-0300", DeviceEventType.REJECTED);

                assertThat(rejected.detail()).contains("is registered right now");
            }
            device.deregisterAndStop();
        }
        server.waitForEvent("meter-0300", DeviceEventType.DEREGISTERED);

        try (TestDevice reset = TestDevice.device("meter-0300")
                .bootstrapPsk(server.bootstrapCoapsUri(), batch.identity(), batch.key()).start()) {
            server.waitForEvent(e -> e.type() == DeviceEventType.REGISTERED && "meter-0300".equals(e.endpoint())
                    && server.eventsSoFar().stream().filter(r -> r.type() == DeviceEventType.REGISTERED
                            && "meter-0300".equals(r.endpoint())).count() == 2, "second registration of meter-0300");

            assertThat(keyOf("meter-0300")).hasSize(16).isNotEqualTo(firstKey);
            JsonObject detail = server.get(batch.path()).json();
            assertThat(detail.getInteger("produced")).isEqualTo(1); // the same device, not a second one
            assertThat(detail.getJsonArray("devices").getJsonObject(0).getInteger("bootstraps")).isEqualTo(2);
        }
    }

    @Test
    void a_bootstrap_over_plain_coap_has_no_batch_credential_and_is_refused() {
        try (TestDevice device = TestDevice.device("meter-0400").bootstrapNoSec(server.bootstrapCoapUri()).start()) {
            DeviceEvent rejected = server.waitForEvent("meter-0400", DeviceEventType.REJECTED);

            assertThat(rejected.detail()).contains("no production batch credential");
            assertThat(server.get("/api/v1/devices/meter-0400").status()).isEqualTo(404);
        }
    }

    @Test
    void an_endpoint_provisioned_otherwise_is_not_taken_over_by_a_batch_credential() {
        BatchFixture batch = BatchFixture.create(server, "takeover check", 10, 3600);
        assertThat(server.post("/api/v1/devices", "{\"endpoint\":\"meter-0500\",\"security\":{\"mode\":\"psk\"}}")
                .status()).isEqualTo(201);
        byte[] before = keyOf("meter-0500");

        try (TestDevice device = TestDevice.device("meter-0500")
                .bootstrapPsk(server.bootstrapCoapsUri(), batch.identity(), batch.key()).start()) {
            DeviceEvent rejected = server.waitForEvent("meter-0500", DeviceEventType.REJECTED);

            assertThat(rejected.detail()).contains("already provisioned, not by batch 'takeover check'");
            assertThat(keyOf("meter-0500")).isEqualTo(before);
            assertThat(server.get(batch.path()).json().getInteger("produced")).isZero();
        }
    }

    private static byte[] keyOf(String endpoint) {
        List<DeviceCredentials> all = server.server().registry().allCredentials();
        return all.stream().filter(c -> c.endpoint().equals(endpoint)).findFirst().orElseThrow().pskKey();
    }

    private static void assertNoSecretInLog(String... secrets) {
        assertThat(log.list).isNotEmpty();
        for (ILoggingEvent event : List.copyOf(log.list)) {
            String text = event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
            for (String secret : secrets) {
                assertThat(text.toLowerCase()).as(event.getLoggerName()).doesNotContain(secret.toLowerCase());
            }
        }
    }

    private static Logger root() {
        return logger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private static Logger logger(String name) {
        return (Logger) LoggerFactory.getLogger(name);
    }
}
