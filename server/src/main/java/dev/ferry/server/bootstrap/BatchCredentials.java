package dev.ferry.server.bootstrap;

import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.server.security.BootstrapSecurityStore;
import org.eclipse.leshan.server.security.SecurityInfo;

/**
 * The batches' bootstrap credentials as the bootstrap server's DTLS stack sees them, with what each batch
 * produced so far. Answers from memory only: Scandium looks keys up on its own threads, and the bootstrap
 * request is authorized on Californium's. Loaded from the database at start and kept current by
 * {@link BatchService} (database first, then this store).
 * <p>
 * Only the bootstrap server uses this store; the LwM2M server's own store knows device credentials only, so a
 * batch's credential can never register a device there.
 */
public final class BatchCredentials implements BootstrapSecurityStore {

    /** One batch: its current state, its bootstrap key and the endpoints it produced or is producing. */
    static final class State {
        private volatile Batch batch;
        private final byte[] key;
        private final Set<String> produced;
        private final Set<String> inFlight = new HashSet<>();

        State(Batch batch, byte[] key, Set<String> produced) {
            this.batch = batch;
            this.key = key.clone();
            this.produced = new HashSet<>(produced);
        }

        Batch batch() {
            return batch;
        }

        /** Why {@code endpoint} may not bootstrap with this batch now, or null; reserves a place when it may. */
        synchronized String reserve(String endpoint, OffsetDateTime now) {
            if (inFlight.contains(endpoint)) {
                return "a bootstrap of '" + endpoint + "' with batch '" + batch.name() + "' is already under way";
            }
            // An endpoint the batch produced before (a factory reset) does not count again.
            int counted = produced.contains(endpoint) ? 0 : produced.size() + inFlight.size();
            String refusal = batch.refusalAt(now, counted);
            if (refusal == null) {
                inFlight.add(endpoint);
            }
            return refusal;
        }

        /** What {@link #reserve} would answer, without reserving. */
        synchronized String check(String endpoint, OffsetDateTime now) {
            int counted = produced.contains(endpoint) ? 0 : produced.size() + inFlight.size();
            return batch.refusalAt(now, counted);
        }

        synchronized void release(String endpoint, boolean producedIt) {
            inFlight.remove(endpoint);
            if (producedIt) {
                produced.add(endpoint);
            }
        }

        synchronized boolean hasProduced(String endpoint) {
            return produced.contains(endpoint);
        }
    }

    private final Map<String, State> byIdentity = new ConcurrentHashMap<>();
    private final Map<String, State> byCommonName = new ConcurrentHashMap<>();
    private final Map<String, State> byFingerprint = new ConcurrentHashMap<>();
    private final Map<Long, State> byId = new ConcurrentHashMap<>();

    /** {@code key}: the PSK of a psk batch; null for an x509 batch, whose private key the server never has. */
    void put(Batch batch, byte[] key, Set<String> produced) {
        State state = new State(batch, key == null ? new byte[0] : key, produced);
        if (batch.certificate() == null) {
            byIdentity.put(batch.pskIdentity(), state);
        } else {
            byCommonName.put(batch.certificate().commonName(), state);
            byFingerprint.put(batch.certificate().fingerprint(), state);
        }
        byId.put(batch.id(), state);
    }

    /** The x509 batch whose bootstrap certificate has this SHA-256 fingerprint (lowercase hex). */
    Optional<State> byCertificateFingerprint(String fingerprint) {
        return Optional.ofNullable(byFingerprint.get(fingerprint));
    }

    /**
     * The x509 batch named by a peer certificate's CN. Only certificates {@link BatchCertificateVerifier} let
     * through reach the authorizer: the fleet CA's, found by fingerprint, so the CN is the batch's own.
     */
    Optional<State> byCertificateCommonName(String commonName) {
        return Optional.ofNullable(byCommonName.get(commonName));
    }

    /** Marks a batch revoked: its devices can no longer bootstrap. Its credential stays known so that a
     * refused bootstrap is recorded with the reason instead of failing the handshake silently. */
    void revoked(long id, OffsetDateTime at) {
        State state = byId.get(id);
        if (state != null) {
            state.batch = state.batch.withRevokedAt(at);
        }
    }

    Optional<State> byPskIdentity(String identity) {
        return Optional.ofNullable(byIdentity.get(identity));
    }

    Optional<State> byId(long id) {
        return Optional.ofNullable(byId.get(id));
    }

    @Override
    public SecurityInfo getByIdentity(String identity) {
        State state = byIdentity.get(identity);
        // The endpoint of a batch credential is not known before the bootstrap request names it; the
        // authorizer checks the batch, not the endpoint, so the batch stands in for it here.
        return state == null ? null
                : SecurityInfo.newPreSharedKeyInfo("batch-" + state.batch.id(), identity, state.key.clone());
    }

    @Override
    public Iterator<SecurityInfo> getAllByEndpoint(String endpoint) {
        return Collections.emptyIterator(); // batches are found by credential, never by endpoint
    }

    @Override
    public SecurityInfo getByOscoreIdentity(OscoreIdentity oscoreIdentity) {
        return null; // OSCORE is not offered
    }
}
