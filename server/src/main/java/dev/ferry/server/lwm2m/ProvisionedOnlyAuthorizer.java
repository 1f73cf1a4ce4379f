package dev.ferry.server.lwm2m;

import java.net.InetSocketAddress;
import java.time.OffsetDateTime;
import java.util.Optional;

import org.eclipse.leshan.core.peer.IpPeer;
import org.eclipse.leshan.core.peer.LwM2mPeer;
import org.eclipse.leshan.core.request.UplinkRequest;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.security.Authorization;
import org.eclipse.leshan.server.security.Authorizer;
import org.eclipse.leshan.server.security.SecurityChecker;
import org.eclipse.leshan.server.security.SecurityInfo;

import dev.ferry.server.device.RegistryChange;
import dev.ferry.server.device.RegistryWriter;
import dev.ferry.server.device.SecurityMode;

/**
 * Secure by default: only provisioned endpoints may talk to the server, each with exactly the security it was
 * provisioned with. Plain CoAP is accepted only from endpoints provisioned with security mode {@code none}.
 * Every refusal is answered 4.03 by Leshan and recorded as a {@code rejected} device event.
 */
final class ProvisionedOnlyAuthorizer implements Authorizer {
    private final DeviceSecurityStore store;
    private final RegistryWriter writer;
    private final SecurityChecker checker = new SecurityChecker();

    ProvisionedOnlyAuthorizer(DeviceSecurityStore store, RegistryWriter writer) {
        this.store = store;
        this.writer = writer;
    }

    @Override
    public Authorization isAuthorized(UplinkRequest<?> request, Registration registration, LwM2mPeer sender) {
        String endpoint = registration.getEndpoint();
        Optional<SecurityMode> mode = store.modeOf(endpoint);
        if (mode.isEmpty()) {
            return reject(endpoint, sender, describe(request) + " refused: endpoint is not provisioned");
        }
        SecurityInfo expected = store.getByEndpoint(endpoint);
        if (checker.checkSecurityInfo(endpoint, sender, expected)) {
            return Authorization.approved();
        }
        return reject(endpoint, sender, describe(request) + " refused: device is provisioned for security mode "
                + mode.get().wireName() + " but " + presented(sender));
    }

    private Authorization reject(String endpoint, LwM2mPeer sender, String reason) {
        writer.submit(new RegistryChange.Rejected(endpoint, reason, address(sender), OffsetDateTime.now()));
        return Authorization.declined();
    }

    private static String describe(UplinkRequest<?> request) {
        return request.getClass().getSimpleName().replace("Request", "").toLowerCase();
    }

    private static String presented(LwM2mPeer sender) {
        if (sender.getIdentity() == null || !sender.getIdentity().isSecure()) {
            return "it connected over plain CoAP";
        }
        return "it presented " + sender.getIdentity();
    }

    static String address(LwM2mPeer peer) {
        if (peer instanceof IpPeer ip) {
            return address(ip.getSocketAddress());
        }
        return String.valueOf(peer);
    }

    /** "host:port" as device events record peers; null stays null. */
    static String address(InetSocketAddress socket) {
        return socket == null ? null : socket.getAddress().getHostAddress() + ":" + socket.getPort();
    }
}
