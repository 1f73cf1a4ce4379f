package dev.ferry.server.lwm2m;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.eclipse.californium.core.coap.EmptyMessage;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.interceptors.MessageInterceptorAdapter;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The LwM2M side's meters: registrations by transport, devices registered now, DTLS handshakes and their failures
 * by reason, CoAP messages in and out per endpoint. Counting only: nothing here waits.
 */
final class LwM2mMeters implements RegistrationListener {
    private final Counter coapRegistrations;
    private final Counter coapsRegistrations;
    private final Counter deregistrations;
    private final Counter expirations;

    /** @param registrations every registration now (iterated at each scrape: restored ones count too) */
    LwM2mMeters(MeterRegistry meters, HandshakeFailureRecorder handshakes,
            Supplier<Iterator<Registration>> registrations) {
        coapRegistrations = registrations(meters, "coap");
        coapsRegistrations = registrations(meters, "coaps");
        deregistrations = Counter.builder("ferry.lwm2m.deregistrations").tag("how", "deregistered")
                .description("Registrations that ended").register(meters);
        expirations = Counter.builder("ferry.lwm2m.deregistrations").tag("how", "expired")
                .description("Registrations that ended").register(meters);
        // Held strongly: Micrometer keeps a gauge's object weakly, and nothing else holds this supplier.
        Gauge.builder("ferry.devices.registered", registrations, LwM2mMeters::count).strongReference(true)
                .description("Devices registered now (online, or sleeping in queue mode)").register(meters);
        FunctionCounter.builder("ferry.dtls.handshakes", handshakes, HandshakeFailureRecorder::completedHandshakes)
                .description("DTLS handshakes completed").register(meters);
        for (Map.Entry<String, AtomicLong> reason : handshakes.failedHandshakes().entrySet()) {
            FunctionCounter.builder("ferry.dtls.handshake.failures", reason.getValue(), AtomicLong::get)
                    .tag("reason", reason.getKey()).description("DTLS handshakes refused or failed, by reason")
                    .register(meters);
        }
    }

    private static double count(Supplier<Iterator<Registration>> registrations) {
        long count = 0;
        for (Iterator<Registration> it = registrations.get(); it.hasNext(); it.next()) {
            count++;
        }
        return count;
    }

    private static Counter registrations(MeterRegistry meters, String transport) {
        return Counter.builder("ferry.lwm2m.registrations").tag("transport", transport)
                .description("LwM2M registrations accepted, by transport").register(meters);
    }

    /** Counts the endpoint's CoAP messages in and out. */
    static void count(MeterRegistry meters, CoapEndpoint endpoint, String transport) {
        Counter in = Counter.builder("ferry.coap.messages").tag("transport", transport).tag("direction", "in")
                .description("CoAP messages received and sent (requests, responses, empty)").register(meters);
        Counter out = Counter.builder("ferry.coap.messages").tag("transport", transport).tag("direction", "out")
                .description("CoAP messages received and sent (requests, responses, empty)").register(meters);
        endpoint.addInterceptor(new MessageInterceptorAdapter() {
            @Override
            public void receiveRequest(Request request) {
                in.increment();
            }

            @Override
            public void receiveResponse(Response response) {
                in.increment();
            }

            @Override
            public void receiveEmptyMessage(EmptyMessage message) {
                in.increment();
            }

            @Override
            public void sendRequest(Request request) {
                out.increment();
            }

            @Override
            public void sendResponse(Response response) {
                out.increment();
            }

            @Override
            public void sendEmptyMessage(EmptyMessage message) {
                out.increment();
            }
        });
    }

    @Override
    public void registered(Registration registration, Registration previousReg,
            Collection<Observation> previousObservations) {
        boolean secure = registration.getLastEndpointUsed() != null
                && "coaps".equalsIgnoreCase(registration.getLastEndpointUsed().getScheme());
        (secure ? coapsRegistrations : coapRegistrations).increment();
    }

    @Override
    public void updated(RegistrationUpdate update, Registration updatedReg, Registration previousReg) {
        // Still registered.
    }

    @Override
    public void unregistered(Registration registration, Collection<Observation> observations, boolean expired,
            Registration newReg) {
        if (newReg == null) {
            (expired ? expirations : deregistrations).increment();
        }
    }
}
