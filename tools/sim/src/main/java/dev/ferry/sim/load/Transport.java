package dev.ferry.sim.load;

import java.util.function.Consumer;

/** How an endpoint's CoAP messages reach the server: straight over its UDP channel, or through DTLS. */
interface Transport extends AutoCloseable {
    /** Starts what the transport needs before endpoints open (a DTLS connector). */
    void start() throws Exception;

    /** {@code endpoint} opened its channel (loop thread). */
    void opened(LoadEndpoint endpoint);

    /**
     * Sends one CoAP message of {@code endpoint} (loop thread). {@code sent} runs on the endpoint's loop once the
     * message left (for DTLS: after the handshake), {@code failed} there if it never will.
     */
    void send(LoadEndpoint endpoint, byte[] coap, Runnable sent, Consumer<Throwable> failed);

    /** A datagram from the server arrived on {@code endpoint}'s channel (loop thread). */
    void received(LoadEndpoint endpoint, byte[] datagram);

    /** Forgets every security session, as devices that lost power would. */
    void forgetSessions();

    /** "CoAP" or "DTLS-PSK". */
    String name();

    @Override
    void close();
}
