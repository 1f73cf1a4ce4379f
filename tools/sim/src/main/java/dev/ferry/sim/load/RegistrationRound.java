package dev.ferry.sim.load;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.ferry.sim.bench.Percentiles;

/**
 * One round of Registers from a set of endpoints, with at most {@code concurrency} in flight (as
 * {@code ferry-sim bench} starts its clients) or all at once spread over a window (a storm). Latency is from the
 * first Register handed to the transport to the 2.01, retransmissions and DTLS handshake included.
 */
final class RegistrationRound implements LoadEndpoint.RegistrationListener {
    /** What the round measured. */
    record Result(int endpoints, int registered, int refused, int gaveUp, int notSent, double seconds,
            double firstToLastSeconds, long p50Nanos, long p99Nanos, long maxNanos, long retransmissions,
            Map<String, Integer> failures) {
        double perSecond() {
            return seconds > 0 ? registered / seconds : 0;
        }
    }

    private final List<LoadEndpoint> endpoints;
    private final LoadCounters counters;
    private final long[] latencies;
    private final AtomicInteger answered = new AtomicInteger();
    private final LongAdder refused = new LongAdder();
    private final LongAdder gaveUp = new LongAdder();
    private final LongAdder notSent = new LongAdder();
    private final AtomicLong firstStart = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastAnswer = new AtomicLong(Long.MIN_VALUE);
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final Map<String, Queue<String>> examples = new ConcurrentHashMap<>();
    private final CountDownLatch done;
    private volatile Semaphore permits;
    private long begin;
    private long end;
    private long retransmissionsBefore;

    RegistrationRound(List<LoadEndpoint> endpoints, LoadCounters counters) {
        this.endpoints = endpoints;
        this.counters = counters;
        this.latencies = new long[endpoints.size()];
        this.done = new CountDownLatch(endpoints.size());
    }

    /**
     * Registers every endpoint, {@code concurrency} at a time and, when {@code perSecond} > 0, no more than that
     * many Registers started per second; false if {@code deadlineNanos} passed first.
     */
    boolean runLimited(int concurrency, double perSecond, long deadlineNanos) throws InterruptedException {
        permits = new Semaphore(concurrency);
        started();
        long index = 0;
        for (LoadEndpoint endpoint : endpoints) {
            if (perSecond > 0) {
                long due = begin + (long) (index++ * 1e9 / perSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            if (!permits.tryAcquire(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                return false;
            }
            endpoint.loop().execute(() -> endpoint.register(this));
        }
        return await(deadlineNanos);
    }

    /** Registers every endpoint without limit, their Registers spread evenly over {@code windowMillis}. */
    boolean runStorm(long windowMillis, long deadlineNanos) throws InterruptedException {
        started();
        long first = begin + TimeUnit.MILLISECONDS.toNanos(20);
        long window = TimeUnit.MILLISECONDS.toNanos(windowMillis);
        int count = endpoints.size();
        for (int i = 0; i < count; i++) {
            LoadEndpoint endpoint = endpoints.get(i);
            long due = first + (count == 1 ? 0 : window * i / count);
            endpoint.loop().execute(() -> endpoint.loop().at(due, () -> endpoint.register(this)));
        }
        return await(deadlineNanos);
    }

    private void started() {
        retransmissionsBefore = counters.retransmissions.sum();
        begin = System.nanoTime();
    }

    private boolean await(long deadlineNanos) throws InterruptedException {
        boolean complete = done.await(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        end = System.nanoTime();
        return complete;
    }

    @Override
    public void registered(LoadEndpoint endpoint, long startedNanos, long answeredNanos) {
        latencies[answered.getAndIncrement()] = answeredNanos - startedNanos;
        firstStart.accumulateAndGet(startedNanos, Math::min);
        lastAnswer.accumulateAndGet(answeredNanos, Math::max);
        finished();
    }

    @Override
    public void failed(LoadEndpoint endpoint, String reason, boolean gaveUp) {
        (gaveUp ? this.gaveUp : reason.startsWith("not sent") ? notSent : refused).increment();
        if (failures.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet() <= 3) {
            examples.computeIfAbsent(reason, r -> new ConcurrentLinkedQueue<>())
                    .add(endpoint.name() + "@" + endpoint.localAddress());
        }
        finished();
    }

    private void finished() {
        Semaphore limit = permits;
        if (limit != null) {
            limit.release();
        }
        done.countDown();
    }

    /** The figures so far (all of them once the run methods returned true). */
    Result result() {
        int ok = answered.get();
        long[] sorted = Arrays.copyOf(latencies, ok);
        Arrays.sort(sorted);
        // the same nearest ranks as ferry-sim bench, so the two generators' figures compare
        long p50 = ok == 0 ? 0 : Percentiles.of(sorted, ok, 50);
        long p99 = ok == 0 ? 0 : Percentiles.of(sorted, ok, 99);
        long max = ok == 0 ? 0 : sorted[ok - 1];
        long last = end == 0 ? System.nanoTime() : end;
        double firstToLast = ok == 0 ? 0 : (lastAnswer.get() - firstStart.get()) / 1e9;
        Map<String, Integer> reasons = new TreeMap<>();
        failures.forEach((reason, count) -> reasons.put(reason + " (e.g. " + String.join(", ", examples.get(reason))
                + ")", count.get()));
        return new Result(endpoints.size(), ok, (int) refused.sum(), (int) gaveUp.sum(), (int) notSent.sum(),
                (last - begin) / 1e9, firstToLast, p50, p99, max,
                counters.retransmissions.sum() - retransmissionsBefore, reasons);
    }
}
