package dev.ferry.server.bootstrap;

import java.net.InetSocketAddress;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;

import org.eclipse.leshan.core.peer.IpPeer;
import org.eclipse.leshan.core.peer.LwM2mPeer;
import org.eclipse.leshan.core.peer.PskIdentity;
import org.eclipse.leshan.core.peer.X509Identity;
import org.eclipse.leshan.core.request.BootstrapRequest;
import org.eclipse.leshan.server.security.Authorization;
import org.eclipse.leshan.server.security.BootstrapAuthorizer;

import dev.ferry.server.device.Names;

/**
 * Lets a Bootstrap-Request through when the peer authenticated with a batch's credential and the batch may
 * still produce the endpoint (not revoked, not expired, not exhausted). From memory only: it runs on the
 * Californium thread that received the request. A refusal is recorded as a {@code rejected} event.
 * <p>
 * A PSK peer is matched to its batch by PSK identity; an X.509 peer by its certificate's CN, which names the
 * batch: {@link BatchCertificateVerifier} let only the fleet CA's bootstrap certificates of known batches through
 * the handshake (found by fingerprint), so the CN is that batch's own. The rest of the bootstrap does not depend
 * on the kind of credential.
 */
final class BatchAuthorizer implements BootstrapAuthorizer {
    static final String BATCH_ID = "ferry.batch";

    /** What the LwM2M side knows from memory about an endpoint. */
    interface Fleet {
        boolean provisioned(String endpoint);

        boolean registered(String endpoint);
    }

    private final BatchCredentials credentials;
    private final DeviceBootstrapper bootstrapper;
    private final Fleet fleet;

    BatchAuthorizer(BatchCredentials credentials, DeviceBootstrapper bootstrapper, Fleet fleet) {
        this.credentials = credentials;
        this.bootstrapper = bootstrapper;
        this.fleet = fleet;
    }

    @Override
    public Authorization isAuthorized(BootstrapRequest request, LwM2mPeer client) {
        String endpoint = request.getEndpointName();
        String peer = address(client);
        if (!Names.isEndpoint(endpoint)) {
            bootstrapper.refuse(null, "endpoint name must be " + Names.ENDPOINT_RULE, peer);
            return Authorization.declined();
        }
        Optional<BatchCredentials.State> state = client.getIdentity() instanceof PskIdentity psk
                ? credentials.byPskIdentity(psk.getPskIdentity())
                : client.getIdentity() instanceof X509Identity x509
                        ? credentials.byCertificateCommonName(x509.getX509CommonName()) : Optional.empty();
        if (state.isEmpty()) {
            bootstrapper.refuse(endpoint, "no production batch credential: devices bootstrap over CoAPS with"
                    + " their batch's PSK or bootstrap certificate", peer);
            return Authorization.declined();
        }
        String refusal = state.get().check(endpoint, OffsetDateTime.now());
        // Refused here, before Bootstrap-Delete touches the device; DeviceBootstrapper checks again in the database.
        if (refusal == null && fleet.provisioned(endpoint)) {
            if (!state.get().hasProduced(endpoint)) {
                refusal = "endpoint '" + endpoint + "' is already provisioned, not by batch '"
                        + state.get().batch().name() + "'; deprovision it first to bootstrap it with this batch";
            } else if (fleet.registered(endpoint)) {
                refusal = DeviceBootstrapper.registeredRightNow(endpoint);
            }
        }
        if (refusal != null) {
            bootstrapper.refuse(endpoint, refusal, peer);
            return Authorization.declined();
        }
        return Authorization.approved(Map.of(BATCH_ID, Long.toString(state.get().batch().id())));
    }

    static String address(LwM2mPeer peer) {
        return peer instanceof IpPeer ip ? address(ip.getSocketAddress()) : String.valueOf(peer);
    }

    static String address(InetSocketAddress socket) {
        return socket == null || socket.getAddress() == null ? String.valueOf(socket)
                : socket.getAddress().getHostAddress() + ":" + socket.getPort();
    }
}
