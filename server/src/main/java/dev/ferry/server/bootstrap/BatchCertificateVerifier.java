package dev.ferry.server.bootstrap;

import java.net.InetSocketAddress;
import java.security.cert.CertPath;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

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

import dev.ferry.server.ca.DeviceCertificates;
import dev.ferry.server.ca.Revocations;

/**
 * The bootstrap server's check of X.509 client certificates: the chain must lead to the fleet CA (and to no other
 * CA: the operator's {@code dtls.trusted-certificates} vouch for devices, not for batches), the certificate must not
 * be on the fleet CA's denylist, and it must be the bootstrap certificate of a production batch, found by its
 * SHA-256 fingerprint. A device's own certificate (from its CSR) is refused here, as is a revoked batch's. A
 * refusal is recorded as a {@code rejected} event; a batch that is expired or exhausted is refused later, by
 * {@link BatchAuthorizer}, which knows the endpoint. All from memory, on the handshake thread.
 */
final class BatchCertificateVerifier implements NewAdvancedCertificateVerifier {
    private final NewAdvancedCertificateVerifier trust;
    private final Revocations revocations;
    private final BatchCredentials credentials;
    private final DeviceBootstrapper bootstrapper;

    BatchCertificateVerifier(X509Certificate fleetCa, Revocations revocations, BatchCredentials credentials,
            DeviceBootstrapper bootstrapper) {
        this.trust = StaticNewAdvancedCertificateVerifier.builder().setTrustedCertificates(fleetCa).build();
        this.revocations = revocations;
        this.credentials = credentials;
        this.bootstrapper = bootstrapper;
    }

    @Override
    public List<CertificateType> getSupportedCertificateTypes() {
        return List.of(CertificateType.X_509);
    }

    @Override
    public CertificateVerificationResult verifyCertificate(ConnectionId cid, ServerNames serverName,
            InetSocketAddress remotePeer, boolean clientUsage, boolean verifySubject, boolean truncateCertificatePath,
            CertificateMessage message) {
        CertificateVerificationResult result = trust.verifyCertificate(cid, serverName, remotePeer, clientUsage,
                verifySubject, truncateCertificatePath, message);
        X509Certificate leaf = leaf(message.getCertificateChain());
        String peer = BatchAuthorizer.address(remotePeer);
        if (result == null || leaf == null) {
            return result;
        }
        String serial = leaf.getSerialNumber().toString(16);
        if (result.getException() != null) {
            bootstrapper.refuse(null, "certificate " + serial + " (" + leaf.getSubjectX500Principal().getName()
                    + ") is not from the fleet CA: " + result.getException().getMessage(), peer);
            return result;
        }
        Optional<BatchCredentials.State> batch = credentials.byCertificateFingerprint(
                DeviceCertificates.fingerprint(leaf));
        if (batch.isPresent() && revocations.isRevoked(leaf)) {
            Batch b = batch.get().batch();
            bootstrapper.refuse(null, "bootstrap certificate " + serial + " of batch '" + b.name() + "' (" + b.id()
                    + ") is revoked" + (b.revokedAt() == null ? "" : ": the batch was revoked at " + b.revokedAt()),
                    peer);
            return refused(cid, "certificate " + serial + " is revoked", AlertDescription.CERTIFICATE_REVOKED);
        }
        if (batch.isEmpty()) {
            bootstrapper.refuse(null, "certificate " + serial + " (" + leaf.getSubjectX500Principal().getName()
                    + ") is not a production batch's bootstrap certificate; a device certificate registers at the"
                    + " LwM2M server, it does not bootstrap", peer);
            return refused(cid, "certificate " + serial + " is no batch's", AlertDescription.ACCESS_DENIED);
        }
        return result;
    }

    private static CertificateVerificationResult refused(ConnectionId cid, String message, AlertDescription alert) {
        return new CertificateVerificationResult(cid, new HandshakeException(message,
                new AlertMessage(AlertLevel.FATAL, alert)), null);
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
}
