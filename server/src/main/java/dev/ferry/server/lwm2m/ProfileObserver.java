package dev.ferry.server.lwm2m;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.eclipse.leshan.core.link.lwm2m.attributes.LwM2mAttribute;
import org.eclipse.leshan.core.link.lwm2m.attributes.LwM2mAttributeSet;
import org.eclipse.leshan.core.link.lwm2m.attributes.LwM2mAttributes;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.observation.SingleObservation;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.WriteAttributesRequest;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.telemetry.TelemetryProfiles;

/**
 * Gives registered devices their observation profile: on every registration, when the server starts (its
 * observations did not survive), and at once when a profile changes. For each observation it writes the
 * attributes, then observes; the observations it placed for paths no longer in the profile are cancelled, others
 * (queued observe commands, update sessions' object 5) are left alone. The database is read on its own thread,
 * never on Leshan's.
 */
public final class ProfileObserver implements RegistrationListener, TelemetryProfiles.Changes, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProfileObserver.class);
    private static final long REQUEST_TIMEOUT_MS = 30_000;
    /** A device seen for the first time has its model read after it registers: how long to wait for it. */
    private static final int MODEL_ATTEMPTS = 30;
    private static final Duration MODEL_RETRY = Duration.ofSeconds(1);

    private final LeshanServer leshan;
    private final TelemetryProfiles profiles;
    private final Function<String, Optional<String>> modelOf;
    /**
     * The paths each device was asked to observe for its profile: only those are cancelled when the profile drops
     * them, never an observation queued as a command or made by an update session.
     */
    private final Map<String, Set<String>> placed = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread t = new Thread(task, "ferry-telemetry-profiles");
        t.setDaemon(true);
        return t;
    });

    /** @param modelOf the device's model as the registry knows it (blocking) */
    public ProfileObserver(LeshanServer leshan, TelemetryProfiles profiles, Function<String, Optional<String>> modelOf) {
        this.leshan = leshan;
        this.profiles = profiles;
        this.modelOf = modelOf;
    }

    /** Applies profiles to every device registered now (after a restart), and to each later registration. */
    public void start() {
        leshan.getRegistrationService().addListener(this);
        List<Registration> registered = new ArrayList<>();
        for (Iterator<Registration> it = leshan.getRegistrationService().getAllRegistrations(); it.hasNext();) {
            registered.add(it.next());
        }
        registered.forEach(r -> later(r.getEndpoint(), Duration.ZERO, 1));
    }

    @Override
    public void registered(Registration registration, Registration previousReg,
            Collection<Observation> previousObservations) {
        later(registration.getEndpoint(), Duration.ZERO, MODEL_ATTEMPTS);
    }

    @Override
    public void updated(RegistrationUpdate update, Registration updatedReg, Registration previousReg) {
        // Observations live as long as the registration.
    }

    @Override
    public void unregistered(Registration registration, Collection<Observation> observations, boolean expired,
            Registration newReg) {
        placed.remove(registration.getEndpoint()); // Leshan drops its observations
    }

    @Override
    public void modelChanged(String model) {
        submit(() -> {
            for (Iterator<Registration> it = leshan.getRegistrationService().getAllRegistrations(); it.hasNext();) {
                Registration registration = it.next();
                if (modelOf.apply(registration.getEndpoint()).filter(model::equals).isPresent()) {
                    apply(registration.getEndpoint(), 1);
                }
            }
        });
    }

    @Override
    public void deviceChanged(String endpoint) {
        later(endpoint, Duration.ZERO, 1);
    }

    private void later(String endpoint, Duration delay, int attemptsLeft) {
        try {
            thread.schedule(() -> apply(endpoint, attemptsLeft), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // Shutting down.
        }
    }

    private void submit(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException closing) {
            // Shutting down.
        }
    }

    private void apply(String endpoint, int attemptsLeft) {
        try {
            Registration registration = leshan.getRegistrationService().getByEndpoint(endpoint);
            if (registration == null) {
                return;
            }
            Optional<String> model = modelOf.apply(endpoint);
            Optional<List<dev.ferry.server.telemetry.Observation>> own = profiles.deviceObservations(endpoint);
            if (own.isEmpty() && model.isEmpty()) {
                if (attemptsLeft > 1) {
                    later(endpoint, MODEL_RETRY, attemptsLeft - 1);
                }
                return;
            }
            List<dev.ferry.server.telemetry.Observation> wanted = own.orElseGet(
                    () -> profiles.profile(model.get()).observations());
            observe(registration, wanted);
        } catch (RuntimeException e) {
            LOG.warn("{}: its telemetry profile could not be applied: {}", endpoint, e.getMessage());
        }
    }

    private void observe(Registration registration, List<dev.ferry.server.telemetry.Observation> wanted) {
        Set<String> wantedPaths = new HashSet<>();
        wanted.forEach(o -> wantedPaths.add(o.path()));
        Set<String> observed = new HashSet<>();
        Set<String> ours = placedOn(registration.getEndpoint());
        for (Observation existing : leshan.getObservationService().getObservations(registration)) {
            if (existing instanceof SingleObservation single && single.getPath().getObjectId() != 5) {
                String path = single.getPath().toString();
                if (wantedPaths.contains(path)) {
                    observed.add(path);
                } else if (ours.remove(path)) {
                    leshan.getObservationService().cancelObservation(existing);
                }
            }
        }
        for (dev.ferry.server.telemetry.Observation observation : wanted) {
            Runnable observeUnlessObserved = observed.contains(observation.path()) ? () -> { }
                    : () -> sendObserve(registration, observation.path());
            if (observation.attributes().isEmpty()) {
                observeUnlessObserved.run();
                continue;
            }
            // Observed whatever the device answers: it then notifies with its own attributes.
            leshan.send(registration, new WriteAttributesRequest(observation.path(), attributes(observation)),
                    REQUEST_TIMEOUT_MS, response -> {
                        if (!response.isSuccess()) {
                            LOG.info("{}: write-attributes on {} answered {}; observing with the device's own",
                                    registration.getEndpoint(), observation.path(), response.getCode());
                        }
                        observeUnlessObserved.run();
                    }, error -> {
                        LOG.info("{}: write-attributes on {} failed: {}", registration.getEndpoint(),
                                observation.path(), error.getMessage());
                        observeUnlessObserved.run();
                    });
        }
    }

    private Set<String> placedOn(String endpoint) {
        return placed.computeIfAbsent(endpoint, e -> ConcurrentHashMap.newKeySet());
    }

    private void sendObserve(Registration registration, String path) {
        leshan.send(registration, new ObserveRequest(path), REQUEST_TIMEOUT_MS, response -> {
            if (response.isSuccess()) {
                placedOn(registration.getEndpoint()).add(path);
            } else {
                LOG.info("{}: observing {} answered {}", registration.getEndpoint(), path, response.getCode());
            }
        }, error -> LOG.info("{}: observing {} failed: {}", registration.getEndpoint(), path, error.getMessage()));
    }

    static LwM2mAttributeSet attributes(dev.ferry.server.telemetry.Observation observation) {
        List<LwM2mAttribute<?>> attributes = new ArrayList<>();
        for (Map.Entry<String, Number> entry : observation.attributes().entrySet()) {
            Number value = entry.getValue();
            switch (entry.getKey()) {
                case "pmin" -> attributes.add(LwM2mAttributes.create(LwM2mAttributes.MINIMUM_PERIOD,
                        value.longValue()));
                case "pmax" -> attributes.add(LwM2mAttributes.create(LwM2mAttributes.MAXIMUM_PERIOD,
                        value.longValue()));
                case "gt" -> attributes.add(LwM2mAttributes.create(LwM2mAttributes.GREATER_THAN,
                        value.doubleValue()));
                case "lt" -> attributes.add(LwM2mAttributes.create(LwM2mAttributes.LESSER_THAN,
                        value.doubleValue()));
                case "st" -> attributes.add(LwM2mAttributes.create(LwM2mAttributes.STEP, value.doubleValue()));
                default -> throw new IllegalArgumentException("not an attribute: " + entry.getKey());
            }
        }
        return new LwM2mAttributeSet(attributes);
    }

    @Override
    public void close() {
        leshan.getRegistrationService().removeListener(this);
        thread.shutdownNow();
    }
}
