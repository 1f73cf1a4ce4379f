package dev.ferry.sim.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.function.Consumer;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;

/**
 * One simulated LwM2M client: its own channel on its own loopback address, registering, updating before its
 * lifetime ends, answering the server and deregistering. Apart from {@link #open}, every method runs on the
 * endpoint's event loop.
 */
final class LoadEndpoint {
    /** Told how a Register ended. */
    interface RegistrationListener {
        void registered(LoadEndpoint endpoint, long startedNanos, long answeredNanos);

        /** {@code gaveUp}: no answer after the last retransmission; else refused or not sent. */
        void failed(LoadEndpoint endpoint, String reason, boolean gaveUp);
    }

    /** What every endpoint of a run shares. */
    record Shared(InetSocketAddress server, Transport transport, ObjectValues values, LoadCounters counters,
            long lifetimeSeconds, long updateMillis, Notifications.Plan notifications) {
    }

    private enum State { IDLE, REGISTERING, REGISTERED, DEREGISTERING }

    private final String name;
    private final Shared shared;
    private final EventLoop loop;
    private final CoapExchanges exchanges;
    private final Notifications notifications;
    private DatagramChannel channel;
    private InetSocketAddress local;
    private State state = State.IDLE;
    private List<String> location;
    private EventLoop.Timer updateTimer;

    LoadEndpoint(String name, Shared shared, EventLoop loop, int seed) {
        this.name = name;
        this.shared = shared;
        this.loop = loop;
        this.exchanges = new CoapExchanges(this, shared.transport(), shared.counters(), seed);
        this.notifications = new Notifications(this, shared.notifications(), shared.counters());
    }

    /** Binds the endpoint's channel to {@code address} and hands it to its loop (any thread). */
    void open(InetSocketAddress address) throws IOException {
        channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.configureBlocking(false);
        channel.bind(address);
        local = (InetSocketAddress) channel.getLocalAddress();
        shared.transport().opened(this);
        loop.execute(() -> {
            try {
                loop.register(channel, this);
            } catch (IOException e) {
                throw new IllegalStateException("cannot watch the channel of " + name + ": " + e.getMessage(), e);
            }
        });
    }

    String name() {
        return name;
    }

    EventLoop loop() {
        return loop;
    }

    InetSocketAddress localAddress() {
        return local;
    }

    boolean registered() {
        return state == State.REGISTERED;
    }

    Notifications notifications() {
        return notifications;
    }

    ObjectValues values() {
        return shared.values();
    }

    int nextMid() {
        return exchanges.nextMid();
    }

    void sendMessage(byte[] message) {
        exchanges.reply(message);
    }

    /** Sends Register; {@code listener} hears how it ended. */
    void register(RegistrationListener listener) {
        cancelUpdate();
        notifications.clear();
        state = State.REGISTERING;
        long started = System.nanoTime();
        Request request = Request.newPost();
        request.getOptions().addUriPath("rd").addUriQuery("ep=" + name)
                .addUriQuery("lt=" + shared.lifetimeSeconds()).addUriQuery("lwm2m=1.1").addUriQuery("b=U")
                .setContentFormat(ObjectValues.LINK_FORMAT);
        request.setPayload(shared.values().registerPayload());
        exchanges.request(request, new CoapExchanges.Handler() {
            @Override
            public void answered(Response response) {
                if (response.getCode() == ResponseCode.CREATED) {
                    location = response.getOptions().getLocationPath();
                    state = State.REGISTERED;
                    scheduleUpdate();
                    listener.registered(LoadEndpoint.this, started, System.nanoTime());
                } else {
                    state = State.IDLE;
                    listener.failed(LoadEndpoint.this, "Register answered " + response.getCode(), false);
                }
            }

            @Override
            public void failed(String reason, boolean gaveUp) {
                state = State.IDLE;
                listener.failed(LoadEndpoint.this, reason, gaveUp);
            }
        });
    }

    private void scheduleUpdate() {
        updateTimer = loop.after(shared.updateMillis(), this::update);
    }

    private void cancelUpdate() {
        if (updateTimer != null) {
            updateTimer.cancel();
            updateTimer = null;
        }
    }

    private void update() {
        updateTimer = null;
        if (state != State.REGISTERED) {
            return;
        }
        Request request = Request.newPost();
        location.forEach(request.getOptions()::addUriPath);
        exchanges.request(request, new CoapExchanges.Handler() {
            @Override
            public void answered(Response response) {
                if (state != State.REGISTERED) {
                    return;
                }
                if (response.getCode() == ResponseCode.CHANGED) {
                    shared.counters().updates.increment();
                    scheduleUpdate();
                } else if (response.getCode() == ResponseCode.NOT_FOUND) {
                    // the server lost the registration: register again, as LwM2M says
                    shared.counters().reRegistrations.increment();
                    register(QUIET);
                } else {
                    shared.counters().updatesFailed.increment();
                    scheduleUpdate();
                }
            }

            @Override
            public void failed(String reason, boolean gaveUp) {
                shared.counters().updatesFailed.increment();
                if (state == State.REGISTERED) {
                    scheduleUpdate();
                }
            }
        });
    }

    /** Sends Deregister if registered; {@code done} runs (on the loop) with whether the server confirmed. */
    void deregister(Consumer<Boolean> done) {
        if (state != State.REGISTERED) {
            done.accept(false);
            return;
        }
        cancelUpdate();
        notifications.clear();
        state = State.DEREGISTERING;
        Request request = Request.newDelete();
        location.forEach(request.getOptions()::addUriPath);
        exchanges.request(request, new CoapExchanges.Handler() {
            @Override
            public void answered(Response response) {
                state = State.IDLE;
                location = null;
                boolean deleted = response.getCode() == ResponseCode.DELETED;
                if (deleted) {
                    shared.counters().deregistrations.increment();
                }
                done.accept(deleted);
            }

            @Override
            public void failed(String reason, boolean gaveUp) {
                state = State.IDLE;
                done.accept(false);
            }
        });
    }

    /** Forgets registration and exchanges without a word, as a device that lost power would. */
    void forget() {
        cancelUpdate();
        notifications.clear();
        exchanges.forget();
        state = State.IDLE;
        location = null;
    }

    /** Closes the channel (any thread; the loop drops its key). */
    void close() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            shared.counters().sendErrors.increment();
        }
    }

    Response answer(Request request) {
        return ServerRequests.answer(request, shared.values(), shared.counters());
    }

    /** A datagram arrived on the channel. */
    void datagram(SocketAddress from, byte[] datagram) {
        if (!shared.server().equals(from)) {
            shared.counters().strayDatagrams.increment();
            return;
        }
        shared.transport().received(this, datagram);
    }

    /** A CoAP message arrived (decrypted, for DTLS). */
    void coap(byte[] message) {
        exchanges.received(message);
    }

    void receiveFailed(IOException error) {
        shared.counters().receiveErrors.increment();
    }

    /** Sends one datagram to the server from the endpoint's channel (any thread). */
    void sendDatagram(byte[] data, int offset, int length) {
        try {
            if (channel.send(ByteBuffer.wrap(data, offset, length), shared.server()) == 0) {
                shared.counters().sendErrors.increment(); // socket buffer full: lost, as on a real link
            }
        } catch (IOException e) {
            shared.counters().sendErrors.increment();
        }
    }

    /** For registrations after a lost one: counted by {@link LoadCounters#reRegistrations} only. */
    private static final RegistrationListener QUIET = new RegistrationListener() {
        @Override
        public void registered(LoadEndpoint endpoint, long startedNanos, long answeredNanos) {
        }

        @Override
        public void failed(LoadEndpoint endpoint, String reason, boolean gaveUp) {
        }
    };
}
