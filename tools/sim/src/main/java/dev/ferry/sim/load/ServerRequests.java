package dev.ferry.sim.load;

import java.util.List;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.OptionSet;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;

/**
 * How a load endpoint answers the server: Read (and Observe) of objects 1, 3, 5 with the fixed values in the
 * requested content format (4.06 for one that cannot carry the path), Discover, Write and Write-Attributes
 * accepted and ignored (2.04), Execute 2.04 except on object 5 (4.05: these endpoints install nothing),
 * everything else 4.05.
 */
final class ServerRequests {
    /** The Observe value of the first answer to an Observe: the observation is established, nothing changes. */
    private static final int OBSERVE_SEQUENCE = 1;

    private ServerRequests() {
    }

    static Response answer(Request request, ObjectValues values, LoadCounters counters) {
        OptionSet options = request.getOptions();
        List<String> segments = options.getUriPath();
        String path = "/" + String.join("/", segments);
        switch (request.getCode()) {
            case GET:
                return read(options, path, values, counters);
            case PUT:
                counters.writes.increment();
                return values.has(path) ? new Response(ResponseCode.CHANGED) : new Response(ResponseCode.NOT_FOUND);
            case POST:
                if (!values.has(path) && !(segments.size() == 3 && values.has("/" + segments.get(0) + "/0"))) {
                    return new Response(ResponseCode.NOT_FOUND);
                }
                if (segments.size() == 3) {
                    counters.executes.increment();
                    return new Response(segments.get(0).equals("5") ? ResponseCode.METHOD_NOT_ALLOWED
                            : ResponseCode.CHANGED);
                }
                if (segments.size() == 2) {
                    counters.writes.increment();
                    return new Response(ResponseCode.CHANGED);
                }
                counters.otherRequests.increment();
                return new Response(ResponseCode.METHOD_NOT_ALLOWED);
            default:
                counters.otherRequests.increment();
                return new Response(ResponseCode.METHOD_NOT_ALLOWED);
        }
    }

    private static Response read(OptionSet options, String path, ObjectValues values, LoadCounters counters) {
        if (options.hasAccept() && options.getAccept() == ObjectValues.LINK_FORMAT) {
            byte[] links = values.discover(path);
            if (links == null) {
                counters.readsRefused.increment();
                return new Response(ResponseCode.NOT_FOUND);
            }
            counters.reads.increment();
            return content(ObjectValues.LINK_FORMAT, links);
        }
        if (!values.has(path)) {
            counters.readsRefused.increment();
            return new Response(ResponseCode.NOT_FOUND);
        }
        int format = options.hasAccept() ? options.getAccept() : ObjectValues.DEFAULT_FORMAT;
        byte[] payload = values.read(path, format);
        if (payload == null) {
            counters.readsRefused.increment();
            Response refused = new Response(ResponseCode.NOT_ACCEPTABLE);
            refused.setPayload("content format " + format + " is not supported for " + path);
            return refused;
        }
        Response response = content(format, payload);
        if (options.hasObserve() && options.getObserve() == 0) {
            counters.observes.increment();
            response.getOptions().setObserve(OBSERVE_SEQUENCE);
        } else {
            counters.reads.increment();
        }
        return response;
    }

    private static Response content(int format, byte[] payload) {
        Response response = new Response(ResponseCode.CONTENT);
        response.getOptions().setContentFormat(format);
        response.setPayload(payload);
        return response;
    }
}
