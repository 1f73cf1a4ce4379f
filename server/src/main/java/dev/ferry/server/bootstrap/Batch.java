package dev.ferry.server.bootstrap;

import java.time.OffsetDateTime;
import java.util.List;

import dev.ferry.server.device.SecurityMode;

/**
 * A production batch: devices that leave the factory with its bootstrap credential and are provisioned on
 * their first bootstrap. {@code produced} is the number of endpoints it provisioned so far. The credential is
 * a PSK ({@code pskIdentity}; the key is not part of this value, see {@link BatchCredentials}, so that nothing
 * that lists batches can show it) or a certificate from the fleet CA ({@code certificate}; its private key is
 * kept nowhere). Exactly one of {@code pskIdentity} and {@code certificate} is set.
 */
public record Batch(long id, String name, String pskIdentity, SecurityMode deviceSecurity, List<String> tags,
        String model, int maxDevices, OffsetDateTime expiresAt, OffsetDateTime createdAt, OffsetDateTime revokedAt,
        int produced, Certificate certificate) {

    /** The public part of an X.509 batch credential: its CN names the batch, its fingerprint finds it. */
    public record Certificate(String commonName, String serial, String fingerprint, OffsetDateTime notAfter) {
    }

    /** {@code psk} or {@code x509}, as the API and the database name the kind of bootstrap credential. */
    public String credentialKind() {
        return certificate == null ? "psk" : "x509";
    }

    /** The name the batch's devices authenticate with at the bootstrap server: PSK identity or certificate CN. */
    public String bootstrapIdentity() {
        return certificate == null ? pskIdentity : certificate.commonName();
    }

    Batch withRevokedAt(OffsetDateTime at) {
        return new Batch(id, name, pskIdentity, deviceSecurity, tags, model, maxDevices, expiresAt, createdAt, at,
                produced, certificate);
    }

    public boolean revoked() {
        return revokedAt != null;
    }

    public boolean expiredAt(OffsetDateTime now) {
        return !now.isBefore(expiresAt);
    }

    /** Why a new device cannot bootstrap with this batch now, or null when it can. */
    public String refusalAt(OffsetDateTime now, int alreadyProduced) {
        if (revoked()) {
            return "batch '" + name + "' (" + id + ") was revoked at " + revokedAt;
        }
        if (expiredAt(now)) {
            return "batch '" + name + "' (" + id + ") expired at " + expiresAt;
        }
        if (alreadyProduced >= maxDevices) {
            return "batch '" + name + "' (" + id + ") is exhausted: it produced its " + maxDevices + " device(s)";
        }
        return null;
    }

    /** One device the batch produced. */
    public record Produced(String endpoint, OffsetDateTime firstBootstrap, OffsetDateTime lastBootstrap,
            int bootstraps) {
    }
}
