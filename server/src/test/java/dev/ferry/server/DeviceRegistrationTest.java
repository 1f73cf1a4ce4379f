package dev.ferry.server;

import static dev.ferry.server.testing.TestServer.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.SecurityMode;
import dev.ferry.server.testing.Credentials;
import dev.ferry.server.testing.Fleet;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

class DeviceRegistrationTest {
    static Credentials.Authority deviceCa;
    static Path caDir;
    TestServer server;
    Fleet fleet;

    @BeforeAll
    static void createDeviceCa() throws IOException {
        deviceCa = Credentials.Authority.create("Ferry Test Device CA");
        caDir = Files.createTempDirectory("ferry-ca-");
    }

    @AfterAll
    static void removeCa() throws IOException {
        Files.deleteIfExists(caDir.resolve("device-ca.pem"));
        Files.deleteIfExists(caDir);
    }

    @BeforeEach
    void startServer() {
        server = TestServer.givenServer()
                .with(Setting.TRUSTED_CERTIFICATES, deviceCa.writePem(caDir).toString())
                .start();
        fleet = new Fleet(server, deviceCa);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @ParameterizedTest(name = "over {0}")
    @EnumSource(SecurityMode.class)
    void registered_device_is_online_with_the_identity_read_from_object_3(SecurityMode mode) {
        String endpoint = "reg-" + mode.wireName();
        try (TestDevice device = fleet.provision(endpoint, mode).withFirmwareUpdateObject().firmwareVersion("2.4.1")
                .start()) {
            server.waitForEvent(endpoint, DeviceEventType.REGISTERED);
            eventually("object 3 and object 5 read into the registry",
                    () -> deviceJson(endpoint).getString("model") != null
                            && deviceJson(endpoint).getJsonObject("firmwareUpdate") != null);

            JsonObject listed = server.get("/api/v1/devices?search=" + endpoint).json().getJsonArray("items")
                    .getJsonObject(0);
            assertThat(listed.getString("endpoint")).isEqualTo(endpoint);
            assertThat(listed.getBoolean("online")).isTrue();
            assertThat(listed.getString("manufacturer")).isEqualTo(TestDevice.MANUFACTURER);
            assertThat(listed.getString("model")).isEqualTo(TestDevice.MODEL);
            assertThat(listed.getString("serialNumber")).isEqualTo("SN-" + endpoint);
            assertThat(listed.getString("firmwareVersion")).isEqualTo("2.4.1");
            assertThat(listed.getJsonObject("firmwareUpdate").getInteger("state")).isZero();
            assertThat(listed.getJsonObject("firmwareUpdate").getInteger("result")).isZero();
            JsonObject registration = listed.getJsonObject("registration");
            assertThat(registration.getString("lwm2mVersion")).isEqualTo("1.1");
            assertThat(registration.getJsonArray("objects").stream().map(o -> o.toString().split("@")[0]))
                    .contains("/1/0", "/3/0", "/5/0");
            assertThat(registration.getString("address")).startsWith("127.0.0.1:");
        }
    }

    @Test
    void deregistration_marks_the_device_offline() {
        TestDevice device = fleet.provision("leaving", SecurityMode.PSK).start();
        server.waitForEvent("leaving", DeviceEventType.REGISTERED);

        device.deregisterAndStop();

        server.waitForEvent("leaving", DeviceEventType.DEREGISTERED);
        JsonObject json = deviceJson("leaving");
        assertThat(json.getBoolean("online")).isFalse();
        assertThat(json.getValue("registration")).isNull();
    }

    @Test
    void lifetime_expiry_marks_a_silent_device_offline() {
        TestDevice device = fleet.provision("silent", SecurityMode.NONE).lifetime(1).start();
        server.waitForEvent("silent", DeviceEventType.REGISTERED);

        device.powerOff();

        server.waitForEvent("silent", DeviceEventType.EXPIRED);
        assertThat(deviceJson("silent").getBoolean("online")).isFalse();
    }

    @Test
    void devices_are_filtered_by_tag_model_online_and_firmware_version() {
        server.post("/api/v1/devices", "{\"endpoint\":\"tagged-1\",\"security\":{\"mode\":\"none\"},\"tags\":[\"plant-a\"]}");
        server.post("/api/v1/devices", "{\"endpoint\":\"tagged-2\",\"security\":{\"mode\":\"none\"},\"tags\":[\"plant-b\"]}");
        try (TestDevice device = fleet.provision("filtered", SecurityMode.NONE).firmwareVersion("9.9.9").start()) {
            server.waitForEvent("filtered", DeviceEventType.REGISTERED);
            eventually("firmware version read", () -> "9.9.9".equals(deviceJson("filtered").getString("firmwareVersion")));

            assertThat(endpoints("/api/v1/devices?tag=plant-a")).containsExactly("tagged-1");
            assertThat(endpoints("/api/v1/devices?online=true")).containsExactly("filtered");
            assertThat(endpoints("/api/v1/devices?online=false")).containsExactly("tagged-1", "tagged-2");
            assertThat(endpoints("/api/v1/devices?model=" + TestDevice.MODEL)).containsExactly("filtered");
            assertThat(endpoints("/api/v1/devices?firmwareVersion=9.9.9")).containsExactly("filtered");
            assertThat(endpoints("/api/v1/devices?search=agged")).containsExactly("tagged-1", "tagged-2");
            assertThat(endpoints("/api/v1/devices?search=TAGGED")).as("names are case-sensitive").isEmpty();
            assertThat(endpoints("/api/v1/devices?limit=1&offset=1")).containsExactly("tagged-1");
            assertThat(server.get("/api/v1/devices?limit=1").json().getInteger("total")).isEqualTo(3);
        }
    }

    private java.util.List<Object> endpoints(String path) {
        return server.get(path).json().getJsonArray("items").stream()
                .map(o -> (Object) ((JsonObject) o).getString("endpoint")).toList();
    }

    private JsonObject deviceJson(String endpoint) {
        TestServer.Reply reply = server.get("/api/v1/devices/" + endpoint);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }
}
