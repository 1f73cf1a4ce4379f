package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.testing.LogCapture;
import dev.ferry.server.testing.RawHttp;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** POST /api/v1/devices:bulk: CSV and JSON lists, all or none, every bad row reported, and its limits. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BulkProvisioningTest {
    static final String BULK = "/api/v1/devices:bulk";

    TestServer server;
    LogCapture log;

    @BeforeEach
    void start() {
        log = new LogCapture();
        server = TestServer.givenServer().start();
    }

    @AfterEach
    void stop() {
        server.close();
        log.close();
    }

    @Test
    void a_csv_of_three_rows_provisions_three_devices_and_the_generated_key_registers_over_dtls_psk() {
        String suppliedKey = "00112233445566778899aabbccddeeff";
        TestServer.Reply reply = csv("endpoint,security,pskKey,tags,model\r\n"
                + "bulk-psk,psk,generate,hall-3;line-a,thermo-2\r\n"
                + "bulk-own,psk," + suppliedKey + ",hall-3,\r\n"
                + "\"bulk-plain\",none,,,\r\n");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        JsonArray devices = reply.json().getJsonArray("devices");
        assertThat(reply.json().getInteger("provisioned")).isEqualTo(3);
        assertThat(devices.stream().map(d -> ((JsonObject) d).getString("endpoint")))
                .containsExactly("bulk-psk", "bulk-own", "bulk-plain");
        String generated = devices.getJsonObject(0).getJsonObject("security").getString("key");
        assertThat(generated).matches("[0-9a-f]{32}");
        assertThat(devices.getJsonObject(1).getJsonObject("security").containsKey("key")).isFalse();
        JsonObject stored = server.get("/api/v1/devices/bulk-psk").json();
        assertThat(stored.getJsonArray("tags")).containsExactly("hall-3", "line-a");
        assertThat(stored.getString("model")).isEqualTo("thermo-2");
        assertThat(stored.getJsonObject("security").containsKey("key")).isFalse();

        try (TestDevice device = TestDevice.device("bulk-psk").psk(server.coapsUri(), "bulk-psk",
                HexFormat.of().parseHex(generated)).cipherSuites(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8).start()) {
            server.waitForEvent("bulk-psk", DeviceEventType.REGISTERED);
        }
        assertThat(log.text()).doesNotContain(generated).doesNotContain(suppliedKey);
        assertThat(server.get("/api/v1/devices").body() + server.get("/api/v1/events").body()
                + server.get("/api/v1/devices/bulk-own").body()).doesNotContain(generated).doesNotContain(suppliedKey);
    }

    @Test
    void bad_rows_of_a_json_list_name_their_json_fields() {
        TestServer.Reply reply = server.post(BULK, "{\"devices\": ["
                + "{\"endpoint\": \"j-1\", \"security\": {\"mode\": \"psk\", \"key\": \"abc\"}},"
                + "{\"endpoint\": \"j-2\", \"security\": {\"mode\": \"none\"}, \"tags\": \"not-a-list\"},"
                + "\"j-3\","
                + "{\"endpoint\": \"j-4\", \"security\": {\"mode\": \"psk\", \"key\": \"0011\"}}]}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(422);
        JsonArray errors = reply.json().getJsonArray("errors");
        assertThat(errors.stream().map(e -> ((JsonObject) e).getInteger("row"))).containsExactly(1, 2, 3, 4);
        assertThat(errors.stream().map(e -> ((JsonObject) e).getString("field")))
                .containsExactly("security.key", "tags", null, "security.key");
        assertThat(errors.getJsonObject(3).getString("reason")).contains("8 to 64 bytes");
        assertThat(registrySize()).isZero();
    }

    @Test
    void two_bad_rows_among_five_are_both_reported_and_none_is_provisioned() {
        TestServer.Reply reply = csv("endpoint,security,pskKey\n"
                + "five-1,psk,\n"
                + "five-2,psk,not-hex\n"
                + "five-3,none,\n"
                + "five/4,none,\n"
                + "five-5,psk,generate\n");

        assertThat(reply.status()).as(reply.body()).isEqualTo(422);
        assertThat(reply.isProblem()).isTrue();
        JsonArray errors = reply.json().getJsonArray("errors");
        assertThat(errors).hasSize(2);
        assertThat(errors.getJsonObject(0).getInteger("row")).isEqualTo(2);
        assertThat(errors.getJsonObject(0).getString("field")).isEqualTo("pskKey");
        assertThat(errors.getJsonObject(0).getString("reason")).contains("hexadecimal");
        assertThat(errors.getJsonObject(1).getInteger("row")).isEqualTo(4);
        assertThat(errors.getJsonObject(1).getString("field")).isEqualTo("endpoint");
        assertThat(registrySize()).isZero();
        assertThat(server.get("/api/v1/events?type=provisioned").json().getJsonArray("items")).isEmpty();
    }

    @Test
    void a_json_list_provisions_devices_with_models_tags_metadata_and_claim_codes() {
        JsonObject list = new JsonObject().put("devices", new JsonArray()
                .add(new JsonObject().put("endpoint", "json-1").put("security", new JsonObject().put("mode", "psk"))
                        .put("tags", new JsonArray().add("batch-7")).put("model", "thermo-2")
                        .put("metadata", new JsonObject().put("site", "hall-3")).put("claimCode", "generate"))
                .add(new JsonObject().put("endpoint", "json-2").put("security", new JsonObject().put("mode", "none"))));

        TestServer.Reply reply = server.post(BULK, list.encode());

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        JsonObject first = reply.json().getJsonArray("devices").getJsonObject(0);
        assertThat(first.getString("claimCode")).matches("[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}");
        assertThat(first.getJsonObject("security").getString("key")).matches("[0-9a-f]{32}");
        assertThat(reply.json().getJsonArray("devices").getJsonObject(1).containsKey("claimCode")).isFalse();
        JsonObject stored = server.get("/api/v1/devices/json-1").json();
        assertThat(stored.getJsonObject("metadata").getString("site")).isEqualTo("hall-3");
        assertThat(stored.getJsonArray("tags")).containsExactly("batch-7");
        assertThat(registrySize()).isEqualTo(2);
    }

    @Test
    void an_endpoint_that_is_already_provisioned_or_listed_twice_refuses_the_whole_list() {
        assertThat(server.post("/api/v1/devices", "{\"endpoint\":\"taken\",\"security\":{\"mode\":\"none\"}}")
                .status()).isEqualTo(201);

        TestServer.Reply reply = csv("endpoint,security,pskIdentity\n"
                + "fresh-1,none,\n"
                + "taken,none,\n"
                + "fresh-1,none,\n"
                + "fresh-2,psk,shared-id\n"
                + "fresh-3,psk,shared-id\n");

        assertThat(reply.status()).as(reply.body()).isEqualTo(422);
        JsonArray errors = reply.json().getJsonArray("errors");
        assertThat(errors.stream().map(e -> ((JsonObject) e).getInteger("row"))).containsExactly(2, 3, 5);
        assertThat(errors.getJsonObject(0).getString("reason")).contains("already provisioned");
        assertThat(errors.getJsonObject(1).getString("reason")).contains("already in row 1");
        assertThat(errors.getJsonObject(2).getString("field")).isEqualTo("pskIdentity");
        assertThat(registrySize()).isEqualTo(1);
    }

    @Test
    void a_list_longer_than_the_limit_is_refused_with_413_naming_the_limit() {
        StringBuilder body = new StringBuilder("endpoint,security\n");
        for (int i = 0; i <= 10_000; i++) {
            body.append("many-").append(i).append(",none\n");
        }

        TestServer.Reply reply = csv(body.toString());

        assertThat(reply.status()).as(reply.body()).isEqualTo(413);
        assertThat(reply.json().getInteger("maxRows")).isEqualTo(10_000);
        assertThat(reply.json().getString("detail")).contains("10001").contains("at most 10000");
        assertThat(registrySize()).isZero();
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void ten_thousand_devices_in_a_body_larger_than_a_json_body_may_be_are_provisioned_in_one_request() {
        StringBuilder body = new StringBuilder("endpoint,security,pskKey,tags,model,metadata\n");
        for (int i = 0; i < 10_000; i++) {
            body.append(String.format("scale-%05d,psk,generate,factory-7;batch-2026-12,thermo-2,"
                    + "\"{\"\"serial\"\":\"\"SN-%05d-0000000000000000000000000000000000000000000000\"\"}\"\n", i, i));
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(bytes.length).isGreaterThan(1024 * 1024);

        long started = System.nanoTime();
        // Not timed: a loaded machine may take minutes (BENCHMARKS.md has the figure and its command).
        TestServer.Reply reply = server.sendBytes("POST", BULK, bytes, "text/csv", Duration.ofMinutes(5));
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(reply.status()).as(reply.body().substring(0, Math.min(500, reply.body().length()))).isEqualTo(201);
        System.out.println("Bulk provisioning of 10,000 PSK devices (" + bytes.length + " bytes of CSV) took " + millis
                + " ms");
        assertThat(reply.json().getJsonArray("devices")).hasSize(10_000);
        assertThat(registrySize()).isEqualTo(10_000);
        assertThat(server.get("/api/v1/devices?tag=batch-2026-12&limit=1").json().getInteger("total"))
                .isEqualTo(10_000);
    }

    @Test
    void the_answer_is_csv_when_the_request_accepts_text_csv() {
        RawHttp.Answer answer = new RawHttp(server).send("POST", BULK,
                "endpoint,security,claimCode\nlabel-1,psk,generate\nlabel-2,none,\n", "content-type", "text/csv",
                "accept", "text/csv");

        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        assertThat(answer.header("content-type")).startsWith("text/csv");
        assertThat(answer.header("cache-control")).isEqualTo("no-store");
        List<String> lines = answer.body().lines().toList();
        assertThat(lines.get(0)).isEqualTo("row,endpoint,security,pskIdentity,pskKey,claimCode");
        assertThat(lines.get(1)).matches("1,label-1,psk,label-1,[0-9a-f]{32},[2-9A-HJ-NP-Z-]{14}");
        assertThat(lines.get(2)).isEqualTo("2,label-2,none,,,");
    }

    @Test
    void malformed_lists_are_refused_with_400_before_any_row_is_read() {
        assertThat(csv("endpoint,security\n\"open,none\n").json().getString("detail"))
                .contains("line 2").contains("not closed");
        assertThat(csv("endpoint,colour\nx,red\n").json().getString("detail")).contains("'colour' is unknown");
        assertThat(csv("endpoint,security\n").json().getString("detail")).contains("no devices");
        assertThat(csv("endpoint,security\nab\"c,none\n").status()).isEqualTo(400);
        assertThat(server.post(BULK, "{\"devices\": {}}").status()).isEqualTo(400);
        assertThat(server.post(BULK, "{\"devices\": [], \"extra\": 1}").status()).isEqualTo(400);
        assertThat(server.sendBytes("POST", BULK, "x".getBytes(StandardCharsets.UTF_8), "text/plain").status())
                .isEqualTo(415);
        assertThat(registrySize()).isZero();
    }

    @Test
    void the_colon_in_devices_bulk_is_part_of_the_path_not_a_parameter() {
        assertThat(server.post("/api/v1/devicesXYZ", "{\"devices\": []}").status()).isEqualTo(404);
        RawHttp.Answer get = new RawHttp(server).send("GET", BULK, null);
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.header("allow")).isEqualTo("POST");
    }

    @Test
    void a_body_over_16_mib_is_refused_with_413() {
        TestServer.Reply reply = server.sendBytes("POST", BULK, new byte[17 * 1024 * 1024], "text/csv");

        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.isProblem()).isTrue();
    }

    private TestServer.Reply csv(String text) {
        return server.sendBytes("POST", BULK, text.getBytes(StandardCharsets.UTF_8), "text/csv");
    }

    private int registrySize() {
        return server.get("/api/v1/devices?limit=1").json().getInteger("total");
    }
}
