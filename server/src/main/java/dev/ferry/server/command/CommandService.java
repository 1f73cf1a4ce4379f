package dev.ferry.server.command;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.queue.PresenceListener;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;

import dev.ferry.server.device.Device;
import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventBus;
import dev.ferry.server.device.DeviceEventListener;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.device.DeviceQuery;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.lwm2m.DeviceResources;
import dev.ferry.server.store.Database;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;

/**
 * Commands queued for devices and fleet command jobs, as the API sees them: queue, list, show, cancel. Every
 * method blocks on the database and returns once what it did is committed; the {@link CommandDispatcher} sends.
 */
public final class CommandService implements AutoCloseable {
    public static final int MAX_CONCURRENCY = 10_000;

    private final CommandStore store;
    private final DeviceRepository devices;
    private final Function<String, Optional<DeviceFilter>> groups;
    private final DeviceResources resources;
    private final DeviceEventBus events;
    private final CommandMeters meters;
    private final CommandSpecs specs;
    private final CommandSettings settings;
    private final CommandDispatcher dispatcher;
    private final Clock clock;
    private final DeviceEventListener deprovisionedListener = this::deprovisioned;

    /** @param groups the filter of the saved group of that name, empty when there is none */
    public CommandService(Database database, DeviceRepository devices, Function<String, Optional<DeviceFilter>> groups,
            LeshanServer leshan, DeviceResources resources, DeviceEventBus events, MeterRegistry registry,
            CommandSettings settings, Clock clock) {
        this.store = new CommandStore(database);
        this.devices = devices;
        this.groups = groups;
        this.resources = resources;
        this.events = events;
        this.meters = new CommandMeters(registry);
        this.specs = new CommandSpecs(settings.defaultDeadline(), settings.maxDeadline());
        this.settings = settings;
        this.clock = clock;
        this.dispatcher = new CommandDispatcher(store, leshan, resources, events, meters, settings.requestTimeout(),
                clock);
        // Settles what a previous run left in flight before any wake-up can send what is queued behind it.
        dispatcher.start();
        leshan.getRegistrationService().addListener(new Registrations());
        leshan.getPresenceService().addListener(new Presence());
        events.subscribe(deprovisionedListener);
    }

    /** Reads commands as the API takes them. */
    public CommandSpecs specs() {
        return specs;
    }

    public CommandSettings settings() {
        return settings;
    }

    /** Queues a command for a provisioned device; it is committed when this returns. */
    public Command queue(String endpoint, CommandSpec spec, String createdBy) {
        refuseBadWrites(spec);
        Command command = store.insert(endpoint, spec, createdBy, OffsetDateTime.now(clock));
        dispatcher.queued(List.of(endpoint));
        return command;
    }

    public Command find(String endpoint, long id) {
        return store.find(id).filter(c -> c.endpoint().equals(endpoint)).orElseThrow(() ->
                new UnknownCommandException("device '" + endpoint + "' has no command " + id
                        + "; list its commands with GET /api/v1/devices/" + endpoint + "/commands"));
    }

    /** The device's commands, newest first, with ids below {@code beforeId}. */
    public List<Command> list(String endpoint, Optional<CommandState> state, long beforeId, int limit) {
        return store.forDevice(endpoint, state, beforeId, limit);
    }

    /**
     * Cancels a pending command. One already sent is not cancelled: the device may have carried it out, so the
     * outcome it reports is recorded instead ({@link CommandConflictException}); so is one that already ended.
     */
    public Command cancel(String endpoint, long id) {
        Command command = find(endpoint, id);
        if (command.state() == CommandState.PENDING) {
            Optional<DeviceEvent> event = store.finish(command, CommandState.PENDING, CommandState.CANCELLED, null,
                    null, "cancelled by an operator", OffsetDateTime.now(clock));
            if (event.isPresent()) {
                meters.outcome(CommandState.CANCELLED);
                events.publish(event.get());
                return find(endpoint, id);
            }
            command = find(endpoint, id);
        }
        if (command.state() == CommandState.SENT) {
            throw new CommandConflictException("command " + id + " was already sent to the device at "
                    + command.sentAt() + " and cannot be taken back; its outcome is recorded when the device answers");
        }
        throw new CommandConflictException("command " + id + " already ended " + command.state().wireName());
    }

    /**
     * Creates a fleet job: one command per device the target matches now, each queued like a device's own, with
     * at most {@code concurrency} of them in flight at once.
     *
     * @param target {@code {"group": name}} or {@code {"filter": {...}}}, as given, stored with the job
     * @param filter the target's filter when it is one (null for a group)
     */
    public CommandJob createJob(CommandSpec spec, JsonObject target, DeviceFilter filter, Integer concurrency,
            String createdBy) {
        refuseBadWrites(spec);
        DeviceFilter resolved = filter;
        if (target.containsKey("group")) {
            String name = target.getString("group");
            resolved = groups.apply(name).orElseThrow(() -> new InvalidCommandException("there is no group '" + name
                    + "'; list groups with GET /api/v1/groups"));
        }
        List<String> endpoints = members(resolved);
        if (endpoints.isEmpty()) {
            throw new InvalidCommandException("the target matches no device; a job needs at least one");
        }
        int limit = concurrency == null ? settings.defaultConcurrency() : concurrency;
        long id = store.insertJob(spec, target, limit, endpoints, createdBy, OffsetDateTime.now(clock));
        dispatcher.queued(endpoints);
        return job(id);
    }

    private List<String> members(DeviceFilter filter) {
        List<String> members = new ArrayList<>();
        String after = null;
        while (true) {
            List<Device> page = devices.matching(filter, after, DeviceQuery.MAX_LIMIT);
            page.forEach(d -> members.add(d.endpoint()));
            if (page.size() < DeviceQuery.MAX_LIMIT) {
                return members;
            }
            after = page.get(page.size() - 1).endpoint();
        }
    }

    public CommandJob job(long id) {
        return store.findJob(id).orElseThrow(() -> new UnknownCommandException("there is no command job " + id
                + "; list jobs with GET /api/v1/commands"));
    }

    public List<CommandJob> jobs(int offset, int limit) {
        return store.jobs(offset, limit);
    }

    /** The job's device commands in endpoint order. */
    public List<Command> jobDevices(long id, Optional<CommandState> state, String afterEndpoint, int limit) {
        job(id);
        return store.ofJob(id, state, afterEndpoint, limit);
    }

    /**
     * Cancels the job's pending device commands; those already sent end with what their device answers. A job
     * whose every command ended is answered with {@link CommandConflictException}.
     */
    public CommandJob cancelJob(long id) {
        CommandJob job = job(id);
        if (job.isFinished()) {
            throw new CommandConflictException("command job " + id + " has ended: each of its devices' commands"
                    + " ended; nothing is left to cancel");
        }
        List<DeviceEvent> cancelled = store.cancelJob(id, OffsetDateTime.now(clock));
        cancelled.forEach(e -> {
            meters.outcome(CommandState.CANCELLED);
            events.publish(e);
        });
        return job(id);
    }

    /** A write the server would refuse for any device (a lifetime outside the accepted range) is refused now. */
    private void refuseBadWrites(CommandSpec spec) {
        if (spec.kind() != CommandKind.WRITE) {
            return;
        }
        LwM2mPath path = new LwM2mPath(spec.path());
        JsonObject payload = spec.payload();
        if (payload.containsKey("value")) {
            refuse(resources.writeRefusal(path.getObjectId(), path.getResourceId(), payload.getValue("value")));
        } else {
            payload.getJsonObject("values").forEach(v -> refuse(resources.writeRefusal(path.getObjectId(),
                    Integer.parseInt(v.getKey()), v.getValue())));
        }
    }

    private static void refuse(String refusal) {
        if (refusal != null) {
            throw new InvalidCommandException(refusal);
        }
    }

    /**
     * A deprovisioned device's queue is cancelled: a device provisioned later under the same endpoint is another
     * device and must not get what was meant for this one.
     */
    private void deprovisioned(DeviceEvent event) {
        if (event.type() == DeviceEventType.DEPROVISIONED && event.endpoint() != null) {
            dispatcher.cancelQueue(event.endpoint(), "cancelled: the device was deprovisioned");
        }
    }

    @Override
    public void close() {
        events.unsubscribe(deprovisionedListener);
        dispatcher.close();
    }

    private final class Registrations implements RegistrationListener {
        @Override
        public void registered(Registration registration, Registration previousReg,
                Collection<Observation> previousObservations) {
            dispatcher.wake(registration.getEndpoint());
        }

        @Override
        public void updated(RegistrationUpdate update, Registration updatedReg, Registration previousReg) {
            dispatcher.wake(updatedReg.getEndpoint());
        }

        @Override
        public void unregistered(Registration registration, Collection<Observation> observations, boolean expired,
                Registration newReg) {
            // Commands wait for the device to register again; deadlines still run.
        }
    }

    private final class Presence implements PresenceListener {
        @Override
        public void onAwake(Registration registration) {
            dispatcher.wake(registration.getEndpoint());
        }

        @Override
        public void onSleeping(Registration registration) {
            // Nothing to do: commands wait for the next wake-up.
        }
    }
}
