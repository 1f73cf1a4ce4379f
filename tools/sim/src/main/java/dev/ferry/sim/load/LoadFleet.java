package dev.ferry.sim.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.ferry.sim.BenchKeys;

/**
 * The load endpoints of a run and what they share: a few event loops, one transport, and loopback addresses
 * handed out in order, 127.B.x.y with x and y from 1 to 250 and B from {@code firstOctet} on, each endpoint
 * with its own address and a port the kernel picks.
 */
final class LoadFleet implements AutoCloseable {
    private static final int PER_OCTET = 250;
    /** Descriptors beyond one per endpoint: the JVM's jars, selectors, the DTLS connector's socket, HTTP. */
    private static final int SPARE_DESCRIPTORS = 512;

    private final List<EventLoop> loops = new ArrayList<>();
    private final Transport transport;
    private final LoadEndpoint.Shared shared;
    private final int firstOctet;
    private int nextAddress;

    LoadFleet(LoadEndpoint.Shared shared, int threads, int firstOctet) throws Exception {
        this.shared = shared;
        this.transport = shared.transport();
        this.firstOctet = firstOctet;
        transport.start();
        for (int i = 0; i < threads; i++) {
            loops.add(new EventLoop("sim-load-" + i));
        }
    }

    /** Fails with how to raise it when the open-file limit is below {@code endpoints} sockets and some spare. */
    static void checkOpenFileLimit(int endpoints) throws IOException {
        long needed = (long) endpoints + SPARE_DESCRIPTORS;
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
                long soft = fields[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(fields[0]);
                if (soft < needed) {
                    throw new IllegalStateException(endpoints + " endpoints need " + needed
                            + " open files, and this process may open " + soft + " (hard limit " + fields[1]
                            + "). Raise the limit in the shell that starts ferry-sim, e.g. as root: "
                            + "ulimit -Hn 1048576; ulimit -n 1048576 (or prlimit --nofile=1048576 -- java ...)."
                            + " Where the hard limit cannot be raised (no CAP_SYS_RESOURCE), split the endpoints"
                            + " over several processes with --first-index and --first-octet"
                            + " (tools/bench/registration-load --per-process does)");
                }
            }
        }
    }

    /** Opens {@code count} endpoints named {@code <prefix>-<first>}..., each on the next free address. */
    List<LoadEndpoint> open(String prefix, int first, int count) throws IOException {
        List<LoadEndpoint> endpoints = new ArrayList<>(count);
        for (int i = first; i < first + count; i++) {
            EventLoop loop = loops.get(i % loops.size());
            // random first message id and token: a server still deduplicating a previous run's messages from the
            // same address and port must not take this run's Register for one of them
            LoadEndpoint endpoint = new LoadEndpoint(BenchKeys.endpoint(prefix, i), shared, loop,
                    ThreadLocalRandom.current().nextInt());
            endpoint.open(address(nextAddress++));
            endpoints.add(endpoint);
        }
        return endpoints;
    }

    private InetSocketAddress address(int n) throws IOException {
        int octet = firstOctet + n / (PER_OCTET * PER_OCTET);
        if (octet > 254) {
            throw new IllegalStateException("out of loopback addresses: use a lower --first-octet");
        }
        byte[] bytes = { 127, (byte) octet, (byte) (n / PER_OCTET % PER_OCTET + 1), (byte) (n % PER_OCTET + 1) };
        return new InetSocketAddress(InetAddress.getByAddress(bytes), 0);
    }

    /** Runs {@code action} for each endpoint on its loop and waits until all ran; false if the deadline passed. */
    boolean onEach(List<LoadEndpoint> endpoints, Consumer<LoadEndpoint> action, long deadlineNanos)
            throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(endpoints.size());
        for (LoadEndpoint endpoint : endpoints) {
            endpoint.loop().execute(() -> {
                action.accept(endpoint);
                ran.countDown();
            });
        }
        return ran.await(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    /** Forgets every registration, exchange and DTLS session: the endpoints' side of an outage. */
    boolean forget(List<LoadEndpoint> endpoints, long deadlineNanos) throws InterruptedException {
        boolean done = onEach(endpoints, LoadEndpoint::forget, deadlineNanos);
        transport.forgetSessions();
        return done;
    }

    /** Deregisters the registered ones, {@code concurrency} at a time; returns how many the server confirmed. */
    int deregister(List<LoadEndpoint> endpoints, int concurrency, long deadlineNanos) throws InterruptedException {
        Semaphore permits = new Semaphore(concurrency);
        AtomicInteger confirmed = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(endpoints.size());
        for (LoadEndpoint endpoint : endpoints) {
            if (!permits.tryAcquire(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                break;
            }
            endpoint.loop().execute(() -> endpoint.deregister(deleted -> {
                if (deleted) {
                    confirmed.incrementAndGet();
                }
                permits.release();
                finished.countDown();
            }));
        }
        finished.await(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        return confirmed.get();
    }

    /** How many of {@code endpoints} are registered now. */
    int registered(List<LoadEndpoint> endpoints, long deadlineNanos) throws InterruptedException {
        AtomicInteger count = new AtomicInteger();
        onEach(endpoints, e -> {
            if (e.registered()) {
                count.incrementAndGet();
            }
        }, deadlineNanos);
        return count.get();
    }

    /** Forgets and closes {@code endpoints}' channels. */
    void close(List<LoadEndpoint> endpoints, long deadlineNanos) throws InterruptedException {
        onEach(endpoints, LoadEndpoint::forget, deadlineNanos);
        endpoints.forEach(LoadEndpoint::close);
    }

    Transport transport() {
        return transport;
    }

    @Override
    public void close() {
        transport.close();
        loops.forEach(EventLoop::close);
    }
}
