package dev.ferry.sim.device;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs tasks one at a time, in submission order, on a shared executor: a device's own thread without one. */
final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor shared;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean running;
    private volatile Thread current;

    SerialExecutor(Executor shared) {
        this.shared = shared;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        try {
            shared.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // The threads are gone (device or fleet closed): nothing is left to run this.
            synchronized (tasks) {
                tasks.clear();
                running = false;
            }
        }
    }

    /** True when called from a task of this executor. */
    boolean inTask() {
        return current == Thread.currentThread();
    }

    private void drain() {
        current = Thread.currentThread();
        try {
            while (true) {
                Runnable task;
                synchronized (tasks) {
                    task = tasks.poll();
                    if (task == null) {
                        running = false;
                        return;
                    }
                }
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("device task failed", e);
                }
            }
        } finally {
            current = null;
        }
    }
}
