package dev.ferry.server.lwm2m;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The CoAP stack's protocol-stage executor: a task runs on the thread that submits it (a UDP or DTLS receiver
 * thread for incoming messages), and only delayed tasks go to {@code timers}. A received block request is then
 * parsed, matched, answered and sent without waking another thread; Californium still serialises each exchange.
 * Nothing Ferry runs in the stack blocks: its Leshan listeners only queue work.
 */
final class CallerRunsScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final ScheduledExecutorService timers;
    private volatile boolean shutdown;

    CallerRunsScheduler(ScheduledExecutorService timers) {
        this.timers = timers;
    }

    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("the CoAP stack is stopped");
        }
        task.run();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return timers.schedule(task, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> task, long delay, TimeUnit unit) {
        return timers.schedule(task, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long initialDelay, long period, TimeUnit unit) {
        return timers.scheduleAtFixedRate(task, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, long initialDelay, long delay, TimeUnit unit) {
        return timers.scheduleWithFixedDelay(task, initialDelay, delay, unit);
    }

    @Override
    public void shutdown() {
        shutdown = true;
        timers.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        return timers.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && timers.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return timers.awaitTermination(timeout, unit);
    }
}
