package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.config.ConfigException;
import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.testing.Credentials;
import dev.ferry.server.testing.Fleet;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

/** Where the fleet CA lives: kept in the data directory across restarts, or the operator's own CA files. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FleetCaStorageTest {
    Path files;

    @BeforeEach
    void createDirectory() throws IOException {
        files = Files.createTempDirectory("ferry-ca-files-");
    }

    @AfterEach
    void removeDirectory() throws IOException {
        try (var walk = Files.walk(files)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void the_ca_its_certificates_and_its_revocations_survive_a_restart() throws IOException {
        try (TestServer server = TestServer.givenServer().start()) {
            Path key = server.dataDir().resolve("ca/fleet-ca-key.pem");
            assertThat(Files.getPosixFilePermissions(key))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            String caBefore = server.get("/api/v1/ca").json().getString("certificate");
            String keyBody = Files.readString(key).replaceAll("-----[A-Z ]+-----|\\s", "");
            KeyPair keptKeys = Credentials.ecKeyPair();
            X509Certificate kept = issue(server, "door-1", keptKeys);
            KeyPair revokedKeys = Credentials.ecKeyPair();
            X509Certificate revoked = issue(server, "door-2", revokedKeys);
            assertThat(server.post("/api/v1/devices/door-2/certificate/revoke", "{}").status()).isEqualTo(200);
            for (String path : new String[] {"/api/v1/ca", "/api/v1/devices/door-1/certificates",
                    "/api/v1/devices/door-2/certificates", "/api/v1/server/security"}) {
                assertThat(server.get(path).body().replace("\\n", "")).as(path).doesNotContain(keyBody)
                        .doesNotContain(keyBody.substring(keyBody.length() - 40)); // the secret scalar
            }

            server.restart();

            assertThat(server.get("/api/v1/ca").json().getString("certificate")).isEqualTo(caBefore);
            try (TestDevice device = x509Device(server, "door-1", kept, keptKeys).start()) {
                server.waitForEvent("door-1", DeviceEventType.REGISTERED);
            }
            try (TestDevice device = x509Device(server, "door-2", revoked, revokedKeys).start()) {
                assertThat(server.waitForEvent(e -> e.type() == DeviceEventType.REJECTED
                        && "door-2".equals(e.endpoint()), "rejection of door-2 after the restart").detail())
                        .contains("revoked");
            }
            assertThat(server.eventsSoFar()).noneMatch(e -> e.type() == DeviceEventType.REGISTERED
                    && "door-2".equals(e.endpoint()));
        }
    }

    @Test
    void an_operator_ca_given_in_the_settings_signs_the_device_certificates() throws Exception {
        Credentials.Authority operatorCa = Credentials.Authority.create("Acme Factory CA");
        try (TestServer server = TestServer.givenServer()
                .with(Setting.CA_CERTIFICATE, operatorCa.writePem(files).toString())
                .with(Setting.CA_KEY, operatorCa.writeKeyPem(files).toString()).start()) {
            JsonObject ca = server.get("/api/v1/ca").json();
            assertThat(Credentials.certificate(ca.getString("certificate"))).isEqualTo(operatorCa.certificate());
            assertThat(server.dataDir().resolve("ca")).doesNotExist();
            KeyPair keys = Credentials.ecKeyPair();

            X509Certificate certificate = issue(server, "door-3", keys);

            certificate.verify(operatorCa.keys().getPublic());
            assertThat(certificate.getIssuerX500Principal()).isEqualTo(operatorCa.certificate().getSubjectX500Principal());
            try (TestDevice device = x509Device(server, "door-3", certificate, keys).start()) {
                server.waitForEvent("door-3", DeviceEventType.REGISTERED);
            }
        }
    }

    @Test
    void a_ca_key_that_is_missing_or_not_the_certificates_stops_the_start_naming_the_setting() {
        Credentials.Authority operatorCa = Credentials.Authority.create("Acme Factory CA");
        Path certificate = operatorCa.writePem(files);
        Path otherKey = Credentials.Authority.create("Other CA").writeKeyPem(files);

        assertThatThrownBy(() -> TestServer.givenServer().with(Setting.CA_CERTIFICATE, certificate.toString())
                .with(Setting.CA_KEY, otherKey.toString()).start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ca.key: the private key in " + otherKey + " does not belong to the certificate");
        assertThatThrownBy(() -> TestServer.givenServer().with(Setting.CA_CERTIFICATE, certificate.toString())
                .with(Setting.CA_KEY, files.resolve("missing.pem").toString()).start())
                .isInstanceOf(ConfigException.class).hasMessageContaining("ca.key: cannot read a PEM private key");
    }

    @Test
    void a_certificate_that_is_not_a_ca_stops_the_start_naming_the_setting() throws IOException {
        Credentials.Authority operatorCa = Credentials.Authority.create("Acme Factory CA");
        KeyPair deviceKeys = Credentials.ecKeyPair();
        Path leaf = files.resolve("leaf.pem");
        Files.writeString(leaf, Credentials.pem(operatorCa.issue("door-9", deviceKeys)));
        Path leafKey = files.resolve("leaf-key.pem");
        Files.writeString(leafKey, Credentials.pem(deviceKeys.getPrivate()));

        assertThatThrownBy(() -> TestServer.givenServer().with(Setting.CA_CERTIFICATE, leaf.toString())
                .with(Setting.CA_KEY, leafKey.toString()).start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ca.certificate: CN=door-9 in " + leaf + " is not a CA certificate");
        assertThatThrownBy(() -> TestServer.givenServer().with(Setting.CA_CERTIFICATE, leaf.toString()).start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ca.key is empty but ca.certificate is set");
    }

    private static X509Certificate issue(TestServer server, String endpoint, KeyPair keys) {
        TestServer.Reply provisioned = server.post("/api/v1/devices",
                "{\"endpoint\":\"" + endpoint + "\",\"security\":{\"mode\":\"x509\"}}");
        assertThat(provisioned.status()).as(provisioned.body()).isEqualTo(201);
        TestServer.Reply reply = server.post("/api/v1/devices/" + endpoint + "/certificate", new JsonObject()
                .put("csr", Credentials.pem(Credentials.csr("CN=" + endpoint, keys))).encode());
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return Credentials.certificate(reply.json().getString("certificate"));
    }

    private static TestDevice.Builder x509Device(TestServer server, String endpoint, X509Certificate certificate,
            KeyPair keys) {
        return TestDevice.device(endpoint).x509(server.coapsUri(), certificate, keys.getPrivate(),
                new Fleet(server, null).serverCertificate());
    }
}
