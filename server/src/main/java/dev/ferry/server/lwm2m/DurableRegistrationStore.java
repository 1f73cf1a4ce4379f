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

import java.util.Iterator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.leshan.server.redis.serialization.RegistrationSerDes;
import org.eclipse.leshan.server.registration.Deregistration;
import org.eclipse.leshan.server.registration.ExpirationListener;
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
 * A registration expires {@code grace} after its lifetime passed without an update (Leshan's own cleaner would expire
 * it at once): a device's update that retransmissions delayed still finds it, and the device is not shown offline
 * and online again. Until it expires the device is registered, so the registry shows it online; a queue-mode device
 * that sleeps between wake-ups still updates within its lifetime and stays online. What had expired while the server
 * was stopped is not loaded, and a loaded registration whose lifetime then passes expires like any other.
 */
final class DurableRegistrationStore extends InMemoryRegistrationStore {
    private static final Logger LOG = LoggerFactory.getLogger(DurableRegistrationStore.class);
    private static final RegistrationSerDes SERDES = new RegistrationSerDes();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Leshan's cleaner's period: never, in effect; {@link #expireSilent} does its work with the grace. */
    private static final long LESHAN_CLEAN_PERIOD_SECONDS = TimeUnit.DAYS.toSeconds(3650);
    private static final long CLEAN_PERIOD_SECONDS = 1;

    private final ScheduledExecutorService cleaner;
    private final long graceSeconds;
    private volatile ExpirationListener expirationListener;
    private ScheduledFuture<?> cleaning;

    DurableRegistrationStore(long graceSeconds) {
        this(Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "Leshan RegistrationStore cleaner");
            thread.setDaemon(true);
            return thread;
        }), graceSeconds);
    }

    private DurableRegistrationStore(ScheduledExecutorService cleaner, long graceSeconds) {
        super(cleaner, LESHAN_CLEAN_PERIOD_SECONDS);
        this.cleaner = cleaner;
        this.graceSeconds = graceSeconds;
    }

    @Override
    public void setExpirationListener(ExpirationListener listener) {
        this.expirationListener = listener;
        super.setExpirationListener(listener);
    }

    @Override
    public synchronized void start() {
        super.start();
        if (cleaning == null) {
            cleaning = cleaner.scheduleAtFixedRate(this::expireSilent, CLEAN_PERIOD_SECONDS, CLEAN_PERIOD_SECONDS,
                    TimeUnit.SECONDS);
        }
    }

    @Override
    public synchronized void stop() {
        if (cleaning != null) {
            cleaning.cancel(false);
            cleaning = null;
        }
        super.stop();
    }

    /** Removes the registrations whose lifetime and grace passed without an update, telling Leshan they expired. */
    private void expireSilent() {
        try {
            for (Iterator<Registration> all = getAllRegistrations(); all.hasNext();) {
                Registration registration = all.next();
                if (registration.isAlive(graceSeconds)) {
                    continue;
                }
                Deregistration removed = removeRegistration(registration.getId());
                ExpirationListener listener = expirationListener;
                if (removed != null && listener != null) {
                    listener.registrationExpired(removed.getRegistration(), removed.getObservations());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Expiring silent registrations failed; trying again in {} s", CLEAN_PERIOD_SECONDS, e);
        }
    }

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
            if (!registration.isAlive(graceSeconds)) {
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
