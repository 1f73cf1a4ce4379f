package dev.ferry.server.update;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.observation.CompositeObservation;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.observation.SingleObservation;
import org.eclipse.leshan.core.response.ObserveCompositeResponse;
import org.eclipse.leshan.core.response.ObserveResponse;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.observation.ObservationListener;
import org.eclipse.leshan.server.queue.PresenceListener;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.jooq.DSLContext;

import dev.ferry.server.device.Device;
import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventBus;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.device.RegistryChange;
import dev.ferry.server.device.RegistryWriter;
import dev.ferry.server.distribution.FirmwareAccess;
import dev.ferry.server.distribution.HttpDownloadAccess;
import dev.ferry.server.firmware.BlobStore;
import dev.ferry.server.firmware.Firmware;
import dev.ferry.server.firmware.FirmwareRepository;
import dev.ferry.server.lwm2m.DeviceResources;

/**
 * Update sessions as the API sees them: create (checked and stored here, on the caller's worker thread), list,
 * cancel. The {@link UpdateEngine} does the rest; Leshan's listeners only queue work to it.
 */
public final class UpdateService implements AutoCloseable {
    static final Duration MAX_DEADLINE = Duration.ofDays(30);

    private final UpdateRepository sessions;
    private final FirmwareRepository firmware;
    private final DeviceRepository devices;
    private final DeviceEventBus events;
    private final RegistryWriter registry;
    private final UpdateEngine engine;
    private final DownloadTokens tokens;
    private volatile Function<String, Optional<String>> holder = endpoint -> Optional.empty();

    public UpdateService(UpdateRepository sessions, FirmwareRepository firmware, DeviceRepository devices,
            BlobStore blobs, DeviceEventBus events, RegistryWriter registry, LeshanServer leshan,
            DeviceResources requests, UpdateSettings settings, Supplier<PackageUris> packageUris,
            DownloadTokens tokens) {
        this.sessions = sessions;
        this.firmware = firmware;
        this.devices = devices;
        this.events = events;
        this.registry = registry;
        this.tokens = tokens;
        this.engine = new UpdateEngine(sessions, firmware, blobs, new Object5Link(leshan, requests,
                settings.requestTimeout()), events, settings, packageUris, tokens, registry::submit);
        leshan.getRegistrationService().addListener(new Registrations());
        leshan.getPresenceService().addListener(new Presence());
        leshan.getObservationService().addListener(new Notifications());
    }

    /**
     * Resumes the sessions the last run left unfinished and starts stepping them; once the LwM2M endpoints are up,
     * so that no request to a device is sent through an endpoint that has not started.
     */
    public void start() {
        engine.start();
    }

    public UpdateRepository repository() {
        return sessions;
    }

    /**
     * Creates a session after the {@link InstallChecks}; blocks on the database. A device held by a rollout is
     * refused ({@link UpdateConflictException} naming the rollout): the rollout decides what it installs.
     */
    public UpdateSession create(String endpoint, UpdateRequest request) {
        holder.apply(endpoint).ifPresent(rollout -> {
            throw new UpdateConflictException("device '" + endpoint + "' is held by " + rollout + "; it decides"
                    + " what the device installs. Pause, cancel or finish that rollout first");
        });
        return create(endpoint, request, (dsl, session) -> List.of());
    }

    /**
     * Creates a session for a rollout: the same checks, no rollout guard; {@code alsoInTransaction} records the
     * rollout's side of it in the session's own transaction and returns the events it wrote.
     */
    public UpdateSession createForRollout(String endpoint, UpdateRequest request,
            BiFunction<DSLContext, UpdateSession, List<DeviceEvent>> alsoInTransaction) {
        return create(endpoint, request, alsoInTransaction);
    }

    /** Who holds a device (a rollout, described for an operator), for the guard of {@link #create}. */
    public void holdDevicesWith(Function<String, Optional<String>> holder) {
        this.holder = holder;
    }

    /**
     * Whether the image of the request may be installed on the device: {@link InvalidUpdateException} with the
     * refusal when not. Blocks on the database.
     */
    public Firmware check(Device device, UpdateRequest request) {
        long firmwareId = request.firmwareId();
        Firmware image = firmware.find(firmwareId).orElseThrow(() -> new InvalidUpdateException(
                UpdateRefusal.UNKNOWN_FIRMWARE, "no firmware with id " + firmwareId
                        + "; list firmware with GET /api/v1/firmware"));
        if (!image.isPublished()) {
            throw new InvalidUpdateException(UpdateRefusal.NOT_PUBLISHED, "firmware " + firmwareId + " ("
                    + image.version() + ") is not published; publish it first with POST /api/v1/firmware/"
                    + firmwareId + "/publish");
        }
        Duration deadline = request.deadline();
        if (deadline != null && (deadline.isNegative() || deadline.isZero() || deadline.compareTo(MAX_DEADLINE) > 0)) {
            throw new InvalidUpdateException(UpdateRefusal.INVALID_DEADLINE, "deadlineSeconds must be between 1 and "
                    + MAX_DEADLINE.toSeconds());
        }
        String model = device.model() != null ? device.model() : image.model();
        InstallChecks.check(device, image, request, firmware.model(model),
                InstallChecks.runningVersion(device).flatMap(v -> firmware.findVersion(model, v)));
        InstallChecks.delivery(device, request.delivery());
        return image;
    }

    private UpdateSession create(String endpoint, UpdateRequest request,
            BiFunction<DSLContext, UpdateSession, List<DeviceEvent>> alsoInTransaction) {
        Device device = devices.find(endpoint).orElseThrow(() -> new UnknownDeviceException(endpoint));
        Firmware image = check(device, request);
        Duration deadline = request.deadline();
        Delivery chosen = InstallChecks.delivery(device, request.delivery());
        if (!engine.reserve(endpoint, image)) {
            throw new UpdateConflictException("device '" + endpoint + "' already has an unfinished update; cancel it"
                    + " or wait for its outcome");
        }
        OffsetDateTime now = OffsetDateTime.now();
        List<DeviceEvent> recorded = new ArrayList<>();
        UpdateSession session;
        try {
            session = sessions.insert(endpoint, request.firmwareId(), chosen, deadline == null ? null
                    : now.plus(deadline), "to " + image.model() + " " + image.version() + " by " + chosen.wireName(),
                    now, recorded, alsoInTransaction);
        } catch (RuntimeException e) {
            engine.release(endpoint, image);
            throw e;
        }
        recorded.forEach(events::publish);
        engine.adopt(session, image);
        return session;
    }

    public CompletableFuture<UpdateSession> cancel(long id) {
        return engine.cancel(id);
    }

    /**
     * Who may download what over CoAPS: a device may fetch only the image its unfinished update session installs,
     * judged by the image's bytes (SHA-256), whichever firmware record of those bytes the session was made with.
     * Callable from any thread; never touches the database.
     */
    public FirmwareAccess downloadAccess() {
        return (endpoint, image) -> engine.isAssigned(endpoint, image.sha256());
    }

    /** The devices whose unfinished session installs the image with this SHA-256; never touches the database. */
    public java.util.List<String> installing(String sha256) {
        return engine.assignedTo(sha256);
    }

    /**
     * Who may download what over HTTP: the holder of a session's download token, the image that session installs,
     * while it is unfinished and not past its deadline. Callable from any thread; never touches the database.
     */
    public HttpDownloadAccess httpDownloadAccess() {
        return (token, sha256) -> {
            if (token == null || token.isEmpty()) {
                return HttpDownloadAccess.Verdict.MISSING;
            }
            OptionalLong session = tokens.sessionOf(token, sha256);
            if (session.isEmpty()) {
                return HttpDownloadAccess.Verdict.INVALID;
            }
            return engine.mayDownload(session.getAsLong(), sha256) ? HttpDownloadAccess.Verdict.GRANTED
                    : HttpDownloadAccess.Verdict.EXPIRED;
        };
    }

    /** Stops the engine's work on a device that was deprovisioned. */
    public void deviceRemoved(String endpoint) {
        engine.deviceRemoved(endpoint);
    }

    @Override
    public void close() {
        engine.close();
    }

    /** The device named in a request is not provisioned; the API answers 404. */
    public static final class UnknownDeviceException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String endpoint;

        UnknownDeviceException(String endpoint) {
            super("no device with endpoint '" + endpoint + "'");
            this.endpoint = endpoint;
        }

        public String endpoint() {
            return endpoint;
        }
    }

    private final class Registrations implements RegistrationListener {
        @Override
        public void registered(Registration registration, Registration previousReg,
                Collection<Observation> previousObservations) {
            engine.registered(registration.getEndpoint());
        }

        @Override
        public void updated(RegistrationUpdate update, Registration updatedReg, Registration previousReg) {
            engine.reachable(updatedReg.getEndpoint());
        }

        @Override
        public void unregistered(Registration registration, Collection<Observation> observations, boolean expired,
                Registration newReg) {
            // Sessions wait for the device to come back; deadlines still run.
        }
    }

    private final class Presence implements PresenceListener {
        @Override
        public void onAwake(Registration registration) {
            engine.reachable(registration.getEndpoint());
        }

        @Override
        public void onSleeping(Registration registration) {
            // Nothing to do: requests wait for the next wake-up.
        }
    }

    private final class Notifications implements ObservationListener {
        @Override
        public void newObservation(Observation observation, Registration registration) {
        }

        @Override
        public void cancelled(Observation observation) {
        }

        @Override
        public void onResponse(SingleObservation observation, Registration registration, ObserveResponse response) {
            if (observation.getPath().getObjectId() == Object5Link.FIRMWARE && observation.getPath().isResource()
                    && response.getContent() instanceof LwM2mResource resource
                    && resource.getValue() instanceof Number value) {
                int resourceId = observation.getPath().getResourceId();
                engine.notified(registration.getEndpoint(), resourceId, value.longValue());
                registry.submit(new RegistryChange.FirmwareResourceNotified(registration.getEndpoint(), resourceId,
                        value.intValue(), OffsetDateTime.now()));
            }
        }

        @Override
        public void onResponse(CompositeObservation observation, Registration registration,
                ObserveCompositeResponse response) {
        }

        @Override
        public void onError(Observation observation, Registration registration, Exception error) {
        }
    }
}
