package dev.ferry.sim.load;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;

/**
 * The observations the server established on one endpoint, and the notifications the endpoint sends for them:
 * for the path the run notifies ({@code --notify-path}), one non-confirmable notification every
 * {@code --notify-ms}, its value the wall-clock time it was sent in epoch milliseconds, so that whoever reads the
 * stored value knows how long it took to get there. Touched only by the endpoint's loop thread.
 */
final class Notifications {
    /** Observe numbers are 24-bit (RFC 7641). */
    private static final int OBSERVE_MASK = 0xFFFFFF;

    /** What a run's endpoints notify: the path, the period, and whether they should still. */
    static final class Plan {
        final String path;
        final int resourceId;
        final long periodMillis;
        volatile boolean running;

        Plan(String path, long periodMillis) {
            String[] segments = path.split("/");
            if (segments.length != 4 || !segments[0].isEmpty()) {
                throw new IllegalArgumentException("--notify-path must name a resource, /object/instance/resource: "
                        + path);
            }
            this.path = path;
            this.resourceId = Integer.parseInt(segments[3]);
            this.periodMillis = periodMillis;
        }
    }

    private record Observation(Token token, String path, int format) {
    }

    private final LoadEndpoint endpoint;
    private final Plan plan;
    private final LoadCounters counters;
    private final List<Observation> observations = new ArrayList<>(2);
    private int observeNumber = 2;
    private EventLoop.Timer timer;

    Notifications(LoadEndpoint endpoint, Plan plan, LoadCounters counters) {
        this.endpoint = endpoint;
        this.plan = plan;
        this.counters = counters;
    }

    /** The server observes {@code path} with {@code token}, answered in {@code format}. */
    void observed(Token token, String path, int format) {
        observations.removeIf(o -> o.token().equals(token));
        observations.add(new Observation(token, path, format));
        if (plan != null && path.equals(plan.path) && timer == null) {
            counters.notifiedObservations.increment();
            // a random phase, so that the fleet's notifications spread over the period
            timer = endpoint.loop().after((long) (endpoint.loop().random() * plan.periodMillis) + 1, this::notifyObservers);
        }
    }

    /** The server cancelled the observation of {@code token} (a GET with Observe 1, or a reset). */
    void cancelled(Token token) {
        observations.removeIf(o -> o.token().equals(token));
    }

    boolean observes(String path) {
        return observations.stream().anyMatch(o -> o.path().equals(path));
    }

    /** Forgets every observation, as after power loss or a new registration. */
    void clear() {
        observations.clear();
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void notifyObservers() {
        timer = null;
        if (!plan.running || !endpoint.registered()) {
            if (endpoint.registered() && observes(plan.path)) {
                timer = endpoint.loop().after(plan.periodMillis, this::notifyObservers); // not yet, or paused
            }
            return;
        }
        for (Observation observation : observations) {
            if (observation.path().equals(plan.path)) {
                send(observation, System.currentTimeMillis());
            }
        }
        if (observes(plan.path)) {
            timer = endpoint.loop().after(plan.periodMillis, this::notifyObservers);
        }
    }

    private void send(Observation observation, long value) {
        byte[] payload = endpoint.values().encodeInteger(observation.path(), plan.resourceId, value,
                observation.format());
        if (payload == null) {
            counters.notificationsNotEncoded.increment();
            return;
        }
        Response notification = new Response(ResponseCode.CONTENT);
        notification.setType(Type.NON);
        notification.setMID(endpoint.nextMid());
        notification.setToken(observation.token());
        notification.getOptions().setObserve(observeNumber++ & OBSERVE_MASK).setContentFormat(observation.format());
        notification.setPayload(payload);
        endpoint.sendMessage(endpoint.loop().serializer.getByteArray(notification));
        counters.notifications.increment();
    }
}
