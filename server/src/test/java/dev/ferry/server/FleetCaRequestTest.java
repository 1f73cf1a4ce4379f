package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.ferry.server.api.AccessRules;
import dev.ferry.server.api.ApiRoute;
import dev.ferry.server.auth.Role;
import dev.ferry.server.testing.Credentials;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

/**
 * Refused certificate requests and revocations: each answers a precise problem and issues or changes nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FleetCaRequestTest {
    static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.givenServer().start();
        server.post("/api/v1/devices", "{\"endpoint\":\"cam-1\",\"security\":{\"mode\":\"x509\"}}");
        server.post("/api/v1/devices", "{\"endpoint\":\"psk-1\",\"security\":{\"mode\":\"psk\"}}");
        server.post("/api/v1/devices", "{\"endpoint\":\"cam+2\",\"security\":{\"mode\":\"x509\"}}");
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    static Stream<Arguments> refusedRequests() throws java.io.IOException {
        String good = Credentials.pem(Credentials.csr("CN=cam-1", Credentials.ecKeyPair()));
        return Stream.of(
                Arguments.of("cam-1", csrBody(Credentials.pem(Credentials.csr("CN=cam-2", Credentials.ecKeyPair()))),
                        422, "csr-subject-mismatch", "csr subject CN is 'cam-2' but the certificate is requested for"
                                + " device 'cam-1'"),
                Arguments.of("cam-1", csrBody(Credentials.pem(Credentials.csr("O=Acme", Credentials.ecKeyPair()))),
                        422, "csr-subject-mismatch", "exactly one CN"),
                Arguments.of("cam-1", csrBody(brokenSignature(Credentials.csr("CN=cam-1", Credentials.ecKeyPair())
                        .getEncoded())), 400, "invalid-csr", "csr signature does not verify"),
                Arguments.of("cam-1", csrBody(Credentials.pem(Credentials.csr("CN=cam-1", Credentials.rsaKeyPair()))),
                        400, "invalid-csr", "must be EC P-256 (secp256r1 / prime256v1), the key the server's DTLS"
                                + " cipher suites (ECDHE-ECDSA) take; got an RSA 2048-bit key"),
                Arguments.of("cam-1", csrBody(Credentials.pem(Credentials.ecKeyPair().getPrivate())), 400, "invalid-csr",
                        "never send a device's private key"),
                Arguments.of("cam-1", csrBody("-----BEGIN CERTIFICATE REQUEST-----\nnot base64!\n"
                        + "-----END CERTIFICATE REQUEST-----\n"), 400, "invalid-csr", "not a readable PEM"),
                Arguments.of("cam-1", csrBody("hello"), 400, "invalid-csr", "holds no PEM object"),
                Arguments.of("cam-1", "{}", 400, "invalid-csr", "csr is required"),
                Arguments.of("cam-1", "{\"csr\":42}", 400, "invalid-request", "csr must be a string"),
                Arguments.of("cam-1", new JsonObject().put("csr", good).put("key", "x").encode(), 400,
                        "invalid-request", "unknown field(s) [key]"),
                Arguments.of("psk-1", csrBody(Credentials.pem(Credentials.csr("CN=psk-1", Credentials.ecKeyPair()))),
                        409, "not-x509-device", "provisioned for security mode psk"),
                Arguments.of("cam+2", csrBody(Credentials.pem(Credentials.csr("CN=cam\\+2", Credentials.ecKeyPair()))),
                        409, "endpoint-not-certifiable", "holds a '+', which certificate names escape"),
                Arguments.of("nobody", csrBody(Credentials.pem(Credentials.csr("CN=nobody", Credentials.ecKeyPair()))),
                        404, "unknown-device", "no device with endpoint 'nobody'"));
    }

    @ParameterizedTest(name = "{3}: {4}")
    @MethodSource("refusedRequests")
    void a_refused_certificate_request_answers_a_precise_problem_and_issues_nothing(String endpoint, String body,
            int status, String type, String detail) {
        TestServer.Reply reply = server.post("/api/v1/devices/" + endpoint + "/certificate", body);

        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().getString("type")).isEqualTo("urn:ferry:problem:" + type);
        assertThat(reply.json().getString("detail")).contains(detail);
        assertThat(reply.body()).doesNotContain("PRIVATE KEY").doesNotContain("Exception");
        assertThat(server.get("/api/v1/devices/cam-1/certificates").json().getJsonArray("items")).isEmpty();
    }

    @Test
    void revocations_of_unknown_devices_and_serials_are_refused() {
        TestServer.Reply unknownDevice = server.post("/api/v1/devices/nobody/certificate/revoke", null);
        TestServer.Reply unknownSerial = server.post("/api/v1/devices/cam-1/certificate/revoke",
                "{\"serial\":\"abc123\"}");
        TestServer.Reply badSerial = server.post("/api/v1/devices/cam-1/certificate/revoke", "{\"serial\":\"xyz\"}");
        TestServer.Reply unknownField = server.post("/api/v1/devices/cam-1/certificate/revoke", "{\"all\":true}");

        assertThat(unknownDevice.status()).isEqualTo(404);
        assertThat(unknownDevice.json().getString("detail")).contains("no device with endpoint 'nobody'");
        assertThat(unknownSerial.status()).isEqualTo(404);
        assertThat(unknownSerial.json().getString("detail")).contains("has no certificate with serial abc123");
        assertThat(badSerial.status()).isEqualTo(400);
        assertThat(badSerial.json().getString("detail")).contains("serial must be the certificate's serial number");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.json().getString("detail")).contains("unknown field(s) [all]");
        assertThat(server.get("/api/v1/devices/nobody/certificates").status()).isEqualTo(404);
    }

    @Test
    void a_revocation_without_a_serial_revokes_every_valid_certificate_of_the_device_once() {
        server.post("/api/v1/devices", "{\"endpoint\":\"cam-9\",\"security\":{\"mode\":\"x509\"}}");
        for (int i = 0; i < 2; i++) {
            TestServer.Reply issued = server.post("/api/v1/devices/cam-9/certificate",
                    csrBody(Credentials.pem(Credentials.csr("CN=cam-9", Credentials.ecKeyPair()))));
            assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        }

        TestServer.Reply first = server.post("/api/v1/devices/cam-9/certificate/revoke", "{}");
        TestServer.Reply second = server.post("/api/v1/devices/cam-9/certificate/revoke", "{}");

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().getJsonArray("revoked")).hasSize(2);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().getJsonArray("revoked")).as("already revoked").isEmpty();
        assertThat(server.get("/api/v1/devices/cam-9/certificates").json().getJsonArray("items").stream()
                .map(o -> ((JsonObject) o).getBoolean("revoked"))).containsExactly(true, true);
    }

    @Test
    void every_fleet_ca_route_has_its_access_rule() {
        Map<String, Role> expected = Map.of("GET /api/v1/ca", Role.VIEWER,
                "POST /api/v1/devices/:endpoint/certificate", Role.OPERATOR,
                "GET /api/v1/devices/:endpoint/certificates", Role.VIEWER,
                "POST /api/v1/devices/:endpoint/certificate/revoke", Role.OPERATOR);
        Map<String, Role> ruled = new TreeMap<>();
        for (ApiRoute route : server.server().httpApiRoutes()) {
            String name = route.method().name() + " " + route.path();
            if (expected.containsKey(name)) {
                ruled.put(name, AccessRules.of(route.method(), route.path()).flatMap(AccessRules.Rule::needed)
                        .orElse(null));
            }
        }

        assertThat(ruled).isEqualTo(new TreeMap<>(expected));
    }

    private static String csrBody(String pem) {
        return new JsonObject().put("csr", pem).encode();
    }

    /** The CSR with one bit of its signature flipped (the signature is the last element of the DER). */
    private static String brokenSignature(byte[] der) {
        byte[] broken = der.clone();
        broken[broken.length - 1] ^= 0x01;
        return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(broken) + "\n-----END CERTIFICATE REQUEST-----\n";
    }
}
