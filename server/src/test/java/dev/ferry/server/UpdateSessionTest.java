package dev.ferry.server;

import static dev.ferry.server.UpdateFixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.DeviceEvent.Type;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonObject;

/** Real server, simulated MCUboot devices on loopback: updates through object 5, waited for by events. */
class UpdateSessionTest {
    UpdateFixture fixture = new UpdateFixture();
    TestServer server = fixture.server;
    long firmwareV2 = fixture.firmwareV2;
    SimDevice device;

    @AfterEach
    void stop() {
        fixture.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "pull-coap", "pull-coaps", "pull-http", "push" })
    void a_device_is_updated_and_confirms_the_new_image(String delivery) throws Exception {
        device = givenDevice("dev-" + delivery, !delivery.equals("pull-coap"), Faults.none());

        JsonObject session = startUpdate(device.endpoint(), delivery, null);

        assertOutcome(session, "succeeded", null);
        assertThat(device.runningVersion()).hasToString("1.1.0+0");
        JsonObject shown = server.get("/api/v1/devices/" + device.endpoint() + "/updates/" + session.getLong("id"))
                .json();
        assertThat(shown.getJsonArray("history").stream().map(s -> ((JsonObject) s).getString("state")))
                .containsSubsequence("pending", "starting", "downloading", "downloaded", "updating", "succeeded");
        assertThat(shown.getString("previousVersion")).isEqualTo("1.0.0+0");
        TestServer.eventually("the registry shows the confirmed image and its result", () -> {
            JsonObject registered = server.get("/api/v1/devices/" + device.endpoint()).json();
            JsonObject object5 = registered.getJsonObject("firmwareUpdate");
            return "1.1.0+0".equals(registered.getString("firmwareVersion")) && object5 != null
                    && Integer.valueOf(0).equals(object5.getInteger("state"))
                    && Integer.valueOf(1).equals(object5.getInteger("result"));
        });
    }

    @Test
    void downloads_beyond_the_concurrency_limit_wait_for_a_free_slot_and_all_succeed() throws Exception {
        fixture.close();
        fixture = new UpdateFixture(TestServer.givenServer().with(Setting.UPDATE_MAX_CONCURRENT_DOWNLOADS, "1"));
        server = fixture.server;
        firmwareV2 = fixture.firmwareV2;
        List<JsonObject> updates = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            givenDevice("queued-" + i, false, Faults.none().slowLink(200_000));
        }
        for (int i = 0; i < 3; i++) {
            updates.add(startUpdate("queued-" + i, "pull-coap", null));
        }

        for (JsonObject update : updates) {
            assertOutcome(update, "succeeded", null);
        }
        assertThat(mostDownloadingAtOnce(server.eventsSoFar())).isEqualTo(1);
    }

    /** Replays the update events: how many sessions were starting or downloading at the same time. */
    private static int mostDownloadingAtOnce(List<DeviceEvent> events) {
        Set<String> downloading = new HashSet<>();
        int most = 0;
        for (DeviceEvent e : events) {
            if (e.type() != DeviceEventType.UPDATE || e.detail() == null) {
                continue;
            }
            String[] words = e.detail().split("[ :]", 4);
            if (words[2].equals("starting") || words[2].equals("downloading")) {
                downloading.add(words[1]);
            } else {
                downloading.remove(words[1]);
            }
            most = Math.max(most, downloading.size());
        }
        return most;
    }

    @Test
    void a_corrupt_download_fails_with_the_integrity_result_and_nothing_is_installed() throws Exception {
        device = givenDevice("corrupt", false, Faults.none().corruptDownload());

        assertOutcome(startUpdate("corrupt", "pull-coap", null), "failed", "integrity-check-failed");
        assertThat(device.runningVersion()).hasToString("1.0.0+0");

        String metrics = server.get("/metrics").body();
        assertThat(metrics).contains("ferry_update_sessions{failure_reason=\"integrity-check-failed\",state=\"failed\"} 1.0");
        assertThat(metrics).containsPattern("ferry_firmware_blocks_served_total\\{transport=\"coap\"} [1-9]");
        assertThat(metrics).contains("ferry_registry_writer_queue_depth").contains("ferry_registry_writer_batch_seconds_count");
    }

    @Test
    void a_package_that_arrives_as_no_mcuboot_image_fails_as_an_unsupported_package() throws Exception {
        device = givenDevice("foreign", false, Faults.none().foreignPackage());

        assertOutcome(startUpdate("foreign", "pull-coap", null), "failed", "unsupported-package");
        assertThat(device.runningVersion()).hasToString("1.0.0+0");
    }

    @Test
    void an_image_failing_its_health_check_is_reverted_and_recorded_as_reverted() throws Exception {
        device = givenDevice("unhealthy", false, Faults.none().failHealthCheck());

        assertOutcome(startUpdate("unhealthy", "pull-coap", null), "failed", "reverted");
        assertThat(device.events()).anyMatch(e -> e.type() == Type.REVERTED);
        assertThat(device.runningVersion()).hasToString("1.0.0+0");
    }

    @Test
    void a_download_that_loses_its_connection_resumes_and_succeeds() throws Exception {
        device = givenDevice("flaky", false, Faults.none().dropConnectionAt(20_000));

        assertOutcome(startUpdate("flaky", "pull-coap", null), "succeeded", null);
        assertThat(device.events()).anyMatch(e -> e.type() == Type.DOWNLOAD_RESUMED);
    }

    @Test
    void a_session_resumes_after_the_server_restarts_in_the_middle_of_a_download() throws Exception {
        device = givenDevice("patient", false, Faults.none().slowLink(16 * 1024));
        var downloading = device.next(Type.DOWNLOAD_STARTED);
        JsonObject session = startUpdate("patient", "pull-coap", null);
        downloading.get(20, TimeUnit.SECONDS);

        server.restart();

        assertOutcome(session, "succeeded", null);
        assertThat(device.runningVersion()).hasToString("1.1.0+0");
    }

    @Test
    void a_sleeping_device_is_updated_when_it_wakes() throws Exception {
        device = givenDevice("sleepy", false, Faults.none().sleeping(Duration.ofSeconds(2), Duration.ofSeconds(1)));

        assertOutcome(startUpdate("sleepy", "pull-coap", null), "succeeded", null);
    }

    @Test
    void a_session_past_its_deadline_fails_with_that_reason() throws Exception {
        device = givenDevice("slow", false, Faults.none().slowLink(2 * 1024));

        assertOutcome(startUpdate("slow", "pull-coap", 2), "failed", "deadline-expired");
    }

    @Test
    void a_cancelled_session_stops_and_the_device_returns_to_idle() throws Exception {
        device = givenDevice("cancelled", false, Faults.none().slowLink(4 * 1024));
        var downloading = device.next(Type.DOWNLOAD_STARTED);
        JsonObject session = startUpdate("cancelled", "pull-coap", null);
        downloading.get(20, TimeUnit.SECONDS);
        var idle = device.next(e -> e.type() == Type.STATE_CHANGED && e.state().ordinal() == 0);

        TestServer.Reply cancelled = server.post("/api/v1/devices/cancelled/updates/" + session.getLong("id")
                + "/cancel", null);

        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        assertThat(cancelled.json().getString("state")).isEqualTo("cancelled");
        idle.get(20, TimeUnit.SECONDS);
        assertThat(device.runningVersion()).hasToString("1.0.0+0");
        assertThat(server.post("/api/v1/devices/cancelled/updates/" + session.getLong("id") + "/cancel", null)
                .status()).isEqualTo(409);
    }

    @Test
    void updates_to_unpublished_firmware_or_unknown_devices_are_refused() {
        long unpublished = server.uploadFirmware(MODEL, Images.signed("1.2.0", 1000, fixture.key)).json()
                .getLong("id");
        server.post("/api/v1/devices", "{\"endpoint\":\"idle\",\"security\":{\"mode\":\"none\"}}");

        TestServer.Reply notPublished = server.post("/api/v1/devices/idle/updates",
                new JsonObject().put("firmwareId", unpublished).encode());
        assertThat(notPublished.status()).isEqualTo(422);
        assertThat(notPublished.json().getString("detail")).contains("not published");
        assertThat(server.post("/api/v1/devices/ghost/updates", new JsonObject().put("firmwareId", firmwareV2)
                .encode()).status()).isEqualTo(404);
        assertThat(server.post("/api/v1/devices/idle/updates", new JsonObject().put("firmwareId", firmwareV2)
                .put("delivery", "carrier-pigeon").encode()).status()).isEqualTo(400);
    }

    private SimDevice givenDevice(String endpoint, boolean secure, Faults faults) throws Exception {
        return fixture.device(endpoint, MODEL, secure, faults);
    }

    private JsonObject startUpdate(String endpoint, String delivery, Integer deadlineSeconds) {
        JsonObject body = new JsonObject().put("firmwareId", firmwareV2).put("delivery", delivery);
        if (deadlineSeconds != null) {
            body.put("deadlineSeconds", deadlineSeconds);
        }
        return fixture.start(endpoint, body);
    }

    private void assertOutcome(JsonObject session, String state, String reason) {
        fixture.outcome(session, state, reason);
    }
}
