package dev.ferry.sim.link;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scandium's DTLS connector with every datagram, handshake flights included, passed through a
 * {@link SimLink}: DTLS retransmits lost flights, CoAP lost messages, as on a real lossy link.
 */
public final class SimDtlsConnector extends DTLSConnector {
    private static final Logger LOG = LoggerFactory.getLogger(SimDtlsConnector.class);

    private final SimLink link;

    public SimDtlsConnector(DtlsConnectorConfig configuration, SimLink link) {
        super(configuration);
        this.link = link;
    }

    @Override
    protected void sendNextDatagramOverNetwork(DatagramPacket datagram) throws IOException {
        if (link.dropOutgoing()) {
            return;
        }
        long delay = link.outgoingDelayNanos(datagram.getLength());
        if (delay <= 0) {
            super.sendNextDatagramOverNetwork(datagram);
            return;
        }
        link.later(delay, () -> {
            try {
                super.sendNextDatagramOverNetwork(datagram);
            } catch (IOException e) {
                LOG.debug("delayed DTLS datagram not sent: {}", e.getMessage());
            }
        });
    }

    @Override
    protected void processDatagram(DatagramPacket datagram, InetSocketAddress router) {
        if (link.dropIncoming()) {
            return;
        }
        long delay = link.incomingDelayNanos(datagram.getLength());
        if (delay <= 0) {
            super.processDatagram(datagram, router);
        } else {
            DatagramPacket copy = SimUdpConnector.copy(datagram);
            link.later(delay, () -> super.processDatagram(copy, router));
        }
    }
}
