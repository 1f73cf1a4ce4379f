package dev.ferry.server.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HexFormat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.testing.Credentials;
import dev.ferry.server.testing.Fleet;
import dev.ferry.server.testing.LogCapture;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

/**
 * Batches whose bootstrap credential is a certificate from the fleet CA: real Leshan clients holding only the
 * batch certificate and its key, against a real server's bootstrap (5784) and LwM2M (5684) endpoints.
 */
@Timeout(90)
class X509BatchTest {
    static final String BATCHES = "/api/v1/provisioning/batches";
    static LogCapture log;
    static TestServer server;
    static X509Certificate serverCertificate;

    @BeforeAll
    static void startServer() {
        log = new LogCapture();
        server = TestServer.givenServer().with(Setting.READ_DEVICE_INFO, "false").start();
        serverCertificate = new Fleet(server, null).serverCertificate();
    }

    @AfterAll
    static void stopServer() {
        server.close();
        log.close();
    }

    /** An x509 batch as its 201 showed it: the certificate and the private key, which no other reply carries. */
    record X509Batch(long id, String commonName, X509Certificate certificate, PrivateKey key, String keyPem,
            JsonObject created) {
        String path() {
            return BATCHES + "/" + id;
        }

        /** The base64 body of the private key's PEM, the form in which it would leak. */
        String keyBody() {
            return keyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        }
    }

    static X509Batch x509Batch(String name, int maxDevices) {
        TestServer.Reply reply = server.post(BATCHES, new JsonObject().put("name", name).put("maxDevices", maxDevices)
                .put("expiresInSeconds", 3600).put("credential", "x509").put("tags", new io.vertx.core.json.JsonArray()
                        .add("line-4")).put("model", "meter-y").encode());
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        JsonObject json = reply.json();
        JsonObject bootstrap = json.getJsonObject("bootstrap");
        String keyPem = bootstrap.getString("privateKey");
        X509Certificate certificate = Credentials.certificate(bootstrap.getString("certificatePem"));
        return new X509Batch(json.getLong("id"), bootstrap.getJsonObject("certificate").getString("commonName"),
                certificate, privateKey(keyPem), keyPem, json);
    }

    @Test
    void a_device_with_only_the_batch_certificate_bootstraps_gets_its_own_psk_and_registers() throws Exception {
        X509Batch batch = x509Batch("line-4 week 48", 10);

        JsonObject created = batch.created();
        assertThat(created.getString("credential")).isEqualTo("x509");
        JsonObject bootstrap = created.getJsonObject("bootstrap");
        assertThat(bootstrap.containsKey("pskIdentity")).isFalse();
        assertThat(bootstrap.containsKey("key")).isFalse();
        assertThat(batch.keyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
        String caPem = server.get("/api/v1/ca").json().getString("certificate");
        assertThat(bootstrap.getJsonArray("chain").getList()).containsExactly(caPem);
        X509Certificate certificate = batch.certificate();
        certificate.verify(Credentials.certificate(caPem).getPublicKey());
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=" + batch.commonName());
        assertThat(batch.commonName()).startsWith("ferry-batch-");
        assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2"); // clientAuth
        assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(Duration.between(certificate.getNotAfter().toInstant(),
                OffsetDateTime.parse(created.getString("expiresAt")).toInstant()).abs()).isLessThan(Duration.ofSeconds(2));
        assertThat(keyBelongsTo(batch.key(), certificate)).isTrue();
        JsonObject shownCertificate = bootstrap.getJsonObject("certificate");
        assertThat(shownCertificate.getString("serial")).isEqualTo(certificate.getSerialNumber().toString(16));
        assertThat(shownCertificate.getString("fingerprintSha256")).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded())));

        try (TestDevice device = TestDevice.device("meter-x0001").bootstrapX509(server.bootstrapCoapsUri(),
                certificate, batch.key(), serverCertificate).start()) {
            server.waitForEvent("meter-x0001", DeviceEventType.REGISTERED);

            JsonObject shown = server.get("/api/v1/devices/meter-x0001").json();
            assertThat(shown.getJsonObject("security").getString("mode")).isEqualTo("psk");
            assertThat(shown.getJsonObject("security").getString("identity")).isEqualTo("meter-x0001");
            assertThat(shown.getJsonArray("tags").getList()).containsExactly("line-4");
            assertThat(shown.getString("model")).isEqualTo("meter-y");
            assertThat(device.bootstrapCount()).isEqualTo(1);
        }
        JsonObject detail = server.get(batch.path()).json();
        assertThat(detail.getString("credential")).isEqualTo("x509");
        assertThat(detail.getInteger("produced")).isEqualTo(1);
        assertThat(detail.getJsonArray("devices").getJsonObject(0).getString("endpoint")).isEqualTo("meter-x0001");
        assertThat(detail.getJsonObject("bootstrap").getJsonObject("certificate"))
                .isEqualTo(shownCertificate);

        String listed = server.get(BATCHES).body() + server.get(batch.path()).body()
                + server.get("/api/v1/events?limit=1000").body() + server.get("/api/v1/audit").body();
        assertThat(listed).contains(shownCertificate.getString("fingerprintSha256")).doesNotContain(batch.keyBody())
                .doesNotContain("PRIVATE KEY").doesNotContain("privateKey");
        // Past the fixed PKCS#8 header that every P-256 key shares: the private scalar itself.
        String scalar = Base64.getEncoder().encodeToString(batch.key().getEncoded()).substring(48, 90);
        assertThat(log.text()).contains(batch.commonName()).doesNotContain(batch.keyBody()).doesNotContain(scalar);
        assertThat(listed).doesNotContain(scalar);
    }

    @Test
    void the_batch_certificate_is_refused_by_the_lwm2m_server_even_for_a_device_provisioned_under_its_cn() {
        X509Batch batch = x509Batch("lwm2m refusal", 10);
        // The worst case: someone provisioned an x509 device whose endpoint is the batch's CN.
        TestServer.Reply provisioned = server.post("/api/v1/devices",
                "{\"endpoint\":\"" + batch.commonName() + "\",\"security\":{\"mode\":\"x509\"}}");
        assertThat(provisioned.status()).as(provisioned.body()).isEqualTo(201);

        try (TestDevice intruder = TestDevice.device(batch.commonName()).x509(server.coapsUri(), batch.certificate(),
                batch.key(), serverCertificate).start()) {
            DeviceEvent rejected = server.waitForEvent(e -> e.type() == DeviceEventType.REJECTED
                    && batch.commonName().equals(e.endpoint()), "refused handshake with the batch certificate");

            assertThat(rejected.detail()).contains(batch.certificate().getSerialNumber().toString(16));
            assertThat(server.eventsSoFar()).noneMatch(e -> e.type() == DeviceEventType.REGISTERED
                    && batch.commonName().equals(e.endpoint()));
            assertThat(server.get("/api/v1/devices/" + batch.commonName()).json().getBoolean("online")).isFalse();
        }
    }

    @Test
    void a_device_certificate_from_its_csr_is_refused_by_the_bootstrap_server() {
        x509Batch("device certificate check", 10); // a batch exists: the refusal is not for want of one
        assertThat(server.post("/api/v1/devices", "{\"endpoint\":\"meter-x0100\",\"security\":{\"mode\":\"x509\"}}")
                .status()).isEqualTo(201);
        KeyPair keys = Credentials.ecKeyPair();
        TestServer.Reply issued = server.post("/api/v1/devices/meter-x0100/certificate", new JsonObject()
                .put("csr", Credentials.pem(Credentials.csr("CN=meter-x0100", keys))).encode());
        assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        X509Certificate deviceCertificate = Credentials.certificate(issued.json().getString("certificate"));

        try (TestDevice device = TestDevice.device("meter-x0100").bootstrapX509(server.bootstrapCoapsUri(),
                deviceCertificate, keys.getPrivate(), serverCertificate).start()) {
            DeviceEvent rejected = server.waitForEvent(e -> e.type() == DeviceEventType.REJECTED
                    && e.detail().contains("certificate " + deviceCertificate.getSerialNumber().toString(16)),
                    "refused bootstrap with a device certificate");

            assertThat(rejected.detail()).startsWith("bootstrap refused: ")
                    .contains("is not a production batch's bootstrap certificate");
            assertThat(device.bootstrapCount()).isZero();
        }
    }

    @Test
    void a_revoked_batch_certificate_is_refused_by_the_bootstrap_server_also_after_a_restart() {
        X509Batch batch = x509Batch("revoked x509", 10);
        assertThat(server.delete(batch.path()).status()).isEqualTo(204);

        try (TestDevice device = TestDevice.device("meter-x0200").bootstrapX509(server.bootstrapCoapsUri(),
                batch.certificate(), batch.key(), serverCertificate).start()) {
            DeviceEvent rejected = server.waitForEvent(e -> e.type() == DeviceEventType.REJECTED
                    && e.detail().contains("batch 'revoked x509'"), "refused bootstrap with a revoked batch");

            assertThat(rejected.detail()).contains("is revoked").contains("the batch was revoked at");
            assertThat(server.get("/api/v1/devices/meter-x0200").status()).isEqualTo(404);
            assertThat(device.bootstrapCount()).isZero();
        }
        assertThat(server.get(batch.path()).json().getString("state")).isEqualTo("revoked");

        // The denylist is memory: after a restart the batch's revocation puts the certificate back on it.
        server.restart();
        try (TestDevice device = TestDevice.device("meter-x0201").bootstrapX509(server.bootstrapCoapsUri(),
                batch.certificate(), batch.key(), serverCertificate).start()) {
            DeviceEvent rejected = server.waitForEvent(e -> e.type() == DeviceEventType.REJECTED
                    && e.detail().contains("batch 'revoked x509'"), "refused bootstrap after the restart");

            assertThat(rejected.detail()).contains("bootstrap certificate " + batch.certificate().getSerialNumber()
                    .toString(16) + " of batch 'revoked x509'").contains("is revoked");
            assertThat(server.get("/api/v1/devices/meter-x0201").status()).isEqualTo(404);
        }
    }

    @Test
    void an_exhausted_x509_batch_refuses_the_next_device_with_a_rejected_event() {
        X509Batch batch = x509Batch("one x509 only", 1);
        try (TestDevice first = TestDevice.device("meter-x0300").bootstrapX509(server.bootstrapCoapsUri(),
                batch.certificate(), batch.key(), serverCertificate).start()) {
            server.waitForEvent("meter-x0300", DeviceEventType.REGISTERED);
        }
        try (TestDevice second = TestDevice.device("meter-x0301").bootstrapX509(server.bootstrapCoapsUri(),
                batch.certificate(), batch.key(), serverCertificate).start()) {
            DeviceEvent rejected = server.waitForEvent("meter-x0301", DeviceEventType.REJECTED);

            assertThat(rejected.detail()).contains("is exhausted: it produced its 1 device(s)");
            assertThat(server.get("/api/v1/devices/meter-x0301").status()).isEqualTo(404);
        }
    }

    private static PrivateKey privateKey(String pem) {
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean keyBelongsTo(PrivateKey key, X509Certificate certificate) throws Exception {
        byte[] challenge = "bootstrap".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(challenge);
        return verifier.verify(signature);
    }
}
