package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import dev.ferry.server.config.ConfigException;
import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.lwm2m.ServerIdentity;
import dev.ferry.server.firmware.BlobStore;
import dev.ferry.server.testing.HttpsTrust;
import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.Faults;
import io.vertx.core.json.JsonObject;

/** The API over HTTPS: a generated self-signed certificate, the operator's PEM files, and the files refused. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HttpsApiTest {
    @TempDir
    Path files;

    @Test
    void the_api_answers_over_tls_with_a_generated_certificate_that_names_127_0_0_1() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(log);
        try (TestServer server = TestServer.givenServer().with(Setting.HTTP_TLS, "on").start()) {
            root.detachAppender(log);
            Path certificateFile = server.dataDir().resolve("https/certificate.pem");
            X509Certificate certificate = ServerIdentity.readCertificates(certificateFile).get(0);
            assertThat(certificate.getSubjectAlternativeNames()).map(name -> String.valueOf(name.get(1)))
                    .contains("127.0.0.1", "localhost");
            String fingerprint = HexFormat.ofDelimiter(":").withUpperCase().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
            assertThat(log.list).as("the log, for pinning").anyMatch(e -> e.getFormattedMessage().contains(fingerprint));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    server.dataDir().resolve("https/key.pem")))).isEqualTo("rw-------");

            HttpResponse<String> health = health(server, certificate);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.sslSession().orElseThrow().getProtocol()).isIn("TLSv1.2", "TLSv1.3");
            assertThat(health.sslSession().orElseThrow().getPeerCertificates()[0]).isEqualTo(certificate);

            assertThat(plainHttpTo(server.server().httpPort())).as("what plain HTTP to the HTTPS port gets back")
                    .doesNotContain("HTTP/1.1");
            assertThat(health(server, certificate).statusCode()).as("still serving after that").isEqualTo(200);

            server.restart();
            assertThat(ServerIdentity.readCertificates(certificateFile).get(0)).as("made once").isEqualTo(certificate);
            assertThat(health(server, certificate).statusCode()).isEqualTo(200);
        } finally {
            root.detachAppender(log);
        }
    }

    @Test
    void the_api_answers_over_tls_with_the_operators_key_and_certificate() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        X509Certificate certificate = certificate(pair, "SHA256withRSA");
        Path key = write("key.pem", ServerIdentity.pem(pair.getPrivate())); // PKCS#1 "RSA PRIVATE KEY"
        Path chain = write("chain.pem", ServerIdentity.pem(certificate));

        try (TestServer server = TestServer.givenServer().with(Setting.HTTP_TLS, "on")
                .with(Setting.HTTP_TLS_KEY, key.toString()).with(Setting.HTTP_TLS_CERTIFICATE, chain.toString())
                .start()) {
            HttpResponse<String> health = health(server, certificate);

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.sslSession().orElseThrow().getPeerCertificates()[0]).isEqualTo(certificate);
            assertThat(Files.exists(server.dataDir().resolve("https"))).as("nothing generated").isFalse();
        }
    }

    @Test
    void http_pulls_are_given_https_package_uris_whose_download_works_over_tls() throws Exception {
        try (UpdateFixture fixture = new UpdateFixture(TestServer.givenServer().with(Setting.HTTP_TLS, "on"))) {
            TestServer server = fixture.server;
            String sha256 = BlobStore.sha256Hex(fixture.v2);
            assertThat(server.baseUrl()).startsWith("https://");
            fixture.device("tls-puller", Faults.none());

            JsonObject session = fixture.start("tls-puller", fixture.firmwareV2, "pull-http");

            // The simulated device pulls over coap, coaps and http only: it refuses the https URI with update
            // result 9, as a device without a TLS stack would.
            JsonObject stored = fixture.outcome(session, "failed", "unsupported-protocol");
            assertThat(UpdateFixture.detailOf(stored, "downloading"))
                    .startsWith("writing package URI " + server.baseUrl() + "/fw/" + sha256 + "?token=(");
            assertThat(server.download("/fw/" + sha256).statusCode()).as("no token, over https").isEqualTo(403);
            assertThat(server.get("/health").status()).isEqualTo(200);
        }
    }

    @Test
    void missing_unreadable_or_mismatched_files_stop_the_start_naming_the_setting() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("EC").generateKeyPair();
        KeyPair other = KeyPairGenerator.getInstance("EC").generateKeyPair();
        Path chain = write("chain.pem", ServerIdentity.pem(certificate(pair, "SHA256withECDSA")));
        Path otherKey = write("other.pem", ServerIdentity.pem(new PemObject("PRIVATE KEY",
                other.getPrivate().getEncoded())));
        Path garbage = write("garbage.pem", "-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----\n");

        assertThatThrownBy(() -> start(files.resolve("absent.pem"), chain)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.tls.key").hasMessageContaining("no such file");
        assertThatThrownBy(() -> start(otherKey, chain)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.tls.key").hasMessageContaining("does not belong");
        assertThatThrownBy(() -> start(garbage, chain)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.tls.key").hasMessageContaining("cannot read");
        assertThatThrownBy(() -> start(otherKey, garbage)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.tls.certificate");
        assertThatThrownBy(() -> FerryConfig.of(Map.of(Setting.HTTP_TLS, "on", Setting.HTTP_TLS_KEY,
                otherKey.toString()))).isInstanceOf(ConfigException.class).hasMessageContaining("http.tls.certificate");
        assertThatThrownBy(() -> FerryConfig.of(Map.of(Setting.HTTP_TLS, "yes"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.tls must be on or off");
    }

    private void start(Path key, Path certificate) throws IOException {
        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        settings.put(Setting.BIND_ADDRESS, "127.0.0.1");
        settings.put(Setting.HTTP_PORT, "0");
        settings.put(Setting.COAP_PORT, "0");
        settings.put(Setting.COAPS_PORT, "0");
        settings.put(Setting.DATA_DIR, Files.createTempDirectory(files, "data").toString());
        settings.put(Setting.HTTP_TLS, "on");
        settings.put(Setting.HTTP_TLS_KEY, key.toString());
        settings.put(Setting.HTTP_TLS_CERTIFICATE, certificate.toString());
        FerryServer.start(FerryConfig.of(settings)).close();
    }

    /** GET /health over HTTPS, trusting only {@code certificate}, host name checked against 127.0.0.1. */
    private static HttpResponse<String> health(TestServer server, X509Certificate certificate) throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        HttpClient client = HttpClient.newBuilder().sslContext(HttpsTrust.trusting(certificate)).executor(executor)
                .connectTimeout(Duration.ofSeconds(5)).build();
        try {
            return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.server().httpPort()
                    + "/health")).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } finally {
            executor.shutdownNow();
        }
    }

    /** Sends a plain HTTP request and returns whatever comes back before the server closes the connection. */
    private static String plainHttpTo(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[1024];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server kept the plain-HTTP connection open without answering", e);
            } catch (IOException reset) {
                // A reset is a clean refusal too.
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static X509Certificate certificate(KeyPair pair, String algorithm) throws Exception {
        X500Name name = new X500Name("CN=ferry.test");
        Instant now = Instant.now();
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.TEN,
                Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name, pair.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "ferry.test"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1") }))
                .build(new JcaContentSignerBuilder(algorithm).build(pair.getPrivate())));
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(files.resolve(name), content);
    }
}
