package dev.ferry.server.lwm2m;

import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.leshan.server.redis.serialization.RegistrationSerDes;
import org.eclipse.leshan.server.registration.InMemoryRegistrationStore;
import org.eclipse.leshan.server.registration.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ferry.server.device.RegistrationRows;
import dev.ferry.server.device.RegistryChange.StoredRegistration;

/**
 * Leshan's in-memory registration store, filled at start with the registrations persisted before the server
 * stopped. The store itself never waits on the database, so a registration costs what it costs in Leshan: the
 * {@link RegistrationTracker} puts each registration into the registry change it submits, and the registry writer
 * {@link #serialize serializes} it on its own thread and commits it with the device's online flag. A device the
 * registry shows online therefore has its registration in the database, and one whose registration never got there
 * is shown offline and is answered 4.04 on its next update, so it registers again.
 * <p>
 * Expiry stays Leshan's: what had expired while the server was stopped is not loaded, and a loaded registration
 * whose lifetime then passes expires like any other.
 */
final class DurableRegistrationStore extends InMemoryRegistrationStore {
    private static final Logger LOG = LoggerFactory.getLogger(DurableRegistrationStore.class);
    private static final RegistrationSerDes SERDES = new RegistrationSerDes();
    private static final ObjectMapper JSON = new ObjectMapper();

    static StoredRegistration serialize(Registration registration) {
        return new StoredRegistration(SERDES.sSerialize(registration),
                OffsetDateTime.ofInstant(Instant.ofEpochMilli(registration.getExpirationTimeStamp()), ZoneOffset.UTC));
    }

    /**
     * Adds the persisted registrations that are still alive and came through an endpoint this server still has
     * (same scheme, address and port).
     */
    RegistrationRows.Restored restore(List<RegistrationRows.Row> rows, Set<URI> endpoints) {
        Map<String, String> loaded = new HashMap<>();
        Set<String> expired = new HashSet<>();
        for (RegistrationRows.Row row : rows) {
            Registration registration;
            try {
                registration = SERDES.deserialize(JSON.readTree(row.data()));
            } catch (Exception e) {
                LOG.warn("Registration {} of {} cannot be read back ({}); the device registers again",
                        row.registrationId(), row.endpoint(), e.getMessage());
                continue;
            }
            if (!registration.isAlive()) {
                expired.add(row.endpoint());
                continue;
            }
            if (!endpoints.contains(registration.getLastEndpointUsed())
                    || !registration.getEndpoint().equals(row.endpoint())) {
                LOG.info("Registration {} of {} came through {}, which this server no longer has; the device"
                        + " registers again", row.registrationId(), row.endpoint(), registration.getLastEndpointUsed());
                continue;
            }
            addRegistration(registration);
            loaded.put(registration.getEndpoint(), registration.getId());
        }
        return new RegistrationRows.Restored(loaded, expired);
    }
}
