package dev.ferry.sim.link;

import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.UDPConnector;
import org.eclipse.californium.elements.UdpEndpointContext;
import org.eclipse.californium.elements.config.Configuration;

/** Californium's UDP connector with every datagram passed through a {@link SimLink}. */
public final class SimUdpConnector extends UDPConnector {
    private final SimLink link;

    public SimUdpConnector(InetSocketAddress address, Configuration configuration, SimLink link) {
        super(address, configuration);
        this.link = link;
    }

    @Override
    public void send(RawData message) {
        if (link.dropOutgoing()) {
            // Sent as far as the device can tell; the network lost it.
            message.onContextEstablished(new UdpEndpointContext(message.getInetSocketAddress()));
            message.onSent();
            return;
        }
        link.later(link.outgoingDelayNanos(message.getSize()), () -> super.send(message));
    }

    @Override
    public void processDatagram(DatagramPacket datagram) {
        if (link.dropIncoming()) {
            return;
        }
        long delay = link.incomingDelayNanos(datagram.getLength());
        if (delay <= 0) {
            super.processDatagram(datagram);
        } else {
            DatagramPacket copy = copy(datagram); // the receiver thread reuses its buffer
            link.later(delay, () -> super.processDatagram(copy));
        }
    }

    static DatagramPacket copy(DatagramPacket datagram) {
        byte[] bytes = Arrays.copyOfRange(datagram.getData(), datagram.getOffset(),
                datagram.getOffset() + datagram.getLength());
        return new DatagramPacket(bytes, bytes.length, datagram.getSocketAddress());
    }
}
