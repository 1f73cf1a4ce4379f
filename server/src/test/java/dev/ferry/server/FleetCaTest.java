package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.testing.Credentials;
import dev.ferry.server.testing.Fleet;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

/**
 * X.509 devices with the fleet CA, end to end: the device's key is made here (as on the device), only its CSR goes
 * to the API, and a real Leshan client registers over DTLS with the certificate the server signed. No
 * {@code dtls.trusted-certificates} is configured: the fleet CA alone lets the device in.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FleetCaTest {
    TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.givenServer().start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void a_device_registers_over_dtls_with_the_certificate_the_fleet_ca_signed_from_its_csr() throws Exception {
        provisionX509("meter-1");
        KeyPair keys = Credentials.ecKeyPair();

        TestServer.Reply reply = requestCertificate("meter-1", Credentials.pem(Credentials.csr("CN=meter-1", keys)));

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        JsonObject issued = reply.json();
        X509Certificate certificate = Credentials.certificate(issued.getString("certificate"));
        X509Certificate ca = Credentials.certificate(server.get("/api/v1/ca").json().getString("certificate"));
        assertThat(issued.getJsonArray("chain").getList()).containsExactly(server.get("/api/v1/ca").json()
                .getString("certificate"));
        certificate.verify(ca.getPublicKey());
        assertThat(certificate.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=meter-1");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
        assertThat(certificate.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2"); // clientAuth
        assertThat(certificate.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(certificate.getSerialNumber().bitLength()).isEqualTo(128);
        assertThat(new BigInteger(issued.getString("serial"), 16)).isEqualTo(certificate.getSerialNumber());
        assertThat(certificate.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(3640)));
        assertThat(ca.getBasicConstraints()).as("the CA is a CA").isGreaterThanOrEqualTo(0);
        assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(ca.getSubjectX500Principal().getName()).startsWith("CN=Ferry fleet CA ");

        try (TestDevice device = x509Device("meter-1", certificate, keys).start()) {
            server.waitForEvent("meter-1", DeviceEventType.REGISTERED);
        }

        JsonObject listed = server.get("/api/v1/devices/meter-1/certificates").json().getJsonArray("items")
                .getJsonObject(0);
        assertThat(listed.getString("serial")).isEqualTo(issued.getString("serial"));
        assertThat(listed.getBoolean("revoked")).isFalse();
        assertThat(listed.getString("notAfter")).isEqualTo(certificate.getNotAfter().toInstant().toString());
        assertThat(listed.fieldNames()).noneMatch(name -> name.toLowerCase().contains("key"));
    }

    @Test
    void a_revoked_certificate_is_refused_at_the_next_handshake_and_its_open_session_is_dropped() {
        provisionX509("meter-2");
        KeyPair keys = Credentials.ecKeyPair();
        JsonObject issued = requestCertificate("meter-2", Credentials.pem(Credentials.csr("CN=meter-2", keys)))
                .json();
        X509Certificate certificate = Credentials.certificate(issued.getString("certificate"));
        try (TestDevice device = x509Device("meter-2", certificate, keys).start()) {
            server.waitForEvent("meter-2", DeviceEventType.REGISTERED);

            TestServer.Reply revoked = server.post("/api/v1/devices/meter-2/certificate/revoke",
                    new JsonObject().put("serial", issued.getString("serial")).put("reason", "device stolen").encode());

            assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
            assertThat(revoked.json().getJsonArray("revoked").getJsonObject(0).getString("serial"))
                    .isEqualTo(issued.getString("serial"));
            // The open DTLS session that carried the registration is gone, and with it the registration.
            server.waitForEvent("meter-2", DeviceEventType.DEREGISTERED);
            assertThat(server.get("/api/v1/devices/meter-2").json().getBoolean("online")).isFalse();
        }

        try (TestDevice again = x509Device("meter-2", certificate, keys).start()) {
            DeviceEvent rejected = server.waitForEvent(e -> e.type() == DeviceEventType.REJECTED
                    && "meter-2".equals(e.endpoint()), "rejection of meter-2's revoked certificate");
            assertThat(rejected.detail()).contains("certificate " + issued.getString("serial")).contains("revoked");
        }
        assertThat(server.eventsSoFar()).filteredOn(e -> e.type() == DeviceEventType.REGISTERED).hasSize(1);
        JsonObject listed = server.get("/api/v1/devices/meter-2/certificates").json().getJsonArray("items")
                .getJsonObject(0);
        assertThat(listed.getBoolean("revoked")).isTrue();
        assertThat(listed.getString("revocationReason")).isEqualTo("device stolen");
    }

    @Test
    void a_new_certificate_lets_a_device_back_in_after_its_old_one_was_revoked() {
        provisionX509("meter-3");
        KeyPair oldKeys = Credentials.ecKeyPair();
        requestCertificate("meter-3", Credentials.pem(Credentials.csr("CN=meter-3", oldKeys)));
        assertThat(server.post("/api/v1/devices/meter-3/certificate/revoke", null).status()).isEqualTo(200);
        KeyPair newKeys = Credentials.ecKeyPair();

        JsonObject issued = requestCertificate("meter-3", Credentials.pem(Credentials.csr("CN=meter-3", newKeys)))
                .json();

        try (TestDevice device = x509Device("meter-3", Credentials.certificate(issued.getString("certificate")),
                newKeys).start()) {
            server.waitForEvent("meter-3", DeviceEventType.REGISTERED);
        }
        List<Object> revokedFlags = server.get("/api/v1/devices/meter-3/certificates").json().getJsonArray("items")
                .stream().map(o -> ((JsonObject) o).getValue("revoked")).toList();
        assertThat(revokedFlags).as("newest first").containsExactly(false, true);
    }

    @Test
    void deprovisioning_revokes_the_devices_certificates_so_a_new_device_of_that_name_does_not_inherit_them() {
        provisionX509("meter-4");
        KeyPair keys = Credentials.ecKeyPair();
        X509Certificate certificate = Credentials.certificate(requestCertificate("meter-4",
                Credentials.pem(Credentials.csr("CN=meter-4", keys))).json().getString("certificate"));
        assertThat(server.delete("/api/v1/devices/meter-4").status()).isEqualTo(204);

        provisionX509("meter-4");

        assertThat(server.get("/api/v1/devices/meter-4/certificates").json().getJsonArray("items").getJsonObject(0)
                .getString("revocationReason")).isEqualTo("device deprovisioned");
        try (TestDevice device = x509Device("meter-4", certificate, keys).start()) {
            DeviceEvent rejected = server.waitForEvent(e -> e.type() == DeviceEventType.REJECTED
                    && "meter-4".equals(e.endpoint()), "rejection of the old certificate of meter-4");
            assertThat(rejected.detail()).contains("revoked");
        }
    }

    private void provisionX509(String endpoint) {
        TestServer.Reply reply = server.post("/api/v1/devices",
                "{\"endpoint\":\"" + endpoint + "\",\"security\":{\"mode\":\"x509\"}}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    }

    private TestServer.Reply requestCertificate(String endpoint, String csrPem) {
        return server.post("/api/v1/devices/" + endpoint + "/certificate", new JsonObject().put("csr", csrPem).encode());
    }

    private TestDevice.Builder x509Device(String endpoint, X509Certificate certificate, KeyPair keys) {
        return TestDevice.device(endpoint).x509(server.coapsUri(), certificate, keys.getPrivate(),
                new Fleet(server, null).serverCertificate());
    }
}
