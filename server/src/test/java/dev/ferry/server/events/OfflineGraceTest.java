package dev.ferry.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.SecurityMode;
import dev.ferry.server.events.SseClient.Frame;
import dev.ferry.server.testing.Fleet;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;

/** A device goes offline only once its lifetime and the grace after it passed without an update. */
class OfflineGraceTest {
    static final int GRACE_SECONDS = 3;
    TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.givenServer().with(Setting.LWM2M_EXPIRY_GRACE_SECONDS, Integer.toString(GRACE_SECONDS))
                .start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void a_silent_device_goes_offline_after_its_lifetime_and_the_grace_with_one_offline_event() {
        try (SseClient stream = SseClient.open(server, "/api/v1/events/stream?type=offline", null)) {
            TestDevice device = new Fleet(server, null).provision("grace-1", SecurityMode.NONE).lifetime(1).start();
            server.waitForEvent("grace-1", DeviceEventType.REGISTERED);

            device.powerOff();
            Frame offline = stream.next();
            DeviceEvent expired = server.waitForEvent("grace-1", DeviceEventType.EXPIRED);

            assertThat(offline.event()).isEqualTo("expired");
            assertThat(offline.longId()).isEqualTo(expired.id());
            assertThat(offline.json().getBoolean("online")).isFalse();
            // The registration's last update is no later than the event that recorded it.
            DeviceEvent lastUpdate = server.eventsSoFar().stream()
                    .filter(e -> "grace-1".equals(e.endpoint()) && e.id() < expired.id()
                            && (e.type() == DeviceEventType.REGISTERED || e.type() == DeviceEventType.UPDATED))
                    .reduce((first, second) -> second).orElseThrow();
            assertThat(Duration.between(lastUpdate.occurredAt(), expired.occurredAt()))
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1 + GRACE_SECONDS).minusMillis(500));
            assertThat(server.get("/api/v1/devices/grace-1").json().getBoolean("online")).isFalse();
        }
    }
}
