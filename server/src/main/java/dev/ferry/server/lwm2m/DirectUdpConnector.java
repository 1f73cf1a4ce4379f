package dev.ferry.server.lwm2m;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;

import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;
import org.eclipse.californium.elements.UDPConnector;
import org.eclipse.californium.elements.UdpEndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.exception.EndpointMismatchException;

/**
 * Californium's plain UDP connector with two shortcuts for firmware downloads, where every block is a request
 * answered at once: a datagram is sent by the thread that produced it instead of being queued for a sender thread,
 * and firmware blocks are answered without the CoAP stack ({@link StatelessAnswers}).
 */
final class DirectUdpConnector extends UDPConnector {
    private final StatelessAnswers stateless;
    private volatile DatagramSocket socket;
    private volatile EndpointContextMatcher matcher;

    DirectUdpConnector(InetSocketAddress address, Configuration configuration, StatelessAnswers stateless) {
        super(address, configuration);
        this.stateless = stateless;
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
    public void setRawDataReceiver(RawDataChannel stack) {
        super.setRawDataReceiver(stateless.before(stack, this::send));
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
