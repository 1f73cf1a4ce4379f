package dev.ferry.server.update;

import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.eclipse.leshan.server.registration.Registration;

/**
 * What the engine's parts ({@link SessionDelivery}, {@link SessionVerdict}) ask of the engine: to store a
 * session's move, and to continue on the engine's thread once a device request completes. All on that thread.
 */
interface SessionSteps {

    /** Stores the session's new state with why, publishes the event. */
    void move(ActiveSession a, UpdateState to, FailureReason reason, String detail);

    /** Ends the session as failed, leaving the device's object 5 idle where it allows. */
    void fail(ActiveSession a, FailureReason reason, String detail);

    /**
     * Retries the session later if the failure is transient and attempts are left, else fails it. {@code error}
     * is the request's failure, if one failed: a device that answered with an error code is not retried.
     */
    void retryOrFail(ActiveSession a, FailureReason reason, String detail, Throwable error);

    /** Runs {@code step} on the engine's thread when {@code request} completes; the session waits meanwhile. */
    <T> void then(ActiveSession a, CompletableFuture<T> request, BiConsumer<T, Throwable> step);

    /**
     * Reads State (5/0/3) and Update Result (5/0/5) into the session (a notification that arrives meanwhile is
     * newer and wins) and into the registry, then runs {@code next} with the read's failure, or null.
     */
    void readObject5(ActiveSession a, Registration registration, Consumer<Throwable> next);

    /** Takes the session's next step now. */
    void advance(ActiveSession a);
}
