package dev.ferry.server.ca;

import java.time.OffsetDateTime;

/**
 * A certificate the fleet CA issued to a device: public data only (the device keeps its key). {@code serial} is
 * lowercase hex without leading zeros; {@code revokedAt} is null while the certificate is valid.
 */
public record IssuedCertificate(String serial, String endpoint, OffsetDateTime notBefore, OffsetDateTime notAfter,
        OffsetDateTime issuedAt, String certificatePem, OffsetDateTime revokedAt, String revocationReason) {

    public boolean revoked() {
        return revokedAt != null;
    }
}
