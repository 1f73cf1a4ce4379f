package dev.ferry.server.lwm2m;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.scandium.AlertHandler;
import org.eclipse.californium.scandium.ConnectionListener;
import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.SessionAdapter;

import dev.ferry.server.device.RegistryChange;
import dev.ferry.server.device.RegistryWriter;

/**
 * Records refused DTLS handshakes as {@code rejected} device events. Scandium deliberately stays silent
 * towards the peer on an unknown PSK identity or a wrong key (so attackers learn nothing), which also means
 * no failure callback fires; this recorder therefore combines four signals:
 * <ul>
 * <li>a failed handshake (untrusted certificate, unsupported suite, ...): recorded at once;</li>
 * <li>the internal {@code unknown_psk_identity} alert: recorded at once with the identity that was tried;</li>
 * <li>a record that fails decryption during a PSK handshake (the peer's Finished, encrypted with keys derived
 * from its PSK): recorded at once against the device owning the identity, as the peer holds another key;</li>
 * <li>a handshake whose PSK identity was found but that does not complete within the stall limit: the peer
 * could not prove the key, recorded against the device owning the identity.</li>
 * </ul>
 * Scandium still drops the undecryptable record silently and lets the handshake time out, as DTLS allows.
 */
final class HandshakeFailureRecorder extends SessionAdapter implements AlertHandler, AutoCloseable {
    private final RegistryWriter writer;
    private final DeviceSecurityStore store;
    private final long stallNanos;
    private final Map<Handshaker, Long> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    private final AtomicLong completed = new AtomicLong();
    /** Failed handshakes by reason, for the metrics. */
    private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>(Map.of("failed", new AtomicLong(),
            "wrong-key", new AtomicLong(), "unknown-psk-identity", new AtomicLong(), "stalled", new AtomicLong()));

    HandshakeFailureRecorder(RegistryWriter writer, DeviceSecurityStore store, Duration stallLimit) {
        this.writer = writer;
        this.store = store;
        this.stallNanos = stallLimit.toNanos();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "ferry-dtls-handshake-sweeper");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(100, stallLimit.toMillis() / 4);
        sweeper.scheduleAtFixedRate(this::sweepStalled, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void handshakeStarted(Handshaker handshaker) {
        pending.put(handshaker, System.nanoTime());
    }

    @Override
    public void handshakeCompleted(Handshaker handshaker) {
        pending.remove(handshaker);
        completed.incrementAndGet();
    }

    /** Failed DTLS handshakes since the server started, by reason (failed, wrong-key, unknown-psk-identity, stalled). */
    Map<String, AtomicLong> failedHandshakes() {
        return failures;
    }

    /** DTLS handshakes (full or abbreviated) completed since the server started. */
    long completedHandshakes() {
        return completed.get();
    }

    @Override
    public void handshakeFailed(Handshaker handshaker, Throwable error) {
        if (pending.remove(handshaker) != null) {
            failures.get("failed").incrementAndGet();
            String endpoint = error instanceof RevocationCheckingVerifier.RevokedCertificateException revoked
                    ? revoked.endpoint() : endpointOf(handshaker);
            record(endpoint, "DTLS handshake failed: " + error.getMessage(), handshaker.getPeerAddress());
        }
    }

    /** Scandium's connection listener, told of every record that fails decryption. */
    ConnectionListener macErrors() {
        return new MacErrors();
    }

    private void macError(Connection connection) {
        Handshaker handshaker = connection.getOngoingHandshake();
        if (handshaker == null || handshaker.getSession() == null
                || handshaker.getSession().getCipherSuite() == null
                || !handshaker.getSession().getCipherSuite().isPskBased()) {
            return;
        }
        String endpoint = endpointOf(handshaker);
        if (endpoint != null && pending.remove(handshaker) != null) {
            failures.get("wrong-key").incrementAndGet();
            record(endpoint, "DTLS handshake failed: the device's Finished message does not decrypt with the key"
                    + " provisioned for PSK identity '" + pskIdentity(handshaker) + "', so the device could not prove"
                    + " its key (wrong PSK?)", handshaker.getPeerAddress());
        }
    }

    @Override
    public void onAlert(InetSocketAddress peer, AlertMessage alert) {
        if (alert.getDescription() != AlertDescription.UNKNOWN_PSK_IDENTITY) {
            return;
        }
        pending.keySet().removeIf(h -> peer.equals(h.getPeerAddress()));
        failures.get("unknown-psk-identity").incrementAndGet();
        String identity = store.takeUnknownIdentity();
        record(null, "DTLS handshake refused: unknown PSK identity '" + (identity == null ? "?" : identity) + "'",
                peer);
    }

    private void sweepStalled() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<Handshaker, Long>> it = pending.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Handshaker, Long> entry = it.next();
            if (now - entry.getValue() < stallNanos) {
                continue;
            }
            it.remove();
            Handshaker handshaker = entry.getKey();
            String endpoint = endpointOf(handshaker);
            if (endpoint != null) {
                failures.get("stalled").incrementAndGet();
                record(endpoint, "DTLS handshake with PSK identity of this device did not complete within "
                        + Duration.ofNanos(stallNanos).toSeconds() + " s: the device could not prove its key"
                        + " (wrong PSK?)", handshaker.getPeerAddress());
            }
        }
    }

    private void record(String endpoint, String reason, InetSocketAddress peer) {
        writer.submit(new RegistryChange.Rejected(endpoint, reason, ProvisionedOnlyAuthorizer.address(peer),
                OffsetDateTime.now()));
    }

    private String endpointOf(Handshaker handshaker) {
        String identity = pskIdentity(handshaker);
        return identity == null ? null : store.endpointOfPskIdentity(identity).orElse(null);
    }

    private static String pskIdentity(Handshaker handshaker) {
        Principal identity = handshaker.getSession() == null ? null : handshaker.getSession().getPeerIdentity();
        return identity instanceof PreSharedKeyIdentity psk ? psk.getIdentity() : null;
    }

    /** Of the connection events only MAC errors are of interest here. */
    private final class MacErrors implements ConnectionListener {
        @Override
        public boolean onConnectionMacError(Connection connection) {
            macError(connection);
            return false; // whether the connection is closed for it stays the datagram filter's decision
        }

        @Override
        public void onConnectionEstablished(Connection connection) {
        }

        @Override
        public void onConnectionRemoved(Connection connection) {
        }

        @Override
        public boolean onConnectionUpdatesSequenceNumbers(Connection connection, boolean writeSequenceNumber) {
            return false;
        }

        @Override
        public void beforeExecution(Connection connection) {
        }

        @Override
        public void updateExecution(Connection connection) {
        }

        @Override
        public void afterExecution(Connection connection) {
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
