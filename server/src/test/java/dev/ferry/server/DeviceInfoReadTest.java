package dev.ferry.server;

import static dev.ferry.server.testing.TestServer.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.SecurityMode;
import dev.ferry.server.testing.Fleet;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;

/**
 * What the server reads from a device after it registers: everything the first time, then only the firmware
 * version unless that changed. Each registration below is a new client for the same endpoint, as a device that
 * restarts registers again.
 */
class DeviceInfoReadTest {
    TestServer server;
    Fleet fleet;

    @BeforeEach
    void startServer() {
        server = TestServer.givenServer().start();
        fleet = new Fleet(server, null);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void a_device_registering_for_the_first_time_has_objects_3_and_5_read_whole() {
        try (TestDevice device = fleet.provision("first-time", SecurityMode.NONE).withFirmwareUpdateObject()
                .firmwareVersion("1.0.0").start()) {
            eventually("objects 3 and 5 read", () -> device.reads().size() >= 2);
            eventually("the version is in the registry", () -> "1.0.0".equals(firmwareVersion("first-time")));

            assertThat(device.reads()).containsExactlyInAnyOrder("3/0", "5/0");
        }
    }

    @Test
    void an_unchanged_device_registering_again_has_only_its_firmware_version_read() {
        registerOnce("unchanged", "1.0.0");

        try (TestDevice again = restarted("unchanged", "1.0.0")) {
            eventually("the version read again", () -> again.reads().contains("3/0/3"));
            // The same device, now updated: its reads come after any the unchanged registration led to.
            try (TestDevice newer = restarted("unchanged", "1.1.0")) {
                eventually("objects 3 and 5 read after the version changed", () -> newer.reads().size() >= 3);
                eventually("the new version is in the registry", () -> "1.1.0".equals(firmwareVersion("unchanged")));
                assertThat(newer.reads()).startsWith("3/0/3").containsExactlyInAnyOrder("3/0/3", "3/0", "5/0");
            }
            assertThat(again.reads()).containsExactly("3/0/3");
        }
    }

    @Test
    void a_device_that_reports_a_new_firmware_version_has_objects_3_and_5_read_again() {
        registerOnce("changed", "1.0.0");

        try (TestDevice updated = restarted("changed", "2.0.0")) {
            eventually("objects 3 and 5 read", () -> updated.reads().size() >= 3);
            eventually("the new version is in the registry", () -> "2.0.0".equals(firmwareVersion("changed")));

            assertThat(updated.reads()).startsWith("3/0/3").containsExactlyInAnyOrder("3/0/3", "3/0", "5/0");
        }
    }

    private void registerOnce(String endpoint, String version) {
        try (TestDevice device = fleet.provision(endpoint, SecurityMode.NONE).withFirmwareUpdateObject()
                .firmwareVersion(version).start()) {
            server.waitForEvent(endpoint, DeviceEventType.REGISTERED);
            eventually("the version is in the registry", () -> version.equals(firmwareVersion(endpoint)));
            eventually("object 5 is in the registry", () -> server.get("/api/v1/devices/" + endpoint).json()
                    .getJsonObject("firmwareUpdate") != null);
            assertThat(device.reads()).containsExactlyInAnyOrder("3/0", "5/0");
        }
    }

    private TestDevice restarted(String endpoint, String version) {
        List<String> registrations = server.eventsSoFar().stream()
                .filter(e -> e.type() == DeviceEventType.REGISTERED && endpoint.equals(e.endpoint()))
                .map(e -> Long.toString(e.id())).toList();
        TestDevice device = TestDevice.device(endpoint).noSec(server.coapUri()).withFirmwareUpdateObject()
                .firmwareVersion(version).start();
        server.waitForEvent(e -> e.type() == DeviceEventType.REGISTERED && endpoint.equals(e.endpoint())
                && !registrations.contains(Long.toString(e.id())), "another registration of " + endpoint);
        return device;
    }

    private String firmwareVersion(String endpoint) {
        return server.get("/api/v1/devices/" + endpoint).json().getString("firmwareVersion");
    }
}
