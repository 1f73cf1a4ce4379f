package dev.ferry.sim.load;

import java.util.ArrayDeque;
import java.util.Arrays;

import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.EmptyMessage;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;

/**
 * The CoAP exchanges of one endpoint (RFC 7252): its own confirmable requests, one at a time, retransmitted
 * after ACK_TIMEOUT × [1, RANDOM_FACTOR] doubling up to MAX_RETRANSMIT times, answered piggy-backed or by an
 * empty ACK and a separate response; and the server's requests, acknowledged, with the answer repeated for a
 * duplicate. Touched only by the endpoint's loop thread.
 */
final class CoapExchanges {
    static final long ACK_TIMEOUT_MS = 2_000;
    static final double ACK_RANDOM_FACTOR = 1.5;
    static final int MAX_RETRANSMIT = 4;
    /** How long a separate response may take after the empty ACK: RFC 7252's MAX_TRANSMIT_WAIT. */
    static final long SEPARATE_RESPONSE_TIMEOUT_MS = 93_000;
    private static final int REMEMBERED_REQUESTS = 4;

    /** What becomes of one of the endpoint's requests. */
    interface Handler {
        void answered(Response response);

        /** {@code gaveUp}: no answer after the last retransmission (else: the message could not be sent). */
        void failed(String reason, boolean gaveUp);
    }

    private final class Outgoing {
        final byte[] bytes;
        final int mid;
        final Token token;
        final Handler handler;
        long timeoutMs;
        int retransmissions;
        boolean acknowledged;
        boolean done;
        EventLoop.Timer timer;

        Outgoing(byte[] bytes, int mid, Token token, Handler handler) {
            this.bytes = bytes;
            this.mid = mid;
            this.token = token;
            this.handler = handler;
        }
    }

    private final LoadEndpoint endpoint;
    private final Transport transport;
    private final LoadCounters counters;
    private int nextMid;
    private int nextToken;
    private Outgoing current;
    private ArrayDeque<Outgoing> waiting;
    private int[] recentMids;
    private byte[][] recentAnswers;
    private int recentNext;

    CoapExchanges(LoadEndpoint endpoint, Transport transport, LoadCounters counters, int seed) {
        this.endpoint = endpoint;
        this.transport = transport;
        this.counters = counters;
        this.nextMid = seed & 0xFFFF;
        this.nextToken = Integer.reverse(seed) * 31;
    }

    /** Sends {@code request} as CON once the requests before it are done. */
    void request(Request request, Handler handler) {
        request.setType(Type.CON);
        int mid = nextMid();
        request.setMID(mid);
        int t = nextToken++;
        Token token = new Token(new byte[] { (byte) (t >>> 24), (byte) (t >>> 16), (byte) (t >>> 8), (byte) t });
        request.setToken(token);
        Outgoing outgoing = new Outgoing(endpoint.loop().serializer.getByteArray(request), mid, token, handler);
        if (current != null) {
            if (waiting == null) {
                waiting = new ArrayDeque<>(2);
            }
            waiting.add(outgoing);
        } else {
            start(outgoing);
        }
    }

    private void start(Outgoing outgoing) {
        current = outgoing;
        outgoing.timeoutMs = (long) (ACK_TIMEOUT_MS * (1 + endpoint.loop().random() * (ACK_RANDOM_FACTOR - 1)));
        transmit(outgoing);
    }

    private void transmit(Outgoing outgoing) {
        transport.send(endpoint, outgoing.bytes, () -> {
            if (!outgoing.done && !outgoing.acknowledged) {
                outgoing.timer = endpoint.loop().after(outgoing.timeoutMs, () -> timedOut(outgoing));
            }
        }, error -> {
            if (!outgoing.done) {
                finish(outgoing);
                outgoing.handler.failed("not sent: " + error.getMessage(), false);
            }
        });
    }

    private void timedOut(Outgoing outgoing) {
        if (outgoing.done || outgoing.acknowledged) {
            return;
        }
        if (outgoing.retransmissions >= MAX_RETRANSMIT) {
            finish(outgoing);
            outgoing.handler.failed("no answer after " + MAX_RETRANSMIT + " retransmissions", true);
            return;
        }
        outgoing.retransmissions++;
        counters.retransmissions.increment();
        outgoing.timeoutMs *= 2;
        transmit(outgoing);
    }

    private void finish(Outgoing outgoing) {
        outgoing.done = true;
        if (outgoing.timer != null) {
            outgoing.timer.cancel();
        }
        if (current == outgoing) {
            current = null;
            Outgoing next = waiting == null ? null : waiting.poll();
            if (next != null) {
                start(next);
            }
        }
    }

    /** One CoAP message from the server. */
    void received(byte[] bytes) {
        Message message;
        try {
            message = endpoint.loop().parser.parseMessage(bytes);
        } catch (RuntimeException e) {
            counters.malformed.increment();
            return;
        }
        if (message instanceof Request request) {
            serverRequest(request);
        } else if (message instanceof Response response) {
            response(response);
        } else {
            empty((EmptyMessage) message);
        }
    }

    private void response(Response response) {
        if (response.getType() != Type.ACK) {
            if (response.getType() == Type.CON) {
                reply(endpoint.loop().serializer.getByteArray(EmptyMessage.newACK(response)));
            }
            if (current != null && current.token.equals(response.getToken())) {
                answered(current, response);
            }
        } else if (current != null && current.mid == response.getMID() && current.token.equals(response.getToken())) {
            answered(current, response);
        }
    }

    private void answered(Outgoing outgoing, Response response) {
        finish(outgoing);
        outgoing.handler.answered(response);
    }

    private void empty(EmptyMessage message) {
        Outgoing outgoing = current;
        if (message.getType() == Type.CON) {
            reply(endpoint.loop().serializer.getByteArray(EmptyMessage.newRST(message))); // CoAP ping
        } else if (message.getType() == Type.RST && (outgoing == null || outgoing.mid != message.getMID())) {
            // a reset of a notification: the server no longer wants it (RFC 7641 3.6); the reset carries no
            // token, so the endpoint stops notifying altogether until observed again
            endpoint.notifications().clear();
        } else if (outgoing != null && outgoing.mid == message.getMID()) {
            if (message.getType() == Type.RST) {
                finish(outgoing);
                outgoing.handler.failed("reset by the server", false);
            } else if (!outgoing.acknowledged) {
                outgoing.acknowledged = true;
                if (outgoing.timer != null) {
                    outgoing.timer.cancel();
                }
                outgoing.timer = endpoint.loop().after(SEPARATE_RESPONSE_TIMEOUT_MS, () -> {
                    if (!outgoing.done) {
                        finish(outgoing);
                        outgoing.handler.failed("no separate response within "
                                + SEPARATE_RESPONSE_TIMEOUT_MS / 1000 + " s of the empty ACK", true);
                    }
                });
            }
        }
    }

    private void serverRequest(Request request) {
        boolean confirmable = request.getType() == Type.CON;
        if (confirmable && recentMids != null) {
            for (int i = 0; i < REMEMBERED_REQUESTS; i++) {
                if (recentMids[i] == request.getMID() && recentAnswers[i] != null) {
                    counters.duplicateRequests.increment();
                    reply(recentAnswers[i]);
                    return;
                }
            }
        }
        Response response = endpoint.answer(request);
        if (request.getOptions().hasObserve()) {
            if (request.getOptions().getObserve() == 0 && response.getOptions().hasObserve()) {
                endpoint.notifications().observed(request.getToken(), "/" + request.getOptions().getUriPathString(),
                        response.getOptions().getContentFormat());
            } else if (request.getOptions().getObserve() == 1) {
                endpoint.notifications().cancelled(request.getToken());
            }
        }
        response.setType(confirmable ? Type.ACK : Type.NON);
        response.setMID(confirmable ? request.getMID() : nextMid());
        response.setToken(request.getToken());
        byte[] bytes = endpoint.loop().serializer.getByteArray(response);
        if (confirmable) {
            if (recentMids == null) {
                recentMids = new int[REMEMBERED_REQUESTS];
                Arrays.fill(recentMids, -1);
                recentAnswers = new byte[REMEMBERED_REQUESTS][];
            }
            recentMids[recentNext] = request.getMID();
            recentAnswers[recentNext] = bytes;
            recentNext = (recentNext + 1) % REMEMBERED_REQUESTS;
        }
        reply(bytes);
    }

    /** Sends a message that needs no answer (an ACK, a reset, a notification). */
    void reply(byte[] bytes) {
        transport.send(endpoint, bytes, () -> { }, error -> counters.sendErrors.increment());
    }

    /** A message id for a message of the endpoint's own (a notification). */
    int nextMid() {
        return nextMid++ & 0xFFFF;
    }

    /** Drops every exchange without a word, as a device that lost power would. */
    void forget() {
        if (current != null) {
            current.done = true;
            if (current.timer != null) {
                current.timer.cancel();
            }
            current = null;
        }
        if (waiting != null) {
            waiting.forEach(o -> o.done = true);
            waiting = null;
        }
        recentMids = null;
        recentAnswers = null;
    }
}
