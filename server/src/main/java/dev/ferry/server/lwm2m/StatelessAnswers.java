package dev.ferry.server.lwm2m;

import java.util.function.Consumer;
import java.util.function.Function;

import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers some confirmable GETs (firmware blocks) in the connector, with a piggybacked ACK, without the CoAP stack
 * and without the state it keeps per message; a request the answers return null for goes to the stack as usual.
 * A confirmable GET is idempotent, so answering a repeated one again is allowed (RFC 7252, 4.5).
 */
final class StatelessAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(StatelessAnswers.class);
    private static final int VERSION_AND_CON = 0x40; // version 1, type CON, in the first header byte
    private final UdpDataParser parser = new UdpDataParser();
    private final UdpDataSerializer serializer = new UdpDataSerializer();
    private volatile Function<Request, Response> answers = request -> null;

    void use(Function<Request, Response> answers) {
        this.answers = answers;
    }

    /** The channel a connector delivers to: answers what it can through {@code send}, passes the rest on. */
    RawDataChannel before(RawDataChannel stack, Consumer<RawData> send) {
        return raw -> {
            if (!answered(raw, send)) {
                stack.receiveData(raw);
            }
        };
    }

    private boolean answered(RawData raw, Consumer<RawData> send) {
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
            response = answers.apply(request);
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
        send.accept(serializer.serializeResponse(response));
        return true;
    }
}
