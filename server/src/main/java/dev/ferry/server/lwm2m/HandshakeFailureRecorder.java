package dev.ferry.server.lwm2m;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.time.OffsetDateTime;

import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.SessionAdapter;

import dev.ferry.server.device.RegistryChange;
import dev.ferry.server.device.RegistryWriter;

/**
 * Records failed DTLS handshakes (unknown PSK identity, wrong key, untrusted certificate) as {@code rejected}
 * device events, attributed to the device when the identity it presented belongs to one.
 */
final class HandshakeFailureRecorder extends SessionAdapter {
    private final RegistryWriter writer;
    private final DeviceSecurityStore store;

    HandshakeFailureRecorder(RegistryWriter writer, DeviceSecurityStore store) {
        this.writer = writer;
        this.store = store;
    }

    @Override
    public void handshakeFailed(Handshaker handshaker, Throwable error) {
        String endpoint = endpointOf(handshaker.getSession() == null ? null : handshaker.getSession().getPeerIdentity());
        InetSocketAddress peer = handshaker.getPeerAddress();
        String address = peer == null ? null : peer.getAddress().getHostAddress() + ":" + peer.getPort();
        writer.submit(new RegistryChange.Rejected(endpoint, "DTLS handshake failed: " + error.getMessage(), address,
                OffsetDateTime.now()));
    }

    private String endpointOf(Principal identity) {
        if (identity instanceof PreSharedKeyIdentity psk) {
            return store.endpointOfPskIdentity(psk.getIdentity()).orElse(null);
        }
        return null;
    }
}
