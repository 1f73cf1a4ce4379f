package dev.ferry.sim.load;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;

import javax.crypto.SecretKey;

import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.util.ServerNames;

import dev.ferry.sim.BenchKeys;

/**
 * The PSK of each load endpoint: identity = endpoint name, key derived from it as the benchmark and the
 * baseline server derive it ({@link BenchKeys#psk}). The connector asks by peer, the endpoint's virtual address.
 */
final class EndpointPsks implements AdvancedPskStore {
    private final Map<SocketAddress, LoadEndpoint> endpoints;

    EndpointPsks(Map<SocketAddress, LoadEndpoint> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public boolean hasEcdhePskSupported() {
        return true;
    }

    @Override
    public PskSecretResult requestPskSecretResult(ConnectionId cid, ServerNames serverName,
            PskPublicInformation identity, String hmacAlgorithm, SecretKey otherSecret, byte[] seed,
            boolean useExtendedMasterSecret) {
        SecretKey key = SecretUtil.create(BenchKeys.psk(identity.getPublicInfoAsString()), "PSK");
        return new PskSecretResult(cid, identity, key);
    }

    @Override
    public PskPublicInformation getIdentity(InetSocketAddress peerAddress, ServerNames virtualHost) {
        LoadEndpoint endpoint = endpoints.get(peerAddress);
        return endpoint == null ? null : new PskPublicInformation(endpoint.name());
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // answers are synchronous
    }
}
