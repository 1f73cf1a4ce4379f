package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.SecurityMode;
import dev.ferry.server.testing.Credentials;
import dev.ferry.server.testing.Fleet;
import dev.ferry.server.testing.RegistrationOutcomes;
import dev.ferry.server.testing.RegistrationOutcomes.Outcome;
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
    void devices_credentials_tags_events_and_registrations_survive_a_restart() {
        Fleet fleet = new Fleet(server, Credentials.Authority.create("unused"));
        TestDevice.Builder builder = fleet.provision("survivor", SecurityMode.PSK);
        server.patch("/api/v1/devices/survivor", "{\"tags\":[\"line-3\"],\"metadata\":{\"site\":\"Lyon\"}}");
        try (TestDevice device = builder.start()) {
            server.waitForEvent("survivor", DeviceEventType.REGISTERED);
            int eventsBefore = events("survivor").size();

            server.restart();

            JsonObject afterRestart = server.get("/api/v1/devices/survivor").json();
            assertThat(afterRestart.getJsonArray("tags").getList()).containsExactly("line-3");
            assertThat(afterRestart.getJsonObject("metadata").getString("site")).isEqualTo("Lyon");
            assertThat(afterRestart.getJsonObject("security").getString("identity")).isEqualTo("survivor");
            assertThat(afterRestart.getBoolean("online")).as("the registration survived the restart").isTrue();
            assertThat(events("survivor")).hasSize(eventsBefore);
        }
    }

    @Test
    void a_coap_and_a_dtls_device_keep_their_registrations_and_sessions_across_a_restart() {
        Fleet fleet = new Fleet(server, Credentials.Authority.create("unused"));
        try (TestDevice plain = fleet.provision("plain", SecurityMode.NONE).start();
                TestDevice secure = fleet.provision("secure", SecurityMode.PSK).start()) {
            RegistrationOutcomes plainSeen = new RegistrationOutcomes();
            RegistrationOutcomes secureSeen = new RegistrationOutcomes();
            plain.client().addObserver(plainSeen);
            secure.client().addObserver(secureSeen);
            server.waitForEvent("plain", DeviceEventType.REGISTERED);
            server.waitForEvent("secure", DeviceEventType.REGISTERED);
            // The client ignores an update trigger until it has processed its registration's acknowledgement.
            TestServer.eventually("both clients know they are registered",
                    () -> !plain.client().getRegisteredServers().isEmpty()
                            && !secure.client().getRegisteredServers().isEmpty());
            String plainRegistration = registrationIdOf("plain");
            String secureRegistration = registrationIdOf("secure");

            plain.client().triggerRegistrationUpdate();
            secure.client().triggerRegistrationUpdate();
            plainSeen.await(Outcome.UPDATED, 1, TestServer.DEADLINE);
            secureSeen.await(Outcome.UPDATED, 1, TestServer.DEADLINE);
            assertOnline("plain", "secure");
            int plainBefore = plainSeen.soFar().size();
            int secureBefore = secureSeen.soFar().size();

            server.restart();

            assertOnline("plain", "secure");
            plain.client().triggerRegistrationUpdate();
            secure.client().triggerRegistrationUpdate();
            plainSeen.await(Outcome.UPDATED, 2, TestServer.DEADLINE);
            secureSeen.await(Outcome.UPDATED, 2, TestServer.DEADLINE);
            server.waitForEvent("plain", DeviceEventType.UPDATED);
            server.waitForEvent("secure", DeviceEventType.UPDATED);

            assertThat(plainSeen.soFar().subList(plainBefore, plainSeen.soFar().size()))
                    .as("what the plain device saw after the restart").containsExactly(Outcome.UPDATED);
            assertThat(secureSeen.soFar().subList(secureBefore, secureSeen.soFar().size()))
                    .as("what the DTLS device saw after the restart").containsExactly(Outcome.UPDATED);
            assertThat(server.eventsSoFar()).as("events since the restart")
                    .noneMatch(e -> e.type() == DeviceEventType.REGISTERED);
            assertThat(server.server().lwm2m().dtlsHandshakesCompleted())
                    .as("DTLS handshakes since the restart").isZero();
            assertThat(registrationIdOf("plain")).isEqualTo(plainRegistration);
            assertThat(registrationIdOf("secure")).isEqualTo(secureRegistration);
            assertOnline("plain", "secure");
        }
        assertThat(server.dataDir().resolve("dtls/connections.bin")).as("saved DTLS keys, deleted once loaded")
                .doesNotExist();
    }

    @Test
    void the_saved_dtls_connections_are_readable_by_the_server_user_only() throws Exception {
        Fleet fleet = new Fleet(server, Credentials.Authority.create("unused"));
        try (TestDevice secure = fleet.provision("secure", SecurityMode.PSK).start()) {
            server.waitForEvent("secure", DeviceEventType.REGISTERED);

            server.stop();

            Path saved = server.dataDir().resolve("dtls/connections.bin");
            assertThat(Files.getPosixFilePermissions(saved))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            server.startAgain();
            assertThat(saved).doesNotExist();
        }
    }

    @Test
    void a_registration_that_expired_while_the_server_was_stopped_is_not_loaded_and_the_device_registers_again() {
        Fleet fleet = new Fleet(server, Credentials.Authority.create("unused"));
        try (TestDevice device = fleet.provision("sleepy", SecurityMode.NONE).lifetime(2).start()) {
            server.waitForEvent("sleepy", DeviceEventType.REGISTERED);

            server.stop();
            long stoppedAt = System.currentTimeMillis();
            TestServer.eventually("the 2 s lifetime passed while the server is stopped",
                    () -> System.currentTimeMillis() - stoppedAt > 2_500);
            server.startAgain();

            assertThat(events("sleepy")).anyMatch(e -> e.toString().contains("while the server was stopped"));
            server.waitForEvent("sleepy", DeviceEventType.REGISTERED);
            assertThat(server.get("/api/v1/devices/sleepy").json().getBoolean("online")).isTrue();
        }
    }

    private String registrationIdOf(String endpoint) {
        return server.server().lwm2m().leshan().getRegistrationService().getByEndpoint(endpoint).getId();
    }

    private void assertOnline(String... endpoints) {
        for (String endpoint : endpoints) {
            assertThat(server.get("/api/v1/devices/" + endpoint).json().getBoolean("online"))
                    .as(endpoint + " shown online").isTrue();
        }
    }

    private java.util.List<Object> events(String endpoint) {
        return server.get("/api/v1/devices/" + endpoint + "/events").json().getJsonArray("items").getList();
    }
}
