package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.ferry.server.testing.TestServer;
import dev.ferry.server.testing.TestServer.Reply;

/** Every bad input gets the right 4xx problem document and changes nothing. */
class ApiValidationTest {
    static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.givenServer().start();
        Reply existing = server.post("/api/v1/devices",
                "{\"endpoint\":\"existing\",\"security\":{\"mode\":\"psk\",\"identity\":\"taken-id\"},\"tags\":[\"a\"]}");
        assertThat(existing.status()).isEqualTo(201);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** What a key whose PEM block does not decode gets, instead of Bouncy Castle's parser messages. */
    static final String UNUSABLE_KEY = "its PEM block does not decode to an ECDSA P-256, Ed25519 or RSA-2048/3072 key";

    static String signingKey(String base64) {
        return new io.vertx.core.json.JsonObject().put("name", "k")
                .put("publicKey", "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n").encode();
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":", 400, "not valid JSON"),
                Arguments.of("POST", "/api/v1/devices", "[1,2]", 400, "must be a JSON object, not an array"),
                Arguments.of("POST", "/api/v1/devices", "", 400, "empty"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"x1\",\"security\":{\"mode\":\"none\"},\"colour\":\"red\"}",
                        400, "unknown field(s) [colour]"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"x2\",\"security\":{\"mode\":\"psk\",\"pin\":1}}",
                        400, "unknown field(s) [pin]"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"x3\",\"security\":{\"mode\":\"psk\",\"key\":\"zz11\"}}",
                        400, "hexadecimal"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"x4\",\"security\":{\"mode\":\"psk\",\"key\":\"0011\"}}",
                        400, "8 to 64 bytes"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"x5\",\"security\":{\"mode\":\"rpk\",\"publicKey\":\"%%%\"}}",
                        400, "base64"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"x6\",\"security\":{\"mode\":\"rpk\",\"publicKey\":\"AAAA\"}}",
                        400, "publicKey is not usable"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"x7\",\"security\":{\"mode\":\"oscore\"}}",
                        400, "not supported; use one of none, psk, rpk, x509"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"x8\",\"security\":{\"mode\":\"x509\",\"certificate\":\"x\"}}",
                        400, "unknown field(s) [certificate] in security (mode x509)"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"bad/name\",\"security\":{\"mode\":\"none\"}}",
                        400, "endpoint must be"),
                Arguments.of("POST", "/api/v1/devices", "{\"security\":{\"mode\":\"none\"}}", 400, "endpoint is required"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"x9\"}", 400, "security is required"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"x10\",\"security\":{\"mode\":\"none\"},\"tags\":[\"a b\"]}",
                        400, "tag 'a b' is invalid"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"existing\",\"security\":{\"mode\":\"none\"}}",
                        409, "already provisioned"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"x11\",\"security\":{\"mode\":\"psk\",\"identity\":\"taken-id\"}}",
                        409, "already used by another device"),
                Arguments.of("GET", "/api/v1/devices/nobody", null, 404, "no device with endpoint 'nobody'"),
                Arguments.of("PATCH", "/api/v1/devices/nobody", "{\"tags\":[]}", 404, "no device with endpoint 'nobody'"),
                Arguments.of("DELETE", "/api/v1/devices/nobody", null, 404, "no device with endpoint 'nobody'"),
                Arguments.of("PATCH", "/api/v1/devices/existing", "{\"name\":\"x\"}", 400, "unknown field(s) [name]"),
                Arguments.of("PATCH", "/api/v1/devices/existing", "{}", 400, "nothing to change"),
                Arguments.of("PATCH", "/api/v1/devices/existing", "{\"tags\":\"a\"}", 400, "tags must be an array"),
                Arguments.of("GET", "/api/v1/devices?limit=0", null, 400, "limit must be between 1 and 1000"),
                Arguments.of("GET", "/api/v1/devices?online=maybe", null, 400, "online must be true or false"),
                Arguments.of("GET", "/api/v1/events?type=exploded", null, 400, "type must be one of"),
                Arguments.of("GET", "/api/v1/devices/nobody/resources/3/0/0", null, 404, "no device with endpoint"),
                Arguments.of("GET", "/api/v1/devices/existing/resources/3/0/0", null, 409, "is not registered"),
                Arguments.of("GET", "/api/v1/devices/existing/resources/x/0/0", null, 400, "objectId must be"),
                Arguments.of("PUT", "/api/v1/devices/existing/resources/1/0/1", "{}", 400, "\"value\" is required"),
                Arguments.of("GET", "/api/v1/nothing-here", null, 404, "no such route"),
                Arguments.of("GET", "/api/v1/devices?colour=red", null, 400, "unknown query parameter 'colour'"),
                Arguments.of("GET", "/api/v1/devices?limit=5&limit=6", null, 400, "limit is given 2 times"),
                Arguments.of("GET", "/api/v1/devices?limit=ten", null, 400, "limit must be a whole number"),
                Arguments.of("GET", "/api/v1/devices?tag=a%20b", null, 400, "tag must be 1 to 64 characters"),
                Arguments.of("GET", "/api/v1/devices?model=..%2F..%2Fx", null, 400, "model must be 1 to 128"),
                Arguments.of("GET", "/api/v1/firmware?version=not-a-version", null, 400,
                        "version must be a version major.minor.revision+build"),
                Arguments.of("GET", "/api/v1/firmware?published=yes", null, 400, "published must be true or false"),
                Arguments.of("GET", "/ota/manifest.json?current=latest", null, 400, "current must be a version"),
                Arguments.of("POST", "/api/v1/devices",
                        "{\"endpoint\":\"d1\",\"endpoint\":\"d2\",\"security\":{\"mode\":\"none\"}}", 400,
                        "has the field 'endpoint' twice at line 1"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"d3\",\"security\":{\"mode\":\"none\",\"mode\":\"psk\"}}",
                        400, "has the field 'mode' twice"),
                Arguments.of("POST", "/api/v1/devices", "[".repeat(5000) + "]".repeat(5000), 400,
                        "too deeply nested"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\": \"x\",", 400,
                        "it ends before the JSON is complete"),
                Arguments.of("PUT", "/api/v1/models/thermo-2", "{\"slotSize\": 1099511627776}", 400,
                        "slotSize must be from 1 to 4294967295, got 1099511627776"),
                Arguments.of("PUT", "/api/v1/models/thermo-2", "{\"slotSize\": 4096.5}", 400,
                        "slotSize must be a whole number"),
                Arguments.of("PUT", "/api/v1/models/thermo-2", "{\"slotSize\": 0}", 400, "slotSize must be from 1"),
                Arguments.of("PUT", "/api/v1/models/.hidden", "{\"slotSize\": 4096}", 400, "model must be"),
                Arguments.of("PUT", "/api/v1/models/..%2F..%2Fx", "{\"slotSize\": 4096}", 400, "model must be"),
                Arguments.of("PUT", "/api/v1/models/a%20", "{\"slotSize\": 4096}", 400, "not ending with a space"),
                Arguments.of("POST", "/api/v1/firmware/1/publish", "{\"now\": true}", 400, "takes no content"),
                Arguments.of("POST", "/api/v1/signing-keys", signingKey("AAAA"), 400, UNUSABLE_KEY),
                Arguments.of("POST", "/api/v1/signing-keys", signingKey("MBUwDQYJKoZIhvcNAQEBBQADBAABAgM="), 400,
                        UNUSABLE_KEY),
                Arguments.of("POST", "/api/v1/signing-keys", signingKey("MA8wBQYDK2VwAwYAAQEBAQE="), 400, UNUSABLE_KEY),
                Arguments.of("POST", "/api/v1/signing-keys", signingKey("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"
                        + "A".repeat(86) + "=="), 400, UNUSABLE_KEY),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"x12\",\"security\":{\"mode\":\"rpk\",\"publicKey\":\"MFkw\"}}",
                        400, "must be the device's EC public key"),
                Arguments.of("POST", "/api/v1/devices", "{\"endpoint\":\"x13\",\"security\":{\"mode\":\"rpk\",\"publicKey\":\"A=B\"}}",
                        400, "must be standard base64 (A-Z"));
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @MethodSource("badRequests")
    void bad_input_gets_a_problem_document_and_changes_nothing(String method, String path, String body, int status,
            String detail) {
        String devicesBefore = server.get("/api/v1/devices").body();
        int eventsBefore = server.get("/api/v1/events").json().getJsonArray("items").size();

        Reply reply = server.send(method, path, body);

        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.isProblem()).as(reply.contentType()).isTrue();
        assertThat(reply.json().getInteger("status")).isEqualTo(status);
        assertThat(reply.json().getString("type")).startsWith("urn:ferry:problem:");
        assertThat(reply.json().getString("detail")).contains(detail)
                .as("no library internals in the detail").doesNotContain("java.", "Exception", "Jackson", "jackson",
                        "StreamReadConstraints", "io.vertx", "IOException");
        assertThat(server.get("/api/v1/devices").body()).isEqualTo(devicesBefore);
        assertThat(server.get("/api/v1/events").json().getJsonArray("items").size()).isEqualTo(eventsBefore);
    }

    @Test
    void generated_psk_is_returned_once_and_never_again() {
        Reply created = server.post("/api/v1/devices", "{\"endpoint\":\"once\",\"security\":{\"mode\":\"psk\"}}");
        assertThat(created.json().getJsonObject("security").getString("key")).hasSize(32);
        assertThat(created.json().getJsonObject("security").getString("identity")).isEqualTo("once");

        assertThat(server.get("/api/v1/devices/once").body()).doesNotContain("\"key\"");
        assertThat(server.get("/api/v1/devices?search=once").body()).doesNotContain("\"key\"");
    }

    @Test
    void patch_replaces_tags_and_merges_metadata() {
        server.post("/api/v1/devices", "{\"endpoint\":\"patched\",\"security\":{\"mode\":\"none\"},\"tags\":[\"old\"],"
                + "\"metadata\":{\"site\":\"Lyon\",\"rack\":4}}");

        Reply changed = server.patch("/api/v1/devices/patched",
                "{\"tags\":[\"new\",\"blue\"],\"metadata\":{\"rack\":null,\"floor\":2}}");

        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.json().getJsonArray("tags").getList()).containsExactly("blue", "new");
        assertThat(changed.json().getJsonObject("metadata").getMap()).containsOnlyKeys("site", "floor");
        assertThat(changed.json().getJsonArray("recentEvents").getJsonObject(0).getString("type")).isEqualTo("changed");
    }

    @Test
    void deprovisioning_removes_the_device_but_keeps_its_history() {
        server.post("/api/v1/devices", "{\"endpoint\":\"gone\",\"security\":{\"mode\":\"none\"}}");

        assertThat(server.delete("/api/v1/devices/gone").status()).isEqualTo(204);

        assertThat(server.get("/api/v1/devices/gone").status()).isEqualTo(404);
        assertThat(server.get("/api/v1/devices/gone/events").json().getJsonArray("items").encode())
                .contains("deprovisioned").contains("provisioned");
    }
}
