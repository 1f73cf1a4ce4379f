package dev.ferry.server;

import static dev.ferry.server.UpdateFixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.Faults;
import io.vertx.core.json.JsonObject;

/** An update session is created only for an image the device can and may install; the API says why not. */
class UpdateChecksTest {
    final UpdateFixture fixture = new UpdateFixture();
    final TestServer server = fixture.server;

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void an_image_for_another_model_is_refused_unless_the_operator_overrides_the_check() throws Exception {
        fixture.device("other-model", "valve-9", false, Faults.none());
        JsonObject update = new JsonObject().put("firmwareId", fixture.firmwareV2).put("delivery", "pull-coap");

        TestServer.Reply refused = fixture.request("other-model", update);

        assertRefused(refused, "model-mismatch");
        assertThat(refused.json().getString("detail")).contains("'" + MODEL + "'", "'valve-9'", "allowModelMismatch");
        JsonObject overridden = fixture.start("other-model", update.copy().put("allowModelMismatch", true));
        fixture.outcome(overridden, "succeeded", null);
    }

    @Test
    void a_device_that_has_not_reported_its_model_is_refused_unless_the_operator_overrides_the_check() {
        server.post("/api/v1/devices", "{\"endpoint\":\"never-seen\",\"security\":{\"mode\":\"none\"}}");
        JsonObject update = new JsonObject().put("firmwareId", fixture.firmwareV2);

        assertRefused(fixture.request("never-seen", update), "model-unknown");
        assertThat(fixture.request("never-seen", update.copy().put("allowModelMismatch", true)).status())
                .isEqualTo(201);
    }

    @Test
    void an_image_an_update_session_refers_to_is_not_deleted_and_the_answer_says_what_the_operator_can_do() {
        server.post("/api/v1/devices", "{\"endpoint\":\"keeps-image\",\"security\":{\"mode\":\"none\"}}");
        TestServer.Reply created = fixture.request("keeps-image", new JsonObject()
                .put("firmwareId", fixture.firmwareV2).put("allowModelMismatch", true));
        assertThat(created.status()).isEqualTo(201);

        TestServer.Reply whileRunning = server.delete("/api/v1/firmware/" + fixture.firmwareV2);

        assertThat(whileRunning.status()).isEqualTo(409);
        assertThat(whileRunning.json().getString("detail")).contains("keeps-image",
                "cancel them or wait for their outcome");
        long session = created.json().getLong("id");
        assertThat(server.post("/api/v1/devices/keeps-image/updates/" + session + "/cancel", "{}").status())
                .isEqualTo(200);
        TestServer.Reply afterwards = server.delete("/api/v1/firmware/" + fixture.firmwareV2);
        assertThat(afterwards.status()).isEqualTo(409);
        assertThat(afterwards.json().getString("detail")).contains("history").doesNotContain("cancel");
    }

    @Test
    void the_slot_size_of_the_devices_model_applies_to_an_image_of_another_model() throws Exception {
        fixture.device("small-slot", "valve-9", false, Faults.none());
        assertThat(server.put("/api/v1/models/valve-9", "{\"slotSize\": 4096}").status()).isEqualTo(200);

        TestServer.Reply refused = fixture.request("small-slot", new JsonObject()
                .put("firmwareId", fixture.firmwareV2).put("allowModelMismatch", true));

        assertRefused(refused, "too-large-for-slot");
        assertThat(refused.json().getString("detail")).contains("'valve-9'", "4096-byte slot");
    }

    @Test
    void a_downgrade_is_refused_unless_explicitly_allowed() throws Exception {
        fixture.device("downgraded", Faults.none());
        long older = fixture.publish(MODEL, Images.signed("0.9.0", 4096, fixture.key));
        JsonObject update = new JsonObject().put("firmwareId", older).put("delivery", "pull-coap");

        TestServer.Reply refused = fixture.request("downgraded", update);

        assertRefused(refused, "downgrade");
        assertThat(refused.json().getString("detail")).contains("1.0.0+0", "0.9.0+0", "allowDowngrade");
        assertThat(fixture.request("downgraded", update.copy().put("allowDowngrade", true)).status()).isEqualTo(201);
    }

    @Test
    void an_image_with_a_lower_security_counter_than_the_running_one_is_refused_even_when_downgrades_are_allowed()
            throws Exception {
        // The record of the version the device runs carries counter 5; the older image only 3.
        assertThat(server.uploadFirmware(MODEL, Images.signed("1.0.0", UpdateFixture.IMAGE_BODY, fixture.key, 5L))
                .status()).isEqualTo(201);
        long older = fixture.publish(MODEL, Images.signed("0.9.0", 4096, fixture.key, 3L));
        fixture.device("protected", Faults.none());

        TestServer.Reply refused = fixture.request("protected", new JsonObject().put("firmwareId", older)
                .put("allowDowngrade", true));

        assertRefused(refused, "security-counter-rollback");
        assertThat(refused.json().getString("detail")).contains("security counter 3", "lower than 5");
    }

    @ParameterizedTest(name = "firmwareId {0}")
    @ValueSource(strings = { "3.5", "1.0", "1e2", "\"1\"", "true", "18446744073709551617", "[1]" })
    void a_firmware_id_that_is_not_a_whole_number_is_refused_not_truncated(String id) {
        server.post("/api/v1/devices", "{\"endpoint\":\"strict\",\"security\":{\"mode\":\"none\"}}");

        TestServer.Reply refused = server.post("/api/v1/devices/strict/updates", "{\"firmwareId\": " + id + "}");

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.isProblem()).isTrue();
        assertThat(refused.json().getString("detail")).contains("firmwareId");
    }

    @Test
    void a_deadline_that_is_not_a_whole_number_of_seconds_is_refused() {
        server.post("/api/v1/devices", "{\"endpoint\":\"strict\",\"security\":{\"mode\":\"none\"}}");

        TestServer.Reply refused = fixture.request("strict", new JsonObject().put("firmwareId", fixture.firmwareV2)
                .put("deadlineSeconds", 2.5));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().getString("detail")).contains("deadlineSeconds must be a whole number");
    }

    @Test
    void the_overrides_must_be_booleans() {
        server.post("/api/v1/devices", "{\"endpoint\":\"strict\",\"security\":{\"mode\":\"none\"}}");

        TestServer.Reply refused = fixture.request("strict", new JsonObject().put("firmwareId", fixture.firmwareV2)
                .put("allowDowngrade", "yes"));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().getString("detail")).contains("allowDowngrade must be true or false");
    }

    @Test
    void pull_coaps_is_refused_for_a_device_without_dtls_and_the_default_delivery_is_one_it_can_use()
            throws Exception {
        fixture.device("plain", MODEL, false, Faults.none());
        fixture.device("secure", MODEL, true, Faults.none());

        TestServer.Reply refused = fixture.request("plain", new JsonObject().put("firmwareId", fixture.firmwareV2)
                .put("delivery", "pull-coaps"));

        assertRefused(refused, "delivery-needs-dtls");
        assertThat(refused.json().getString("detail")).contains("security 'none'", "pull-coap");
        JsonObject plain = fixture.start("plain", new JsonObject().put("firmwareId", fixture.firmwareV2));
        JsonObject secure = fixture.start("secure", new JsonObject().put("firmwareId", fixture.firmwareV2));
        assertThat(plain.getString("delivery")).isEqualTo("pull-coap");
        assertThat(secure.getString("delivery")).isEqualTo("pull-coaps");
        fixture.outcome(plain, "succeeded", null);
        fixture.outcome(secure, "succeeded", null);
    }

    private static void assertRefused(TestServer.Reply reply, String reason) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(422);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().getString("reason")).as(reply.body()).isEqualTo(reason);
    }
}
