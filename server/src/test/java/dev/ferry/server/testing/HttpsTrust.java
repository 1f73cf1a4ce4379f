package dev.ferry.server.testing;

import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.ferry.server.config.Setting;
import dev.ferry.server.lwm2m.ServerIdentity;

/** What a test's HTTPS client trusts: exactly the certificate the server under test presents, nothing else. */
public final class HttpsTrust {
    private HttpsTrust() {
    }

    /** The operator's certificate (http.tls.certificate) or the one generated in the data directory. */
    static X509Certificate presentedCertificate(Map<Setting, String> settings, Path dataDir) {
        String given = settings.getOrDefault(Setting.HTTP_TLS_CERTIFICATE, "");
        Path file = given.isBlank() ? dataDir.resolve("https/certificate.pem") : Path.of(given);
        try {
            return ServerIdentity.readCertificates(file).get(0);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the server's HTTPS certificate " + file, e);
        }
    }

    /** An SSL context whose only trust anchor is {@code certificate}; host names are still checked. */
    public static SSLContext trusting(X509Certificate certificate) {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("ferry", certificate);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot build an SSL context trusting " + certificate.getSubjectX500Principal(),
                    e);
        }
    }
}
