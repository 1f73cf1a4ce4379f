package dev.ferry.server.lwm2m;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.function.Function;

import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;
import org.eclipse.californium.elements.UDPConnector;
import org.eclipse.californium.elements.UdpEndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.exception.EndpointMismatchException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Californium's plain UDP connector with two shortcuts for firmware downloads, where every block is a request
 * answered at once:
 * <ul>
 * <li>a datagram is sent by the thread that produced it instead of being queued for a sender thread;</li>
 * <li>requests that {@link #answerStatelessly stateless answers} accept (confirmable GETs of firmware blocks) are
 * answered right here, with a piggybacked ACK, without entering the CoAP stack; everything else goes to the stack
 * as before.</li>
 * </ul>
 */
final class DirectUdpConnector extends UDPConnector {
    private static final Logger LOG = LoggerFactory.getLogger(DirectUdpConnector.class);
    private static final int VERSION_AND_CON = 0x40; // version 1, type CON, in the first header byte
    private final UdpDataParser parser = new UdpDataParser();
    private final UdpDataSerializer serializer = new UdpDataSerializer();
    private volatile DatagramSocket socket;
    private volatile EndpointContextMatcher matcher;
    private volatile Function<Request, Response> statelessAnswers = request -> null;

    DirectUdpConnector(InetSocketAddress address, Configuration configuration) {
        super(address, configuration);
    }

    /** Answers for requests that need no exchange state; a null answer leaves the request to the stack. */
    void answerStatelessly(Function<Request, Response> answers) {
        this.statelessAnswers = answers;
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
        super.setRawDataReceiver(raw -> {
            if (!answered(raw)) {
                stack.receiveData(raw);
            }
        });
    }

    private boolean answered(RawData raw) {
        byte[] bytes = raw.getBytes();
        if (bytes.length < 4 || (bytes[0] & 0xf0) != VERSION_AND_CON || bytes[1] != CoAP.Code.GET.value) {
            return false;
        }
        Request request;
        try {
            Message parsed = parser.parseMessage(bytes);
            if (!(parsed instanceof Request r) || !r.getOptions().getOthers().isEmpty()) {
                return false; // unknown options: the stack decides whether they are critical
            }
            request = r;
        } catch (RuntimeException e) {
            return false; // malformed: the stack rejects it as usual
        }
        request.setSourceContext(raw.getEndpointContext());
        Response response;
        try {
            response = statelessAnswers.apply(request);
        } catch (RuntimeException e) {
            LOG.error("Answering {} without the CoAP stack failed; the stack answers it", request, e);
            return false;
        }
        if (response == null) {
            return false;
        }
        response.setType(CoAP.Type.ACK);
        response.setMID(request.getMID());
        response.setToken(request.getToken());
        response.setDestinationContext(raw.getEndpointContext());
        send(serializer.serializeResponse(response));
        return true;
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
