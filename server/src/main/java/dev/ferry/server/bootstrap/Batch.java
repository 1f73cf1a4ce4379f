package dev.ferry.server.bootstrap;

import java.time.OffsetDateTime;
import java.util.List;

import dev.ferry.server.device.SecurityMode;

/**
 * A production batch: devices that leave the factory with its bootstrap credential and are provisioned on
 * their first bootstrap. {@code produced} is the number of endpoints it provisioned so far. The bootstrap key
 * is not part of this value (see {@link BatchCredentials}), so that nothing that lists batches can show it.
 */
public record Batch(long id, String name, String pskIdentity, SecurityMode deviceSecurity, List<String> tags,
        String model, int maxDevices, OffsetDateTime expiresAt, OffsetDateTime createdAt, OffsetDateTime revokedAt,
        int produced) {

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
