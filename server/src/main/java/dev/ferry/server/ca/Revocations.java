package dev.ferry.server.ca;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.security.auth.x500.X500Principal;

/**
 * The serials of revoked fleet-CA certificates, in memory, for the DTLS handshake: a lookup here is all a
 * handshake costs, never the database. Loaded at start; a revocation is written to the database first, then here.
 */
public final class Revocations {
    private final X500Principal issuer;
    private final Set<BigInteger> serials = ConcurrentHashMap.newKeySet();

    Revocations(X500Principal issuer) {
        this.issuer = issuer;
    }

    /** Whether the certificate is one the fleet CA issued and then revoked. */
    public boolean isRevoked(X509Certificate certificate) {
        return serials.contains(certificate.getSerialNumber()) && issuer.equals(certificate.getIssuerX500Principal());
    }

    void addAll(Collection<BigInteger> revoked) {
        serials.addAll(revoked);
    }

    int size() {
        return serials.size();
    }
}
