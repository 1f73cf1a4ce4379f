package dev.ferry.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * A UDP relay on loopback between one client and a server, like a network path that loses some of what the
 * client sends: each datagram from the client passes through a filter that may shorten it or drop it (null).
 */
public final class UdpRelay implements AutoCloseable {
    private final DatagramSocket front = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    private final DatagramSocket back = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    private final InetSocketAddress server;
    private final UnaryOperator<byte[]> upstream;
    private final Thread toServer = new Thread(this::relayToServer, "udp-relay-up");
    private final Thread toClient = new Thread(this::relayToClient, "udp-relay-down");
    private volatile SocketAddress client;

    private UdpRelay(InetSocketAddress server, UnaryOperator<byte[]> upstream) throws SocketException {
        this.server = server;
        this.upstream = upstream;
    }

    public static UdpRelay start(InetSocketAddress server, UnaryOperator<byte[]> upstream) {
        try {
            UdpRelay relay = new UdpRelay(server, upstream);
            relay.toServer.start();
            relay.toClient.start();
            return relay;
        } catch (SocketException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The relay's address for the client, e.g. "coaps://127.0.0.1:40123". */
    public String uri(String scheme) {
        return scheme + "://127.0.0.1:" + front.getLocalPort();
    }

    /**
     * A filter for DTLS: keeps only the records of epoch 0 (the handshake before ChangeCipherSpec), so a client's
     * encrypted Finished never arrives and its handshake stalls.
     */
    public static byte[] epochZeroRecordsOnly(byte[] datagram) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        int offset = 0;
        while (offset + 13 <= datagram.length) {
            int epoch = ((datagram[offset + 3] & 0xff) << 8) | (datagram[offset + 4] & 0xff);
            int length = ((datagram[offset + 11] & 0xff) << 8) | (datagram[offset + 12] & 0xff);
            int end = Math.min(datagram.length, offset + 13 + length);
            if (epoch == 0) {
                kept.write(datagram, offset, end - offset);
            }
            offset = end;
        }
        return kept.size() == 0 ? null : kept.toByteArray();
    }

    private void relayToServer() {
        byte[] buffer = new byte[4096];
        while (!front.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                front.receive(packet);
                client = packet.getSocketAddress();
                byte[] passed = upstream.apply(Arrays.copyOf(packet.getData(), packet.getLength()));
                if (passed != null) {
                    back.send(new DatagramPacket(passed, passed.length, server));
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void relayToClient() {
        byte[] buffer = new byte[4096];
        while (!back.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                back.receive(packet);
                SocketAddress to = client;
                if (to != null) {
                    front.send(new DatagramPacket(packet.getData(), packet.getLength(), to));
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    @Override
    public void close() {
        front.close();
        back.close();
        try {
            toServer.join(5000);
            toClient.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
