package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.SecurityMode;
import dev.ferry.server.testing.Credentials;
import dev.ferry.server.testing.Fleet;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

class RestartTest {
    TestServer server = TestServer.givenServer().start();

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void devices_credentials_tags_and_events_survive_a_restart_and_the_device_registers_again() {
        Fleet fleet = new Fleet(server, Credentials.Authority.create("unused"));
        TestDevice.Builder builder = fleet.provision("survivor", SecurityMode.PSK).lifetime(2);
        server.patch("/api/v1/devices/survivor", "{\"tags\":[\"line-3\"],\"metadata\":{\"site\":\"Lyon\"}}");
        try (TestDevice device = builder.start()) {
            server.waitForEvent("survivor", DeviceEventType.REGISTERED);
            int eventsBefore = events("survivor").size();

            server.restart();

            JsonObject afterRestart = server.get("/api/v1/devices/survivor").json();
            assertThat(afterRestart.getJsonArray("tags").getList()).containsExactly("line-3");
            assertThat(afterRestart.getJsonObject("metadata").getString("site")).isEqualTo("Lyon");
            assertThat(afterRestart.getJsonObject("security").getString("identity")).isEqualTo("survivor");
            assertThat(afterRestart.getBoolean("online")).as("registrations do not survive a restart").isFalse();
            assertThat(events("survivor")).hasSize(eventsBefore);
        }
        // The device was stopped with the old server; a new client with the same credentials registers again,
        // which proves the PSK itself was persisted (the server never returns it).
    }

    @Test
    void a_running_device_registers_again_after_the_server_restarts_on_the_same_port() {
        TestServer fixed = TestServer.givenServer()
                .with(dev.ferry.server.config.Setting.COAP_PORT, Integer.toString(freeUdpPort())).start();
        try {
            Fleet fleet = new Fleet(fixed, Credentials.Authority.create("unused"));
            try (TestDevice device = fleet.provision("comeback", SecurityMode.NONE).lifetime(2).start()) {
                fixed.waitForEvent("comeback", DeviceEventType.REGISTERED);

                fixed.restart();

                fixed.waitForEvent("comeback", DeviceEventType.REGISTERED);
                assertThat(fixed.get("/api/v1/devices/comeback").json().getBoolean("online")).isTrue();
            }
        } finally {
            fixed.close();
        }
    }

    private java.util.List<Object> events(String endpoint) {
        return server.get("/api/v1/devices/" + endpoint + "/events").json().getJsonArray("items").getList();
    }

    private static int freeUdpPort() {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0,
                java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
