package dev.ferry.server.lwm2m;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;

import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.exception.EndpointMismatchException;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.UDPConnector;
import org.eclipse.californium.elements.UdpEndpointContext;
import org.eclipse.californium.elements.config.Configuration;

/**
 * Californium's plain UDP connector, except that a datagram is sent by the thread that produced it instead of
 * being queued for a sender thread. Every block of a firmware download is a request answered at once, so the
 * hand-off to the sender thread was a large share of each block's latency; a UDP send does not wait for the peer.
 */
final class DirectSendUdpConnector extends UDPConnector {
    private volatile DatagramSocket socket;
    private volatile EndpointContextMatcher matcher;

    DirectSendUdpConnector(InetSocketAddress address, Configuration configuration) {
        super(address, configuration);
    }

    @Override
    protected void init(DatagramSocket socket) throws IOException {
        super.init(socket);
        this.socket = socket;
    }

    @Override
    public void setEndpointContextMatcher(EndpointContextMatcher matcher) {
        super.setEndpointContextMatcher(matcher);
        this.matcher = matcher;
    }

    @Override
    public void send(RawData message) {
        DatagramSocket current = socket;
        if (current == null || !isRunning() || multicast) {
            super.send(message); // reports the message as interrupted, or refuses it, as Californium does
            return;
        }
        InetSocketAddress destination = message.getInetSocketAddress();
        if (destination.getPort() == 0) {
            super.send(message);
            return;
        }
        EndpointContext connection = new UdpEndpointContext(destination);
        EndpointContextMatcher contextMatcher = matcher;
        if (contextMatcher != null && !contextMatcher.isToBeSent(message.getEndpointContext(), connection)) {
            message.onError(new EndpointMismatchException("UDP sending"));
            return;
        }
        try {
            message.onContextEstablished(connection);
            current.send(new DatagramPacket(message.getBytes(), message.getSize(), destination));
            message.onSent();
        } catch (IOException e) {
            message.onError(e);
        }
    }
}
