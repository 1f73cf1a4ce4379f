package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.Faults;
import io.vertx.core.json.JsonObject;

/** Real server and a simulated device on a slow link: an update session shows how far its download has come. */
@Timeout(120)
class DownloadProgressTest {
    final UpdateFixture fixture = new UpdateFixture();

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void a_pulled_download_shows_the_bytes_served_so_far_until_its_session_ends() throws Exception {
        fixture.device("slow", Faults.none().slowLink(16 * 1024));
        JsonObject session = fixture.start("slow", fixture.firmwareV2, "pull-coap");
        String path = "/api/v1/devices/slow/updates/" + session.getLong("id");
        assertThat(session.getValue("download")).as("no block served yet").isNull();

        AtomicReference<JsonObject> partway = new AtomicReference<>();
        TestServer.eventually("the session shows a download partway", () -> {
            JsonObject download = fixture.server.get(path).json().getJsonObject("download");
            boolean between = download != null && download.getLong("bytesServed") > 0
                    && download.getLong("bytesServed") < download.getLong("totalBytes");
            if (between) {
                partway.set(download);
            }
            return between;
        });
        fixture.outcome(session, "succeeded", null);

        assertThat(partway.get().getLong("totalBytes")).isEqualTo(fixture.v2.length);
        assertThat(fixture.server.get(path).json().getValue("download")).as("an ended session shows none").isNull();
    }
}
