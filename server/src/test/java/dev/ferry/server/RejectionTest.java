package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HexFormat;

import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;
import dev.ferry.server.testing.UdpRelay;

class RejectionTest {
    TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.givenServer().start(); // handshakes stall only after the default 30 s
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void wrong_psk_fails_the_handshake_and_is_recorded_against_the_device_at_once() {
        server.post("/api/v1/devices", "{\"endpoint\":\"meter-7\",\"security\":{\"mode\":\"psk\",\"identity\":\"meter-7-id\","
                + "\"key\":\"00112233445566778899aabbccddeeff\"}}");
        try (TestDevice device = TestDevice.device("meter-7")
                .psk(server.coapsUri(), "meter-7-id", HexFormat.of().parseHex("ffeeddccbbaa99887766554433221100"))
                .cipherSuites(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8).start()) {

            DeviceEvent rejected = server.waitForEvent(e -> e.type() == DeviceEventType.REJECTED
                    && "meter-7".equals(e.endpoint()), "rejection of meter-7", Duration.ofSeconds(5));

            assertThat(rejected.detail()).contains("PSK identity 'meter-7-id'").contains("could not prove its key");
            assertThat(rejected.peerAddress()).startsWith("127.0.0.1:");
            assertThat(server.eventsSoFar()).noneMatch(e -> e.type() == DeviceEventType.REGISTERED);
        }
    }

    @Test
    void a_handshake_that_stalls_after_the_psk_identity_is_recorded_after_the_stall_limit() {
        try (TestServer stalling = TestServer.givenServer().with(Setting.DTLS_HANDSHAKE_STALL_SECONDS, "1").start();
                UdpRelay lossy = UdpRelay.start(stalling.server().coapsAddress(), UdpRelay::epochZeroRecordsOnly)) {
            stalling.post("/api/v1/devices", "{\"endpoint\":\"meter-8\",\"security\":{\"mode\":\"psk\","
                    + "\"identity\":\"meter-8-id\",\"key\":\"00112233445566778899aabbccddeeff\"}}");
            try (TestDevice device = TestDevice.device("meter-8").psk(lossy.uri("coaps"), "meter-8-id",
                    HexFormat.of().parseHex("00112233445566778899aabbccddeeff"))
                    .cipherSuites(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8).start()) {

                DeviceEvent rejected = stalling.waitForEvent("meter-8", DeviceEventType.REJECTED);

                assertThat(rejected.detail()).contains("did not complete within 1 s");
            }
        }
    }

    @Test
    void unknown_psk_identity_fails_the_handshake_and_is_recorded() {
        try (TestDevice device = TestDevice.device("stranger")
                .psk(server.coapsUri(), "who-am-i", HexFormat.of().parseHex("00112233445566778899aabbccddeeff"))
                .start()) {

            DeviceEvent rejected = server.waitForEvent(
                    e -> e.type() == DeviceEventType.REJECTED && e.detail().contains("who-am-i"),
                    "rejection of identity who-am-i");

            assertThat(rejected.endpoint()).isNull();
            assertThat(server.get("/api/v1/events?type=rejected").json().getJsonArray("items").encode())
                    .contains("who-am-i");
        }
    }

    @Test
    void unprovisioned_plain_coap_client_is_refused_registration() {
        try (TestDevice device = TestDevice.device("rogue").noSec(server.coapUri()).start()) {

            DeviceEvent rejected = server.waitForEvent("rogue", DeviceEventType.REJECTED);

            assertThat(rejected.detail()).contains("not provisioned");
            assertThat(server.get("/api/v1/devices/rogue").status()).isEqualTo(404);
        }
    }

    @Test
    void device_provisioned_for_psk_cannot_register_over_plain_coap() {
        server.post("/api/v1/devices", "{\"endpoint\":\"secure-only\",\"security\":{\"mode\":\"psk\"}}");
        try (TestDevice device = TestDevice.device("secure-only").noSec(server.coapUri()).start()) {

            DeviceEvent rejected = server.waitForEvent("secure-only", DeviceEventType.REJECTED);

            assertThat(rejected.detail()).contains("provisioned for security mode psk").contains("plain CoAP");
            assertThat(server.get("/api/v1/devices/secure-only").json().getBoolean("online")).isFalse();
        }
    }
}
