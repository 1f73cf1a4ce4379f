package dev.ferry.sim.testing;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.observation.SingleObservation;
import org.eclipse.leshan.core.request.DownlinkRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.core.response.ObserveCompositeResponse;
import org.eclipse.leshan.core.response.ObserveResponse;
import org.eclipse.leshan.core.observation.CompositeObservation;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.LeshanServerBuilder;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpointsProvider;
import org.eclipse.leshan.server.californium.endpoint.coap.CoapServerProtocolProvider;
import org.eclipse.leshan.server.californium.endpoint.coaps.CoapsServerProtocolProvider;
import org.eclipse.leshan.server.observation.ObservationListener;
import org.eclipse.leshan.server.queue.PresenceListener;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.eclipse.leshan.server.security.InMemorySecurityStore;
import org.eclipse.leshan.server.security.NonUniqueSecurityInfoException;
import org.eclipse.leshan.server.security.SecurityInfo;

/** A plain Leshan server on loopback ephemeral ports, with futures for registrations and notifications. */
public final class TestLwm2mServer implements AutoCloseable {
    private static final long REQUEST_TIMEOUT_MS = 10_000;

    /** A notification the server received: the path observed and the integer value. */
    public record Notification(String endpoint, String path, long value) {
    }

    private record Waiter<T>(Predicate<T> condition, CompletableFuture<T> future) {
    }

    private final LeshanServer server;
    private final InMemorySecurityStore security = new InMemorySecurityStore();
    private final List<Waiter<Registration>> registrationWaiters = new CopyOnWriteArrayList<>();
    private final List<Waiter<Notification>> notificationWaiters = new CopyOnWriteArrayList<>();
    private final List<Notification> notifications = new CopyOnWriteArrayList<>();
    private final Map<String, Registration> registrations = new ConcurrentHashMap<>();
    private final List<Waiter<Registration>> awakeWaiters = new CopyOnWriteArrayList<>();
    private final List<Waiter<Registration>> updateWaiters = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> registrationCounts = new ConcurrentHashMap<>();

    public TestLwm2mServer() {
        CaliforniumServerEndpointsProvider.Builder endpoints = new CaliforniumServerEndpointsProvider.Builder(
                new CoapServerProtocolProvider(), new CoapsServerProtocolProvider());
        Configuration configuration = endpoints.createDefaultConfiguration();
        configuration.set(DtlsConfig.DTLS_CIPHER_SUITES, List.of(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8));
        configuration.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 1024 * 1024);
        endpoints.setConfiguration(configuration);
        endpoints.addEndpoint(new InetSocketAddress("127.0.0.1", 0), Protocol.COAP);
        endpoints.addEndpoint(new InetSocketAddress("127.0.0.1", 0), Protocol.COAPS);
        server = new LeshanServerBuilder().setEndpointsProviders(endpoints.build()).setSecurityStore(security).build();
        server.getRegistrationService().addListener(new RegistrationListener() {
            @Override
            public void registered(Registration registration, Registration previous,
                    Collection<Observation> previousObservations) {
                registrations.put(registration.getEndpoint(), registration);
                registrationCounts.merge(registration.getEndpoint(), 1, Integer::sum);
                complete(registrationWaiters, registration);
            }

            @Override
            public void updated(RegistrationUpdate update, Registration updated, Registration previous) {
                registrations.put(updated.getEndpoint(), updated);
                complete(updateWaiters, updated);
            }

            @Override
            public void unregistered(Registration registration, Collection<Observation> observations,
                    boolean expired, Registration newReg) {
            }
        });
        server.getObservationService().addListener(new ObservationListener() {
            @Override
            public void newObservation(Observation observation, Registration registration) {
            }

            @Override
            public void cancelled(Observation observation) {
            }

            @Override
            public void onResponse(SingleObservation observation, Registration registration, ObserveResponse response) {
                Object value = response.getContent() == null ? null
                        : ((LwM2mSingleResource) response.getContent()).getValue();
                if (value instanceof Long number) {
                    Notification notification = new Notification(registration.getEndpoint(),
                            observation.getPath().toString(), number);
                    notifications.add(notification);
                    complete(notificationWaiters, notification);
                }
            }

            @Override
            public void onResponse(CompositeObservation observation, Registration registration,
                    ObserveCompositeResponse response) {
            }

            @Override
            public void onError(Observation observation, Registration registration, Exception error) {
            }
        });
        server.getPresenceService().addListener(new PresenceListener() {
            @Override
            public void onAwake(Registration registration) {
                complete(awakeWaiters, registration);
            }

            @Override
            public void onSleeping(Registration registration) {
            }
        });
        server.start();
    }

    /** Completes when the server next considers the queue-mode {@code endpoint} awake. */
    public CompletableFuture<Registration> nextAwake(String endpoint) {
        CompletableFuture<Registration> future = new CompletableFuture<>();
        awakeWaiters.add(new Waiter<>(r -> r.getEndpoint().equals(endpoint), future));
        return future;
    }

    private static <T> void complete(List<Waiter<T>> waiters, T value) {
        for (Waiter<T> waiter : waiters) {
            if (waiter.condition().test(value) && waiter.future().complete(value)) {
                waiters.remove(waiter);
            }
        }
    }

    public String coapUri() {
        return server.getEndpoint(Protocol.COAP).getURI().toString();
    }

    public String coapsUri() {
        return server.getEndpoint(Protocol.COAPS).getURI().toString();
    }

    public void addPsk(String endpoint, String identity, byte[] key) {
        try {
            security.add(SecurityInfo.newPreSharedKeyInfo(endpoint, identity, key));
        } catch (NonUniqueSecurityInfoException e) {
            throw new IllegalStateException(e);
        }
    }

    public void removePsk(String endpoint) {
        security.remove(endpoint, true);
    }

    /** Completes at the next registration of {@code endpoint}. */
    public CompletableFuture<Registration> nextRegistration(String endpoint) {
        CompletableFuture<Registration> future = new CompletableFuture<>();
        registrationWaiters.add(new Waiter<>(r -> r.getEndpoint().equals(endpoint), future));
        return future;
    }

    /** Completes once {@code endpoint} has registered {@code count} times since the server started. */
    public CompletableFuture<Registration> registrationNumber(String endpoint, int count) {
        CompletableFuture<Registration> future = new CompletableFuture<>();
        registrationWaiters.add(new Waiter<>(r -> r.getEndpoint().equals(endpoint)
                && registrationCounts.getOrDefault(endpoint, 0) >= count, future));
        if (registrationCounts.getOrDefault(endpoint, 0) >= count) {
            future.complete(registrations.get(endpoint));
        }
        return future;
    }

    /** Completes at the next registration update of {@code endpoint}. */
    public CompletableFuture<Registration> nextUpdate(String endpoint) {
        CompletableFuture<Registration> future = new CompletableFuture<>();
        updateWaiters.add(new Waiter<>(r -> r.getEndpoint().equals(endpoint), future));
        return future;
    }

    /** How many registrations the server holds now. */
    public int registrationsHeld() {
        int count = 0;
        for (java.util.Iterator<Registration> all = server.getRegistrationService().getAllRegistrations();
                all.hasNext(); all.next()) {
            count++;
        }
        return count;
    }

    /** Completes with the next notification of {@code path} (e.g. "/5/0/3") from {@code endpoint} with {@code value}. */
    public CompletableFuture<Notification> nextNotification(String endpoint, String path, long value) {
        CompletableFuture<Notification> future = new CompletableFuture<>();
        notificationWaiters.add(new Waiter<>(n -> n.endpoint().equals(endpoint) && n.path().equals(path)
                && n.value() == value, future));
        return future;
    }

    /** Every notification received so far, in order. */
    public List<Notification> notifications(String endpoint, String path) {
        List<Notification> matching = new ArrayList<>();
        for (Notification n : notifications) {
            if (n.endpoint().equals(endpoint) && n.path().equals(path)) {
                matching.add(n);
            }
        }
        return matching;
    }

    public Registration registration(String endpoint) {
        Registration registration = registrations.get(endpoint);
        if (registration == null) {
            throw new IllegalStateException(endpoint + " is not registered");
        }
        return registration;
    }

    /** Sends {@code request} to the registered {@code endpoint} and waits for the answer (10 s at most). */
    public <T extends LwM2mResponse> T send(String endpoint, DownlinkRequest<T> request) throws InterruptedException {
        T response = server.send(registration(endpoint), request, REQUEST_TIMEOUT_MS);
        if (response == null) {
            throw new IllegalStateException(endpoint + " did not answer " + request);
        }
        return response;
    }

    /** Like {@link #send} with a short timeout; null when the device does not answer. */
    public <T extends LwM2mResponse> T trySend(String endpoint, DownlinkRequest<T> request, long timeoutMs)
            throws InterruptedException {
        return server.send(registration(endpoint), request, timeoutMs);
    }

    @Override
    public void close() {
        server.destroy();
    }
}
