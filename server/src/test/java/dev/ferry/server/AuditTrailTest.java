package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.server.audit.AuditEntry;
import dev.ferry.server.audit.AuditQuery;
import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.RawHttp;
import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.Faults;
import io.vertx.core.json.JsonObject;

/** Real server: what the audit log records of API calls and transitions, and what it never records. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AuditTrailTest {
    TestServer server;
    UpdateFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        } else if (server != null) {
            server.close();
        }
    }

    @Test
    void provisioning_changing_and_deprovisioning_are_recorded_with_actor_action_target_and_outcome() {
        server = TestServer.givenServer().start();

        assertThat(server.post("/api/v1/devices", device("audit-1", "none")).status()).isEqualTo(201);
        // Acknowledged means recorded: the entry is committed before the reply, so it is there at once.
        List<AuditEntry> committed = server.server().audit().find(new AuditQuery(null, "device:audit-1",
                "POST /api/v1/devices", null, null, 0, 10));
        assertThat(committed).extracting(AuditEntry::outcome).containsExactly("201");
        assertThat(server.patch("/api/v1/devices/audit-1", "{\"tags\":[\"hall-3\"]}").status()).isEqualTo(200);
        assertThat(server.delete("/api/v1/devices/audit-1").status()).isEqualTo(204);

        List<JsonObject> entries = audit("?target=device:audit-1");
        assertThat(entries).extracting(e -> e.getString("action") + " -> " + e.getString("outcome")).containsExactly(
                "device.provisioning -> provisioned", "POST /api/v1/devices -> 201",
                "device.provisioning -> changed", "PATCH /api/v1/devices/{endpoint} -> 200",
                "device.provisioning -> deprovisioned", "DELETE /api/v1/devices/{endpoint} -> 204");
        JsonObject call = entries.get(1);
        assertThat(call.getJsonObject("actor")).isEqualTo(new JsonObject().put("name", "initial-admin")
                .put("role", "admin"));
        assertThat(new JsonObject(call.getString("summary")).getJsonObject("body").getString("endpoint"))
                .isEqualTo("audit-1");
        assertThat(entries.get(0).getJsonObject("actor").getString("name")).isEqualTo("server");
        assertThat(new JsonObject(entries.get(3).getString("summary")).getJsonObject("body").getJsonArray("tags"))
                .containsExactly("hall-3");
        for (int i = 1; i < entries.size(); i++) {
            assertThat(entries.get(i).getLong("sequence")).isGreaterThan(entries.get(i - 1).getLong("sequence"));
        }
    }

    @Test
    void bulk_provisioning_records_the_call_and_each_device_it_provisioned() {
        server = TestServer.givenServer().start();

        TestServer.Reply reply = server.sendBytes("POST", "/api/v1/devices:bulk",
                "endpoint,security\nbulk-audit-1,none\nbulk-audit-2,none\n".getBytes(), "text/csv");
        assertThat(reply.status()).isEqualTo(201);

        assertThat(audit("?action=POST%20/api/v1/devices:bulk")).extracting(e -> e.getString("outcome"))
                .containsExactly("201");
        for (String endpoint : List.of("bulk-audit-1", "bulk-audit-2")) {
            assertThat(audit("?target=device:" + endpoint))
                    .extracting(e -> e.getString("action") + " -> " + e.getString("outcome"))
                    .containsExactly("device.provisioning -> provisioned");
        }
    }

    @Test
    void the_callers_token_name_and_role_are_recorded_and_a_call_without_a_token_as_anonymous() {
        server = TestServer.givenServer().start();
        TestServer.Reply created = server.post("/api/v1/tokens", "{\"name\":\"field-tool\",\"role\":\"operator\"}");
        assertThat(created.status()).isEqualTo(201);
        String value = created.json().getString("value");

        assertThat(server.sendAs(value, "POST", "/api/v1/devices", device("by-token-1", "none")).status())
                .isEqualTo(201);
        assertThat(server.sendAs(null, "POST", "/api/v1/devices", device("by-nobody-1", "none")).status())
                .isEqualTo(401);

        JsonObject call = audit("?actor=field-tool").get(0);
        assertThat(call.getJsonObject("actor")).isEqualTo(new JsonObject().put("name", "field-tool")
                .put("role", "operator"));
        assertThat(call.getString("action")).isEqualTo("POST /api/v1/devices");
        assertThat(audit("?actor=anonymous")).extracting(e -> e.getString("action") + " " + e.getString("outcome"))
                .containsExactly("POST /api/v1/devices 401");
        assertThat(audit("")).allSatisfy(e -> assertThat(e.encode()).doesNotContain(value));
    }

    @Test
    void refused_calls_are_recorded_with_their_status() {
        server = TestServer.givenServer().start();
        RawHttp http = new RawHttp(server);
        server.post("/api/v1/devices", device("taken-1", "none"));

        assertThat(server.post("/api/v1/devices", device("taken-1", "none")).status()).isEqualTo(409);
        assertThat(server.post("/api/v1/devices", "{\"endpoint\":\"bad one\"}").status()).isEqualTo(400);
        assertThat(server.delete("/api/v1/devices/nobody").status()).isEqualTo(404);
        assertThat(http.send("POST", "/api/v1/devices", device("plain-1", "none"), "content-type", "text/plain")
                .status()).isEqualTo(415);
        assertThat(server.post("/api/v1/nowhere", "{}").status()).isEqualTo(404);
        assertThat(server.get("/api/v1/devices").status()).isEqualTo(200);

        List<JsonObject> entries = audit("?action=" + encode("POST /api/v1/devices"));
        assertThat(entries).extracting(e -> e.getString("outcome")).containsExactly("201", "409", "400", "415");
        assertThat(new JsonObject(entries.get(1).getString("summary")).getString("problem")).isEqualTo("conflict");
        assertThat(entries.get(1).getString("target")).isEqualTo("device:taken-1");
        assertThat(entries.get(3).getString("target")).isEmpty(); // refused before its body was read
        assertThat(audit("?target=device:nobody")).extracting(e -> e.getString("action") + " " + e.getString("outcome"))
                .containsExactly("DELETE /api/v1/devices/{endpoint} 404");
        assertThat(audit("?action=" + encode("POST /api/v1/nowhere"))).extracting(e -> e.getString("outcome"))
                .containsExactly("404");
        assertThat(audit("")).noneMatch(e -> e.getString("action").startsWith("GET "));
    }

    @Test
    void psks_and_signing_keys_never_appear_in_the_audit_log() {
        server = TestServer.givenServer().start();
        ImageSigningKey key = Images.newKey();
        String pem = Images.publicPem(key);
        String chosenKey = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

        JsonObject generated = server.post("/api/v1/devices", device("secret-1", "psk")).json();
        String generatedKey = generated.getJsonObject("security").getString("key");
        assertThat(server.post("/api/v1/devices", new JsonObject().put("endpoint", "secret-2").put("security",
                new JsonObject().put("mode", "psk").put("key", chosenKey)).encode()).status()).isEqualTo(201);
        assertThat(server.post("/api/v1/signing-keys", new JsonObject().put("name", "release").put("publicKey", pem)
                .encode()).status()).isEqualTo(201);
        assertThat(server.post("/api/v1/signing-keys", new JsonObject().put("name", "release")
                .put("privateKey", pem).encode()).status()).isEqualTo(400);

        String claimCode = server.post("/api/v1/devices/secret-1/claim-code", null).json().getString("claimCode");
        assertThat(server.post("/api/v1/devices/claim", new JsonObject().put("code", claimCode)
                .put("tags", List.of("owner-1")).encode()).status()).isEqualTo(200);

        String log = server.get("/api/v1/audit?limit=1000").body();
        assertThat(log).contains("claimed; tags added [owner-1]"); // the claim's transition, without its code
        for (String code : List.of(claimCode, claimCode.replace("-", ""))) {
            assertThat(log).doesNotContain(code);
        }
        assertThat(generatedKey).hasSize(32);
        String pemBody = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        for (String secret : List.of(generatedKey, chosenKey, pemBody, pemBody.substring(0, 40))) {
            assertThat(log).doesNotContain(secret).doesNotContain(secret.toUpperCase());
        }
        assertThat(log).contains("[redacted]").contains("secret-2").contains("release");
    }

    @Test
    void an_update_sessions_transitions_and_the_image_upload_are_recorded_without_the_image() throws Exception {
        fixture = new UpdateFixture();
        server = fixture.server;
        fixture.device("updated-1", Faults.none());

        JsonObject session = fixture.start("updated-1", fixture.firmwareV2, "pull-coap");
        fixture.outcome(session, "succeeded", null);

        // A transition's entry is not awaited by anyone: it is written with the next entry or within 20 ms.
        TestServer.eventually("the outcome of the session is in the audit log", () -> audit(
                "?target=device:updated-1&action=update.session").stream()
                .anyMatch(e -> e.getString("outcome").equals("succeeded")));
        List<JsonObject> transitions = audit("?target=device:updated-1&action=update.session");
        assertThat(transitions).extracting(e -> e.getString("outcome"))
                .containsSubsequence("pending", "starting", "downloading", "downloaded", "updating", "succeeded");
        assertThat(transitions).allMatch(e -> e.getString("summary").startsWith("update " + session.getLong("id")));
        assertThat(audit("?target=device:updated-1&action=" + encode("POST /api/v1/devices/{endpoint}/updates")))
                .extracting(e -> e.getString("outcome")).containsExactly("201");
        JsonObject upload = audit("?action=" + encode("POST /api/v1/firmware")).get(0);
        assertThat(upload.getString("target")).isEqualTo("firmware:" + fixture.firmwareV2);
        JsonObject image = new JsonObject(upload.getString("summary")).getJsonObject("image");
        assertThat(image.getLong("bytes")).isEqualTo(fixture.v2.length);
        assertThat(upload.getString("summary").length()).isLessThan(1000);
        assertThat(audit("?target=firmware:" + fixture.firmwareV2)).extracting(e -> e.getString("action"))
                .contains("POST /api/v1/firmware/{id}/publish");
    }

    @Test
    void pages_follow_the_cursor_and_time_filters_apply() {
        server = TestServer.givenServer().start();
        for (int i = 0; i < 5; i++) {
            server.post("/api/v1/devices", device("paged-" + i, "none"));
        }
        String filter = "?action=" + encode("POST /api/v1/devices") + "&limit=2";

        JsonObject first = server.get("/api/v1/audit" + filter).json();
        JsonObject second = server.get("/api/v1/audit" + filter + "&after=" + first.getLong("next")).json();
        JsonObject last = server.get("/api/v1/audit" + filter + "&after=" + second.getLong("next")).json();

        assertThat(List.of(first, second, last)).extracting(p -> p.getJsonArray("items").size()).containsExactly(2, 2, 1);
        assertThat(last.getValue("next")).isNull();
        assertThat(audit("?until=2000-01-01T00:00:00Z")).isEmpty();
        assertThat(audit("?since=2000-01-01T00:00:00%2B02:00&actor=initial-admin")).hasSize(5);
        assertThat(server.get("/api/v1/audit?since=yesterday").status()).isEqualTo(400);
        assertThat(server.get("/api/v1/audit?limit=1001").status()).isEqualTo(400);
        assertThat(server.get("/api/v1/audit?after=-1").status()).isEqualTo(400);
    }

    private List<JsonObject> audit(String query) {
        TestServer.Reply reply = server.get("/api/v1/audit" + query);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().getJsonArray("items").stream().map(o -> (JsonObject) o).toList();
    }

    static String device(String endpoint, String mode) {
        return new JsonObject().put("endpoint", endpoint).put("security", new JsonObject().put("mode", mode)).encode();
    }

    static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
