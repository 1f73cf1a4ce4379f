package dev.ferry.server.lwm2m;

import java.net.InetSocketAddress;
import java.security.cert.CertPath;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Predicate;

import javax.security.auth.x500.X500Principal;

import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertLevel;
import org.eclipse.californium.scandium.dtls.CertificateMessage;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.CertificateVerificationResult;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.util.ServerNames;
import org.eclipse.leshan.core.security.certificate.util.X509CertUtil;

/**
 * Scandium's certificate verification for device handshakes: raw public keys are left to the authorizer (it
 * compares them with the provisioned key), X.509 chains must lead to a trusted CA (the fleet CA and the
 * operator's {@code dtls.trusted-certificates}), and a certificate on the denylist is refused with a
 * {@code certificate_revoked} alert. The denylist check is an in-memory lookup on the handshake thread.
 */
final class RevocationCheckingVerifier implements NewAdvancedCertificateVerifier {
    private final NewAdvancedCertificateVerifier trust;
    private final Predicate<X509Certificate> revoked;

    RevocationCheckingVerifier(List<X509Certificate> trusted, Predicate<X509Certificate> revoked) {
        this.trust = StaticNewAdvancedCertificateVerifier.builder().setTrustAllRPKs()
                .setTrustedCertificates(trusted.toArray(new X509Certificate[0])).build();
        this.revoked = revoked;
    }

    @Override
    public List<CertificateType> getSupportedCertificateTypes() {
        return trust.getSupportedCertificateTypes();
    }

    @Override
    public CertificateVerificationResult verifyCertificate(ConnectionId cid, ServerNames serverName,
            InetSocketAddress remotePeer, boolean clientUsage, boolean verifySubject, boolean truncateCertificatePath,
            CertificateMessage message) {
        CertificateVerificationResult result = trust.verifyCertificate(cid, serverName, remotePeer, clientUsage,
                verifySubject, truncateCertificatePath, message);
        X509Certificate leaf = leaf(message.getCertificateChain());
        if (result == null || result.getException() != null || leaf == null || !revoked.test(leaf)) {
            return result;
        }
        return new CertificateVerificationResult(cid, new RevokedCertificateException(commonName(leaf),
                leaf.getSerialNumber().toString(16)), null);
    }

    @Override
    public List<X500Principal> getAcceptedIssuers() {
        return trust.getAcceptedIssuers();
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        trust.setResultHandler(resultHandler);
    }

    private static X509Certificate leaf(CertPath chain) {
        if (chain == null) {
            return null;
        }
        List<? extends Certificate> certificates = chain.getCertificates();
        return !certificates.isEmpty() && certificates.get(0) instanceof X509Certificate x509 ? x509 : null;
    }

    private static String commonName(X509Certificate certificate) {
        try {
            return X509CertUtil.extractCN(certificate.getSubjectX500Principal().getName());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A handshake refused because the device's certificate is revoked; names the device (the certificate's CN). */
    static final class RevokedCertificateException extends HandshakeException {
        private static final long serialVersionUID = 1L;
        private final String endpoint;

        RevokedCertificateException(String endpoint, String serial) {
            super("certificate " + serial + (endpoint == null ? "" : " of " + endpoint) + " is revoked",
                    new AlertMessage(AlertLevel.FATAL, AlertDescription.CERTIFICATE_REVOKED));
            this.endpoint = endpoint;
        }

        String endpoint() {
            return endpoint;
        }
    }
}
