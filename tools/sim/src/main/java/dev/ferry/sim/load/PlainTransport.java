package dev.ferry.sim.load;

import java.util.function.Consumer;

/** Plain CoAP: each message is one datagram from the endpoint's own channel. */
final class PlainTransport implements Transport {
    @Override
    public void start() {
    }

    @Override
    public void opened(LoadEndpoint endpoint) {
    }

    @Override
    public void send(LoadEndpoint endpoint, byte[] coap, Runnable sent, Consumer<Throwable> failed) {
        endpoint.sendDatagram(coap, 0, coap.length);
        sent.run();
    }

    @Override
    public void received(LoadEndpoint endpoint, byte[] datagram) {
        endpoint.coap(datagram);
    }

    @Override
    public void forgetSessions() {
    }

    @Override
    public String name() {
        return "CoAP";
    }

    @Override
    public void close() {
    }
}
