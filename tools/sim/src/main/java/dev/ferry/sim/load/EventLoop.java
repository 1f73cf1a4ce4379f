package dev.ferry.sim.load;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread serving many endpoints: it reads their channels, runs their timers and the tasks other
 * threads hand it. Everything an endpoint holds is touched only by its loop's thread, so the endpoints need
 * no locks.
 */
final class EventLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);

    /** A timer of this loop; {@link #cancel()} only from the loop's thread. */
    static final class Timer {
        private final long due;
        private final Runnable action;
        private boolean cancelled;

        private Timer(long due, Runnable action) {
            this.due = due;
            this.action = action;
        }

        void cancel() {
            cancelled = true;
        }
    }

    final UdpDataParser parser = new UdpDataParser();
    final UdpDataSerializer serializer = new UdpDataSerializer();
    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(Comparator.comparingLong(t -> t.due));
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
    private volatile boolean running = true;

    EventLoop(String name) throws IOException {
        selector = Selector.open();
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code task} on this loop's thread, soon. */
    void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Runs {@code action} on this loop's thread at {@code dueNanos} ({@link System#nanoTime()}); loop thread only. */
    Timer at(long dueNanos, Runnable action) {
        Timer timer = new Timer(dueNanos, action);
        timers.add(timer);
        return timer;
    }

    Timer after(long delayMillis, Runnable action) {
        return at(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis), action);
    }

    /** A random number in [0, 1), for the retransmission timeouts. */
    double random() {
        return ThreadLocalRandom.current().nextDouble();
    }

    /** Registers {@code channel}, which {@code endpoint} reads; loop thread only. */
    void register(DatagramChannel channel, LoadEndpoint endpoint) throws IOException {
        channel.register(selector, SelectionKey.OP_READ, endpoint);
    }

    private void run() {
        while (running) {
            try {
                long wait = nextTimerWaitMillis();
                if (wait < 0) {
                    selector.select(this::readable);
                } else if (wait == 0) {
                    selector.selectNow(this::readable);
                } else {
                    selector.select(this::readable, wait);
                }
                wakeupPending.set(false);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                runDueTimers();
            } catch (IOException | RuntimeException e) {
                if (running) {
                    LOG.warn("load event loop {}: {}", thread.getName(), e.toString(), e);
                }
            }
        }
    }

    private long nextTimerWaitMillis() {
        Timer next = timers.peek();
        while (next != null && next.cancelled) {
            timers.poll();
            next = timers.peek();
        }
        if (next == null) {
            return tasks.isEmpty() ? -1 : 0;
        }
        if (!tasks.isEmpty()) {
            return 0;
        }
        long nanos = next.due - System.nanoTime();
        return nanos <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    private void runDueTimers() {
        long now = System.nanoTime();
        Timer next;
        while ((next = timers.peek()) != null && next.due - now <= 0) {
            timers.poll();
            if (!next.cancelled) {
                next.action.run();
            }
        }
    }

    private void readable(SelectionKey key) {
        LoadEndpoint endpoint = (LoadEndpoint) key.attachment();
        DatagramChannel channel = (DatagramChannel) key.channel();
        try {
            for (int i = 0; i < 16; i++) {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                if (from == null) {
                    return;
                }
                buffer.flip();
                byte[] datagram = new byte[buffer.remaining()];
                buffer.get(datagram);
                endpoint.datagram(from, datagram);
            }
        } catch (IOException e) {
            // ICMP port unreachable while the server is down shows up here; the retransmissions carry on
            endpoint.receiveFailed(e);
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing the selector: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
