package dev.ferry.sim;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.ferry.sim.bench.ThreadBudget;

/**
 * The executor the benchmark's Leshan clients share for their own tasks. Leshan's client registers synchronously,
 * holding a thread of it until the server answers, so it needs a thread for each registration in flight. A client
 * opens its socket and starts its connector's threads in a task on this executor, where a failure would vanish
 * into the task's future and the client would simply never register; this executor keeps the first failure to
 * start a thread, so the benchmark can stop and say so.
 */
final class ClientScheduler extends ScheduledThreadPoolExecutor {
    private final AtomicReference<Throwable> threadLimit = new AtomicReference<>();

    ClientScheduler(int threads, String name) {
        super(threads, daemonThreads(name));
        // All now, so that the threads the clients' connectors start can be counted apart from these.
        prestartAllCoreThreads();
    }

    /** The first failure of a client task to start a thread, or null. */
    Throwable threadLimit() {
        return threadLimit.get();
    }

    @Override
    protected void afterExecute(Runnable task, Throwable thrown) {
        super.afterExecute(task, thrown);
        Throwable error = thrown;
        if (error == null && task instanceof Future<?> future && future.isDone()) {
            try {
                future.get();
            } catch (ExecutionException e) {
                error = e.getCause();
            } catch (CancellationException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (error != null && ThreadBudget.isThreadLimit(error)) {
            threadLimit.compareAndSet(null, error);
        }
    }

    static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
