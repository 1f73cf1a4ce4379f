package dev.ferry.server.update;

import java.time.OffsetDateTime;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.eclipse.leshan.server.registration.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.device.RegistryChange;

/**
 * Reads of State (5/0/3) and Update Result (5/0/5) for a session and for the registry. Each value carries the
 * moment it was received, so the registry keeps whichever of reads and notifications arrived last; a session
 * keeps a notified value over a read that was under way when the notification came.
 */
final class Object5Readings {
    private static final Logger LOG = LoggerFactory.getLogger(Object5Readings.class);

    private final SessionSteps steps;
    private final Object5Link link;
    private final Consumer<RegistryChange> registry;

    Object5Readings(SessionSteps steps, Object5Link link, Consumer<RegistryChange> registry) {
        this.steps = steps;
        this.link = link;
        this.registry = registry;
    }

    /** Reads both into the session and the registry, then runs {@code next} with the read's failure, or null. */
    void read(ActiveSession a, Registration registration, Consumer<Throwable> next) {
        a.stateNotified = false;
        a.resultNotified = false;
        CompletableFuture<Object5Link.Sample> state = link.readInteger(registration, 3);
        CompletableFuture<Object5Link.Sample> result = state.thenCompose(v -> link.readInteger(registration, 5));
        steps.then(a, result, (read, error) -> {
            if (error == null) {
                take(a, state.join(), read);
            } else {
                LOG.debug("Update {}: reading 5/0/3 and 5/0/5 of {} failed: {}", a.session.id(),
                        a.session.endpoint(), error.getMessage());
            }
            next.accept(error);
        });
    }

    /**
     * Takes values read (or observed) into the session unless a notification came since the request went out (it
     * is newer), and into the registry. Run on the engine's thread.
     */
    void take(ActiveSession a, Object5Link.Sample state, Object5Link.Sample result) {
        if (!a.stateNotified) {
            a.deviceState = state.value();
        }
        if (!a.resultNotified) {
            a.deviceResult = result.value();
        }
        record(a.session.endpoint(), state, result);
    }

    /** Reads both once more after a session ended, so the registry shows how the device ended up. */
    void forRegistry(String endpoint) {
        Registration registration = link.registration(endpoint);
        if (registration == null || !link.isReachable(registration)) {
            return;
        }
        link.readInteger(registration, 3)
                .thenCompose(state -> link.readInteger(registration, 5).thenAccept(result ->
                        record(endpoint, state, result)))
                .exceptionally(e -> {
                    LOG.debug("Cannot read object 5 of {} after its update: {}", endpoint, e.getMessage());
                    return null;
                });
    }

    private void record(String endpoint, Object5Link.Sample state, Object5Link.Sample result) {
        OffsetDateTime now = OffsetDateTime.now();
        registry.accept(new RegistryChange.FirmwareStateRead(endpoint, state.asInteger(), null, state.seen(), now));
        registry.accept(new RegistryChange.FirmwareStateRead(endpoint, null, result.asInteger(), result.seen(), now));
    }
}
