package dev.ferry.server.lwm2m;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.auth.X509CertPath;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.server.security.EditableSecurityStore;
import org.eclipse.leshan.server.security.NonUniqueSecurityInfoException;
import org.eclipse.leshan.server.security.SecurityInfo;
import org.eclipse.leshan.server.security.SecurityStoreListener;

import dev.ferry.server.device.DeviceCredentials;
import dev.ferry.server.device.SecurityMode;

/**
 * Device credentials as the DTLS stack sees them. DTLS handshakes look credentials up on Scandium's threads,
 * so this store answers from memory only; it is loaded from the registry at start and kept current by
 * provisioning (which writes the database first, then this store).
 */
public final class DeviceSecurityStore implements EditableSecurityStore {

    /** What the store knows of one endpoint; {@code info} is null for devices provisioned without security. */
    record Entry(SecurityMode mode, SecurityInfo info) {
    }

    private static final ThreadLocal<String> UNKNOWN_IDENTITY = new ThreadLocal<>();

    private final Map<String, Entry> byEndpoint = new ConcurrentHashMap<>();
    private final Map<String, SecurityInfo> byPskIdentity = new ConcurrentHashMap<>();
    private final List<SecurityStoreListener> listeners = new CopyOnWriteArrayList<>();

    public void load(Collection<DeviceCredentials> all) {
        all.forEach(this::put);
    }

    public void put(DeviceCredentials credentials) {
        SecurityInfo info = toSecurityInfo(credentials);
        Entry previous = byEndpoint.put(credentials.endpoint(), new Entry(credentials.mode(), info));
        if (previous != null && previous.info() != null && previous.info().usePSK()) {
            byPskIdentity.remove(previous.info().getPskIdentity());
        }
        if (info != null && info.usePSK()) {
            byPskIdentity.put(info.getPskIdentity(), info);
        }
    }

    /** The security mode the endpoint was provisioned with; empty when it is not provisioned. */
    public Optional<SecurityMode> modeOf(String endpoint) {
        Entry entry = byEndpoint.get(endpoint);
        return entry == null ? Optional.empty() : Optional.of(entry.mode());
    }

    /** The endpoint owning a PSK identity, if any. */
    public Optional<String> endpointOfPskIdentity(String identity) {
        SecurityInfo info = byPskIdentity.get(identity);
        return info == null ? Optional.empty() : Optional.of(info.getEndpoint());
    }

    /**
     * The provisioned endpoint a DTLS peer authenticated as: by PSK identity, raw public key, or the CN of its
     * X.509 certificate. Empty for plain CoAP peers and for identities no provisioned device owns.
     */
    public Optional<String> endpointOf(Principal peer) {
        if (peer instanceof PreSharedKeyIdentity psk) {
            return endpointOfPskIdentity(psk.getIdentity());
        }
        if (peer instanceof RawPublicKeyIdentity rpk) {
            return byEndpoint.entrySet().stream()
                    .filter(e -> e.getValue().info() != null && e.getValue().info().useRPK()
                            && e.getValue().info().getRawPublicKey().equals(rpk.getKey()))
                    .map(Map.Entry::getKey).findFirst();
        }
        if (peer instanceof X509CertPath certificate) {
            String endpoint = certificate.getCN();
            return modeOf(endpoint).filter(SecurityMode.X509::equals).map(mode -> endpoint);
        }
        return Optional.empty();
    }

    @Override
    public SecurityInfo getByEndpoint(String endpoint) {
        Entry entry = byEndpoint.get(endpoint);
        return entry == null ? null : entry.info();
    }

    @Override
    public SecurityInfo getByIdentity(String pskIdentity) {
        SecurityInfo info = byPskIdentity.get(pskIdentity);
        if (info == null) {
            // Scandium answers an unknown identity with a bare alert that does not name it; the alert is
            // reported on this same thread right after this lookup, so the name is parked here for it.
            UNKNOWN_IDENTITY.set(pskIdentity);
        }
        return info;
    }

    /** The unknown PSK identity last looked up on this thread, if any; clears it. */
    String takeUnknownIdentity() {
        String identity = UNKNOWN_IDENTITY.get();
        UNKNOWN_IDENTITY.remove();
        return identity;
    }

    @Override
    public SecurityInfo getByOscoreIdentity(OscoreIdentity oscoreIdentity) {
        return null; // OSCORE is not offered by this server
    }

    @Override
    public Collection<SecurityInfo> getAll() {
        List<SecurityInfo> all = new ArrayList<>();
        byEndpoint.values().forEach(entry -> {
            if (entry.info() != null) {
                all.add(entry.info());
            }
        });
        return all;
    }

    @Override
    public SecurityInfo add(SecurityInfo info) throws NonUniqueSecurityInfoException {
        if (info.usePSK()) {
            SecurityInfo owner = byPskIdentity.get(info.getPskIdentity());
            if (owner != null && !owner.getEndpoint().equals(info.getEndpoint())) {
                throw new NonUniqueSecurityInfoException(
                        "PSK identity " + info.getPskIdentity() + " is already used by " + owner.getEndpoint());
            }
            byPskIdentity.put(info.getPskIdentity(), info);
        }
        SecurityMode mode = info.usePSK() ? SecurityMode.PSK : info.useRPK() ? SecurityMode.RPK : SecurityMode.X509;
        Entry previous = byEndpoint.put(info.getEndpoint(), new Entry(mode, info));
        return previous == null ? null : previous.info();
    }

    /**
     * Forgets the endpoint. With {@code infosAreCompromised} the listeners (Leshan's connection cleaner) drop
     * the device's DTLS connections, so a deprovisioned device cannot keep talking on an open session.
     */
    @Override
    public SecurityInfo remove(String endpoint, boolean infosAreCompromised) {
        Entry removed = byEndpoint.remove(endpoint);
        if (removed == null) {
            return null;
        }
        SecurityInfo info = removed.info();
        if (info != null) {
            if (info.usePSK()) {
                byPskIdentity.remove(info.getPskIdentity());
            }
            for (SecurityStoreListener listener : listeners) {
                listener.securityInfoRemoved(infosAreCompromised, info);
            }
        }
        return info;
    }

    @Override
    public void addListener(SecurityStoreListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(SecurityStoreListener listener) {
        listeners.remove(listener);
    }

    private static SecurityInfo toSecurityInfo(DeviceCredentials credentials) {
        return switch (credentials.mode()) {
        case NONE -> null;
        case PSK -> SecurityInfo.newPreSharedKeyInfo(credentials.endpoint(), credentials.pskIdentity(),
                credentials.pskKey());
        case RPK -> SecurityInfo.newRawPublicKeyInfo(credentials.endpoint(), decodePublicKey(credentials.publicKey()));
        case X509 -> SecurityInfo.newX509CertInfo(credentials.endpoint());
        };
    }

    /** Decodes a DER SubjectPublicKeyInfo holding an EC key (the kind LwM2M RPK devices use). */
    public static PublicKey decodePublicKey(byte[] der) {
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a DER-encoded EC public key (SubjectPublicKeyInfo): "
                    + e.getMessage(), e);
        }
    }
}
