package dev.ferry.server.command;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.observation.SingleObservation;
import org.eclipse.leshan.core.request.CancelObservationRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.registration.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventBus;
import dev.ferry.server.lwm2m.DeviceRequestException;
import dev.ferry.server.lwm2m.DeviceResources;

/**
 * Sends queued commands: one thread of its own owns every device's queue, so Leshan's listeners only post a
 * wake-up here and never wait on the database. A device has at most one command in flight, the oldest pending
 * one, and gets the next when that one ended. A fleet job's devices have at most its concurrency in flight; the
 * others wait for a slot.
 */
final class CommandDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final int EXPIRE_BATCH = 500;
    /** Attempts of a repeatable command whose outcome stayed unknown (no answer), before it fails. */
    static final int MAX_ATTEMPTS = 3;

    private final CommandStore store;
    private final LeshanServer leshan;
    private final DeviceResources resources;
    private final CommandRequests requests;
    private final DeviceEventBus events;
    private final CommandMeters meters;
    private final Duration requestTimeout;
    private final Clock clock;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ferry-commands");
        t.setDaemon(true);
        return t;
    });
    /**
     * Devices that may have pending commands: a registration or wake-up of any other device costs a set lookup,
     * not a query. Removed from only on the thread below, when a device's queue is found empty; added to there too.
     */
    private final Set<String> withQueue = ConcurrentHashMap.newKeySet();
    // Owned by the thread above.
    private final Set<String> inFlight = new HashSet<>();
    private final Map<Long, Integer> jobInFlight = new HashMap<>();
    private final Map<Long, Set<String>> waitingForJob = new HashMap<>();
    private final Map<Long, Integer> jobLimits = new HashMap<>();

    CommandDispatcher(CommandStore store, LeshanServer leshan, DeviceResources resources, DeviceEventBus events,
            CommandMeters meters, Duration requestTimeout, Clock clock) {
        this.store = store;
        this.leshan = leshan;
        this.resources = resources;
        this.requests = new CommandRequests(leshan.getModelProvider());
        this.events = events;
        this.meters = meters;
        this.requestTimeout = requestTimeout;
        this.clock = clock;
    }

    /**
     * Settles what a previous run left in flight, then offers every queue to its device. A command that was sent
     * when the server stopped has an unknown outcome: a repeatable one goes back to the head of its queue and is
     * sent again; any other (execute) fails, saying that the outcome is unknown.
     */
    void start() {
        post(() -> {
            for (Command command : store.inState(CommandState.SENT)) {
                if (command.kind().isRepeatable()) {
                    store.backToPending(command.id(), "the server stopped while it was in flight; sent again");
                } else {
                    end(command, CommandState.SENT, CommandState.FAILED, null, null, "outcome unknown: the server"
                            + " stopped while it was in flight to the device, and a " + command.kind().wireName()
                            + " is not repeated because doing it twice is not the same as once");
                }
            }
            List<String> queued = store.endpointsWithPending();
            withQueue.addAll(queued);
            if (!queued.isEmpty()) {
                LOG.info("{} device(s) have queued commands; each gets them when it is reachable", queued.size());
            }
            queued.forEach(this::dispatch);
            meters.queued(store.countPending());
        });
        thread.scheduleWithFixedDelay(() -> guarded(this::tick), TICK.toMillis(), TICK.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The device may be reachable now (registered, updated, awake); any thread. */
    void wake(String endpoint) {
        if (withQueue.contains(endpoint)) {
            post(() -> dispatch(endpoint));
        }
    }

    /** Commands were queued for these devices (committed); any thread. */
    void queued(List<String> endpoints) {
        post(() -> endpoints.forEach(endpoint -> {
            withQueue.add(endpoint);
            dispatch(endpoint);
        }));
    }

    /** Cancels every pending command of the device, with this reason; any thread. */
    void cancelQueue(String endpoint, String reason) {
        post(() -> store.pendingOf(endpoint).forEach(command -> end(command, CommandState.PENDING,
                CommandState.CANCELLED, null, null, reason)));
    }

    private void post(Runnable task) {
        try {
            thread.execute(() -> guarded(task));
        } catch (RejectedExecutionException e) {
            LOG.debug("Command dispatcher stopped; dropped a wake-up (queued commands stay in the database)");
        }
    }

    private static void guarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("Command dispatch failed; the commands stay queued and are tried again", e);
        }
    }

    /** Expires pending commands past their deadline and refreshes the queued gauge. */
    private void tick() {
        OffsetDateTime now = OffsetDateTime.now(clock);
        for (Command command : store.pastDeadline(now, EXPIRE_BATCH)) {
            end(command, CommandState.PENDING, CommandState.EXPIRED, null, null, "its deadline "
                    + command.deadline() + " passed before the device could be reached"
                    + (command.error() == null ? "" : " (last attempt: " + command.error() + ")"));
        }
        meters.queued(store.countPending());
    }

    private void dispatch(String endpoint) {
        if (inFlight.contains(endpoint)) {
            return; // the next one goes when this one ended
        }
        Registration registration = leshan.getRegistrationService().getByEndpoint(endpoint);
        if (registration == null || registration.usesQueueMode()
                && !leshan.getPresenceService().isClientAwake(registration)) {
            return; // its registration or wake-up brings it back here
        }
        while (true) {
            Optional<Command> head = store.head(endpoint);
            if (head.isEmpty()) {
                withQueue.remove(endpoint); // what is queued later is added back with queued()
                return;
            }
            Command command = head.get();
            OffsetDateTime now = OffsetDateTime.now(clock);
            if (!command.deadline().isAfter(now)) {
                end(command, CommandState.PENDING, CommandState.EXPIRED, null, null, "its deadline "
                        + command.deadline() + " passed before the device could be reached");
                continue;
            }
            if (command.jobId() != null && !takeJobSlot(command.jobId(), endpoint)) {
                return; // a finished command of the job frees a slot and brings it back
            }
            if (!store.markSent(command.id(), now)) {
                releaseJobSlot(command.jobId());
                continue; // cancelled meanwhile
            }
            inFlight.add(endpoint);
            send(command, registration, Duration.between(now, command.deadline()));
            return;
        }
    }

    private void send(Command command, Registration registration, Duration untilDeadline) {
        Duration timeout = untilDeadline.compareTo(requestTimeout) < 0 ? untilDeadline : requestTimeout;
        CompletableFuture<? extends LwM2mResponse> answer;
        try {
            if (command.kind() == CommandKind.CANCEL_OBSERVE) {
                answer = cancelObservation(command, registration, timeout);
            } else {
                answer = resources.send(registration, requests.request(command, registration), timeout,
                        command.path());
            }
        } catch (InvalidCommandException | DeviceRequestException | IllegalArgumentException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, error) -> post(() -> answered(command, response, error)));
    }

    /** Cancels the server's observations of the path actively, so the device stops notifying. */
    private CompletableFuture<? extends LwM2mResponse> cancelObservation(Command command, Registration registration,
            Duration timeout) {
        Optional<SingleObservation> observation = leshan.getObservationService().getObservations(registration)
                .stream().filter(SingleObservation.class::isInstance).map(SingleObservation.class::cast)
                .filter(o -> o.getPath().toString().equals(command.path())).findFirst();
        if (observation.isEmpty()) {
            return CompletableFuture.failedFuture(new InvalidCommandException("the server holds no observation of "
                    + command.path() + " for this device (observations end when a device registers anew)"));
        }
        Observation o = observation.get();
        return resources.send(registration, new CancelObservationRequest(observation.get()), timeout,
                command.path()).thenApply(response -> {
                    leshan.getObservationService().cancelObservation(o);
                    return response;
                });
    }

    private void answered(Command command, LwM2mResponse response, Throwable error) {
        inFlight.remove(command.endpoint());
        releaseJobSlot(command.jobId());
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause == null) {
            end(command, CommandState.SENT, CommandState.SUCCEEDED, response.getCode().getName(),
                    CommandRequests.value(response), null);
        } else if (cause instanceof DeviceRequestException e && e.kind() == DeviceRequestException.Kind.DEVICE_ERROR) {
            // Without the device's (empty) diagnostic text after the code.
            end(command, CommandState.SENT, CommandState.FAILED, e.deviceCode(), null,
                    e.getMessage().replaceAll(":\\s*$", ""));
        } else if (cause instanceof DeviceRequestException e && unknownOutcome(e)) {
            if (command.kind().isRepeatable() && command.attempts() + 1 < MAX_ATTEMPTS) {
                store.backToPending(command.id(), e.getMessage());
            } else {
                end(command, CommandState.SENT, CommandState.FAILED, null, null, (command.kind().isRepeatable()
                        ? "no outcome after " + MAX_ATTEMPTS + " attempts: " : "outcome unknown, not repeated: ")
                        + e.getMessage());
            }
        } else if (cause instanceof InvalidCommandException || cause instanceof DeviceRequestException) {
            end(command, CommandState.SENT, CommandState.FAILED, null, null, cause.getMessage());
        } else {
            LOG.warn("Command {} to {} failed", command.id(), command.endpoint(), cause);
            end(command, CommandState.SENT, CommandState.FAILED, null, null,
                    "the request could not be made; the server log has the cause");
        }
        dispatch(command.endpoint());
        if (command.jobId() != null) {
            wakeWaiting(command.jobId());
        }
    }

    private static boolean unknownOutcome(DeviceRequestException e) {
        return e.kind() == DeviceRequestException.Kind.TIMEOUT || e.kind() == DeviceRequestException.Kind.SEND_FAILED;
    }

    private void end(Command command, CommandState from, CommandState end, String code, Object value, String error) {
        Optional<DeviceEvent> event = store.finish(command, from, end, code, value, error,
                OffsetDateTime.now(clock));
        event.ifPresent(e -> {
            meters.outcome(end);
            events.publish(e);
        });
    }

    private boolean takeJobSlot(long jobId, String endpoint) {
        int limit = jobLimits.computeIfAbsent(jobId, store::jobConcurrency);
        int used = jobInFlight.getOrDefault(jobId, 0);
        if (used >= limit) {
            waitingForJob.computeIfAbsent(jobId, id -> new LinkedHashSet<>()).add(endpoint);
            return false;
        }
        jobInFlight.put(jobId, used + 1);
        return true;
    }

    private void releaseJobSlot(Long jobId) {
        if (jobId != null) {
            jobInFlight.merge(jobId, -1, Integer::sum);
        }
    }

    private void wakeWaiting(long jobId) {
        Set<String> waiting = waitingForJob.get(jobId);
        while (waiting != null && !waiting.isEmpty()
                && jobInFlight.getOrDefault(jobId, 0) < jobLimits.getOrDefault(jobId, 1)) {
            String next = waiting.iterator().next();
            waiting.remove(next);
            dispatch(next);
        }
        if (waiting != null && waiting.isEmpty()) {
            waitingForJob.remove(jobId);
        }
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.shutdownNow();
        }
    }
}
