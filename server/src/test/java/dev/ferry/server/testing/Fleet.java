package dev.ferry.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;

import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;

import dev.ferry.server.device.SecurityMode;
import io.vertx.core.json.JsonObject;

/** Provisions devices through the real API and starts matching Leshan clients. */
public final class Fleet {
    private final TestServer server;
    private final Credentials.Authority authority;

    public Fleet(TestServer server, Credentials.Authority authority) {
        this.server = server;
        this.authority = authority;
    }

    /** Provisions {@code endpoint} with {@code mode} (server-generated PSK) and returns a client ready to start. */
    public TestDevice.Builder provision(String endpoint, SecurityMode mode) {
        JsonObject security = new JsonObject().put("mode", mode.wireName());
        KeyPair keys = Credentials.ecKeyPair();
        if (mode == SecurityMode.RPK) {
            security.put("publicKey", Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()));
        }
        TestServer.Reply reply = server.post("/api/v1/devices",
                new JsonObject().put("endpoint", endpoint).put("security", security).encode());
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        TestDevice.Builder device = TestDevice.device(endpoint);
        return switch (mode) {
        case NONE -> device.noSec(server.coapUri());
        case PSK -> device.psk(server.coapsUri(), endpoint,
                HexFormat.of().parseHex(reply.json().getJsonObject("security").getString("key")))
                .cipherSuites(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        case RPK -> device.rpk(server.coapsUri(), keys, serverCertificate().getPublicKey());
        case X509 -> device.x509(server.coapsUri(), authority.issue(endpoint, keys), keys.getPrivate(),
                serverCertificate());
        };
    }

    public X509Certificate serverCertificate() {
        String pem = server.get("/api/v1/server/security").json().getString("certificate");
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
