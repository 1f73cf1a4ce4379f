package dev.ferry.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;

import dev.ferry.sim.bench.SocketBudget;
import dev.ferry.sim.bench.ThreadBudget;

/**
 * One round of the registration benchmark: {@code count} real Leshan clients, each with its own socket and
 * connector threads, register with bounded registrations in flight. Keeps each client's latency, why the others
 * failed, and the cipher suite each DTLS handshake negotiated.
 */
final class RegistrationRound {
    /** Clients whose threads are counted before the rest start, to tell whether the rest fit. */
    static final int THREAD_SAMPLE = 20;

    /** What the benchmark's options say about every client. */
    record Clients(String serverUri, List<CipherSuite> cipherSuites, int concurrency, Duration registrationTimeout,
            ClientScheduler scheduler, ScheduledExecutorService coapExecutor) {
        boolean secure() {
            return serverUri.startsWith("coaps://");
        }
    }

    /**
     * What a round measured.
     *
     * @param latencies registration latencies of the registered clients in nanoseconds, ascending
     * @param failures why the other clients did not register, with how many of them
     * @param cipherSuites the suite each registered DTLS client's session uses, with how many of them
     */
    record Outcome(int attempted, long[] latencies, double seconds, Map<String, Integer> failures,
            Map<String, Integer> cipherSuites, List<SimulatedDevice> devices) {
        int registered() {
            return latencies.length;
        }
    }

    /** Makes the client of one endpoint; the default registers directly with its benchmark PSK (or no security). */
    interface DeviceFactory {
        SimulatedDevice create(String endpoint, Clients clients);
    }

    private final Clients clients;
    private final DeviceFactory factory;
    private double threadsPerClient;

    RegistrationRound(Clients clients, double threadsPerClient) {
        this(clients, threadsPerClient, (endpoint, c) -> new SimulatedDevice(endpoint, c.serverUri(), endpoint,
                c.secure() ? BenchKeys.psk(endpoint) : null, c.cipherSuites(), 3600, c.scheduler(), c.coapExecutor()));
    }

    RegistrationRound(Clients clients, double threadsPerClient, DeviceFactory factory) {
        this.clients = clients;
        this.threadsPerClient = threadsPerClient;
        this.factory = factory;
    }

    /** Threads each client took, as measured by the first round that started {@link #THREAD_SAMPLE} of them. */
    double threadsPerClient() {
        return threadsPerClient;
    }

    /** Starts {@code count} clients named {@code <prefix>-<i>} and waits until each registered or failed. */
    Outcome run(String prefix, int count) throws Exception {
        long[] latencies = new long[count];
        Arrays.fill(latencies, -1);
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        Semaphore inFlight = new Semaphore(clients.concurrency());
        List<SimulatedDevice> devices = new ArrayList<>(count);
        List<CompletableFuture<Void>> all = new ArrayList<>(count);
        long threadsBefore = ThreadBudget.threadsOfThisProcess();
        long begin = System.nanoTime();
        try {
            for (int i = 0; i < count; i++) {
                if (i == 0) {
                    checkSockets(count);
                    if (threadsPerClient > 0) {
                        checkThreads(count, 0);
                    }
                } else if (i == THREAD_SAMPLE && threadsPerClient == 0) {
                    measureThreads(all, threadsBefore, count);
                }
                String endpoint = BenchKeys.endpoint(prefix, i);
                inFlight.acquire();
                SimulatedDevice device = factory.create(endpoint, clients);
                devices.add(device);
                device.start();
                int index = i;
                all.add(device.registered().orTimeout(clients.registrationTimeout().toMillis(), TimeUnit.MILLISECONDS)
                        .handle((nanos, error) -> {
                            inFlight.release();
                            if (error == null) {
                                latencies[index] = nanos;
                            } else {
                                failures.merge(reason(error, endpoint), 1, Integer::sum);
                            }
                            return null;
                        }));
                stopAtThreadLimit(devices.size());
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
                    .get(clients.registrationTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (Exception | Error e) {
            ClientLimitException limit = e instanceof ClientLimitException known ? known
                    : threadLimitFailure(e, devices.size());
            try {
                stopAll(devices, false, clients.concurrency());
            } catch (RuntimeException | Error | InterruptedException stopFailed) {
                e.addSuppressed(stopFailed); // without threads to stop them, the clients end with this JVM
            }
            if (limit != null) {
                throw limit;
            }
            throw e;
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        stopAtThreadLimit(devices.size());
        long[] registered = Arrays.stream(latencies).filter(l -> l >= 0).sorted().toArray();
        return new Outcome(count, registered, seconds, new TreeMap<>(failures), cipherSuites(devices), devices);
    }

    /** Stops every client, deregistering first when asked, {@code parallel} at a time. */
    static void stopAll(List<SimulatedDevice> devices, boolean deregister, int parallel) throws InterruptedException {
        ExecutorService stoppers = Executors.newFixedThreadPool(Math.max(1, parallel), task -> {
            Thread thread = new Thread(task, "bench-stop");
            thread.setDaemon(true);
            return thread;
        });
        try {
            for (SimulatedDevice device : devices) {
                stoppers.execute(() -> device.stop(deregister));
            }
        } finally {
            stoppers.shutdown();
            stoppers.awaitTermination(10, TimeUnit.MINUTES);
        }
    }

    private void measureThreads(List<CompletableFuture<Void>> first, long threadsBefore, int count)
            throws Exception {
        try {
            CompletableFuture.allOf(first.toArray(new CompletableFuture<?>[0]))
                    .get(clients.registrationTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return; // the clients' own timeouts report them
        }
        long threadsNow = ThreadBudget.threadsOfThisProcess();
        if (threadsBefore < 0 || threadsNow < 0) {
            return;
        }
        threadsPerClient = Math.max(0, threadsNow - threadsBefore) / (double) THREAD_SAMPLE;
        checkThreads(count, THREAD_SAMPLE);
    }

    private static void checkSockets(int count) {
        long sockets = SocketBudget.headroom();
        if (count + 50 > sockets) {
            throw new ClientLimitException(String.format(Locale.ROOT, "%d clients need a socket each, but this"
                    + " process may open only %d more files (ulimit -n %d). Raise the limit (ulimit -n in the shell"
                    + " that starts the benchmark) or lower --devices.", count, sockets, SocketBudget.limit()));
        }
    }

    private void checkThreads(int count, int started) {
        ThreadBudget budget = ThreadBudget.read();
        long needed = (long) Math.ceil(threadsPerClient * (count - started) * 1.05) + 50;
        if (needed > budget.headroom()) {
            throw new ClientLimitException(String.format(Locale.ROOT, "%d clients need about %d more threads"
                    + " (%.1f per client, each with its own socket and connector threads), but only %d more can start"
                    + " here (%s). %s, or use fewer clients per run.", count, needed, threadsPerClient,
                    budget.headroom(), budget.limits(), ThreadBudget.advice()));
        }
    }

    private void stopAtThreadLimit(int started) {
        ClientLimitException limit = threadLimitFailure(null, started);
        if (limit != null) {
            throw limit;
        }
    }

    /** The failure to report when the JVM could not start a thread, here or in a client's task; else null. */
    private ClientLimitException threadLimitFailure(Throwable thrown, int started) {
        Throwable error = thrown != null && ThreadBudget.isThreadLimit(thrown) ? thrown
                : clients.scheduler().threadLimit();
        if (error == null) {
            return null;
        }
        ThreadBudget budget = ThreadBudget.read();
        return new ClientLimitException(String.format(Locale.ROOT, "The JVM could not start another thread after"
                + " %d clients had started (%d threads in this process; %s): %s. %s.", started,
                ThreadBudget.threadsOfThisProcess(), budget.limits(), error.getMessage(), ThreadBudget.advice()),
                error);
    }

    private static Map<String, Integer> cipherSuites(List<SimulatedDevice> devices) {
        Map<String, Integer> suites = new TreeMap<>();
        for (SimulatedDevice device : devices) {
            device.negotiatedCipherSuite().ifPresent(suite -> suites.merge(suite.name(), 1, Integer::sum));
        }
        return suites;
    }

    private String reason(Throwable error, String endpoint) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof TimeoutException) {
            return "no registration within " + clients.registrationTimeout().toSeconds() + " s";
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return message.replace(endpoint, "<endpoint>");
    }

    /** The benchmark cannot start as many clients as asked: the message says which limit and what to do. */
    static final class ClientLimitException extends RuntimeException {
        ClientLimitException(String message) {
            super(message);
        }

        ClientLimitException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
