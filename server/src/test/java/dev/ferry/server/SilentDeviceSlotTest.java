package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.config.Setting;
import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.DeviceEvent.Type;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonObject;

/**
 * A device whose radio dies during its download holds the only download slot; when its session is cancelled or
 * times out, the slot goes to the next device, although the silent one never answers the request that resets it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SilentDeviceSlotTest {
    UpdateFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void cancelling_the_session_of_a_silent_device_frees_its_download_slot_for_the_next_device() throws Exception {
        fixture = new UpdateFixture(TestServer.givenServer().with(Setting.UPDATE_MAX_CONCURRENT_DOWNLOADS, "1")
                .with(Setting.UPDATE_MAX_ATTEMPTS, "1"));
        JsonObject silent = sessionHoldingTheSlotWhileSilent("mute");
        JsonObject next = fixture.start("next", fixture.firmwareV2, "pull-coap");

        TestServer.Reply cancelled = fixture.server.post("/api/v1/devices/mute/updates/" + silent.getLong("id")
                + "/cancel", null);

        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        fixture.outcome(next, "succeeded", null);
    }

    @Test
    void a_silent_device_whose_download_times_out_frees_its_slot_for_the_next_device() throws Exception {
        fixture = new UpdateFixture(TestServer.givenServer().with(Setting.UPDATE_MAX_CONCURRENT_DOWNLOADS, "1")
                .with(Setting.UPDATE_MAX_ATTEMPTS, "1").with(Setting.UPDATE_DOWNLOAD_TIMEOUT_SECONDS, "5"));
        JsonObject silent = sessionHoldingTheSlotWhileSilent("mute");
        JsonObject next = fixture.start("next", fixture.firmwareV2, "pull-coap");

        fixture.outcome(silent, "failed", "download-timeout");
        fixture.outcome(next, "succeeded", null);
    }

    /** Starts the silent device's session and waits until it downloads and its radio has died. */
    private JsonObject sessionHoldingTheSlotWhileSilent(String endpoint) throws Exception {
        SimDevice mute = fixture.device(endpoint, Faults.none().silentAt(0));
        fixture.device("next", Faults.none());
        var silenced = mute.next(Type.WENT_SILENT);
        JsonObject session = fixture.start(endpoint, fixture.firmwareV2, "pull-coap");
        silenced.get(30, TimeUnit.SECONDS);
        JsonObject stored = fixture.server.get("/api/v1/devices/" + endpoint + "/updates/" + session.getLong("id"))
                .json();
        assertThat(stored.getString("state")).as(stored.encodePrettily()).isEqualTo("downloading");
        return session;
    }
}
