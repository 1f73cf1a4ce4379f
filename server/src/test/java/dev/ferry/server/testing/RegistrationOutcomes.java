package dev.ferry.server.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.eclipse.leshan.core.request.UpdateRequest;

/** What a Leshan client saw of its registrations and updates, in order, with waiting on a deadline. */
public final class RegistrationOutcomes extends LwM2mClientObserverAdapter {

    public enum Outcome {
        /** The server acknowledged a registration (2.01). */
        REGISTERED,
        /** The server accepted a registration update (2.04). */
        UPDATED,
        /** The server answered an update with 4.04: it does not know the registration. */
        UPDATE_NOT_FOUND,
        /** The server refused an update with another code, or did not answer it. */
        UPDATE_FAILED
    }

    private final List<Outcome> outcomes = new ArrayList<>();

    @Override
    public void onRegistrationSuccess(LwM2mServer server, RegisterRequest request, String registrationId) {
        add(Outcome.REGISTERED);
    }

    @Override
    public void onUpdateSuccess(LwM2mServer server, UpdateRequest request) {
        add(Outcome.UPDATED);
    }

    @Override
    public void onUpdateFailure(LwM2mServer server, UpdateRequest request, ResponseCode code, String message,
            Exception cause) {
        add(code == ResponseCode.NOT_FOUND ? Outcome.UPDATE_NOT_FOUND : Outcome.UPDATE_FAILED);
    }

    @Override
    public void onUpdateTimeout(LwM2mServer server, UpdateRequest request) {
        add(Outcome.UPDATE_FAILED);
    }

    private synchronized void add(Outcome outcome) {
        outcomes.add(outcome);
        notifyAll();
    }

    public synchronized List<Outcome> soFar() {
        return List.copyOf(outcomes);
    }

    public synchronized int count(Outcome outcome) {
        return (int) outcomes.stream().filter(outcome::equals).count();
    }

    /** Waits until at least {@code times} outcomes of that kind were seen in all; returns what was seen. */
    public List<Outcome> await(Outcome outcome, int times, Duration deadline) {
        return awaitSince(0, seen -> seen.stream().filter(outcome::equals).count() >= times,
                outcome + " #" + times, deadline);
    }

    /** Waits until what was seen from position {@code from} on satisfies {@code done}; returns that part. */
    public synchronized List<Outcome> awaitSince(int from, Predicate<List<Outcome>> done, String what,
            Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!done.test(outcomes.subList(Math.min(from, outcomes.size()), outcomes.size()))) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no " + what + " within " + deadline + "; seen: " + outcomes);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
        return List.copyOf(outcomes.subList(from, outcomes.size()));
    }
}
