package dev.ferry.sim.bench;

import dev.ferry.sim.bench.FerryApi.Session;
import dev.ferry.sim.device.SimDevice;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The measured part: starts an update for every device as fast as the API takes them, then waits until every
 * session is final. It learns that from the update event log (one request per poll, however large the fleet),
 * and asks for single sessions only where the log may have moved past an outcome: devices that reported theirs
 * a while ago, and two others per poll in turn. Every session is read once more after the measurement.
 */
final class FleetRun {
    /** {@code update 12 succeeded: ...}, {@code update 12 failed (reverted): ...}. */
    private static final Pattern UPDATE_EVENT = Pattern.compile("^update (\\d+) ([a-z]+)");
    private static final int EVENTS_PER_POLL = 1000;
    private static final int STALE_LOOKUPS_PER_POLL = 10;
    private static final int SWEEP_LOOKUPS_PER_POLL = 2;
    private static final Duration OUTCOME_GRACE = Duration.ofSeconds(2);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private final FerryApi http;
    private final DownloadClock clock;
    private final long firmwareId;
    private final String delivery;
    private final long pollMillis;
    private final int postsInFlight;
    private final Duration stuckAfter;

    /**
     * @param stuckAfter stop waiting when every unfinished session's device reported its outcome this long ago
     */
    FleetRun(FerryApi http, DownloadClock clock, long firmwareId, String delivery, long pollMillis,
            int postsInFlight, Duration stuckAfter) {
        this.http = http;
        this.clock = clock;
        this.firmwareId = firmwareId;
        this.delivery = delivery;
        this.pollMillis = pollMillis;
        this.postsInFlight = postsInFlight;
        this.stuckAfter = stuckAfter;
    }

    /**
     * What one fleet update measured. Heap sizes in MiB, -1 when unknown.
     *
     * @param sessions every session started, as stored at the end
     * @param notStarted endpoint to why its update could not be started
     * @param unfinished sessions still open when the time ran out
     */
    record Measured(Instant start, Instant allPosted, Instant observedEnd, double cpuSeconds, double heapAtStart,
            double heapAtEnd, ServerProcess.Collections gc, List<Session> sessions, Map<String, String> notStarted,
            int unfinished) {
    }

    Measured update(List<SimDevice> devices, ServerProcess server, Duration timeout) throws Exception {
        double heapAtStart = server == null ? -1 : server.heapUsedMiB();
        long gcPosition = server == null ? 0 : server.gcLogPosition();
        double cpuBefore = server == null ? Double.NaN : server.cpuSeconds();
        Instant start = Instant.now();
        System.out.printf("%s updating %d devices%n", start, devices.size());

        List<Supplier<CompletableFuture<Object>>> posts = new ArrayList<>();
        for (SimDevice device : devices) {
            posts.add(() -> http.startUpdate(device.endpoint(), firmwareId, delivery)
                    .handle((session, error) -> error == null ? session : error));
        }
        Map<Long, String> open = new LinkedHashMap<>();
        Map<String, String> notStarted = new LinkedHashMap<>();
        List<Object> answers = UpdateBench.all(posts, postsInFlight);
        for (int i = 0; i < devices.size(); i++) {
            if (answers.get(i) instanceof Session session) {
                open.put(session.id(), session.endpoint());
            } else {
                notStarted.put(devices.get(i).endpoint(), String.valueOf(answers.get(i)));
            }
        }
        Instant allPosted = Instant.now();
        System.out.printf(Locale.ROOT, "%d updates started in %.2f s%s%n", open.size(),
                UpdateBench.seconds(start, allPosted), notStarted.isEmpty() ? "" : ", " + notStarted.size()
                        + " refused, e.g. " + notStarted.values().iterator().next());

        Map<Long, String> all = new LinkedHashMap<>(open);
        awaitFinal(open, start.plus(timeout));
        Instant observedEnd = Instant.now();
        double cpuAfter = server == null ? Double.NaN : server.cpuSeconds();
        double heapAtEnd = server == null ? -1 : server.heapUsedMiB();
        ServerProcess.Collections gc = server == null ? new ServerProcess.Collections(0, -1, -1, -1)
                : server.collectionsSince(gcPosition);

        List<Supplier<CompletableFuture<Session>>> reads = new ArrayList<>();
        all.forEach((id, endpoint) -> reads.add(() -> http.session(endpoint, id)));
        List<Session> sessions = UpdateBench.all(reads, 8);
        return new Measured(start, allPosted, observedEnd, cpuAfter - cpuBefore, heapAtStart, heapAtEnd, gc, sessions,
                notStarted, open.size());
    }

    /**
     * Removes sessions from {@code open} as they become final, until none is left, the deadline passes, or the
     * server has kept the rest open for {@code stuckAfter} after their devices reported their outcomes.
     */
    private void awaitFinal(Map<Long, String> open, Instant deadline) throws Exception {
        int total = open.size();
        List<Long> cursor = new ArrayList<>();
        Instant nextProgress = Instant.now().plus(PROGRESS_EVERY);
        while (!open.isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(pollMillis);
            for (FerryApi.Event event : http.updateEvents(EVENTS_PER_POLL)) {
                Matcher m = UPDATE_EVENT.matcher(event.detail());
                if (m.find() && isFinal(m.group(2))) {
                    open.remove(Long.parseLong(m.group(1)));
                }
            }
            // The log holds the newest 1000 events only: look up sessions whose outcome it may have lost.
            List<Long> lookups = new ArrayList<>();
            Instant stale = Instant.now().minus(OUTCOME_GRACE);
            for (Map.Entry<Long, String> e : open.entrySet()) {
                Instant reported = clock.outcomeAt(e.getValue());
                if (reported != null && reported.isBefore(stale) && lookups.size() < STALE_LOOKUPS_PER_POLL) {
                    lookups.add(e.getKey());
                }
            }
            cursor.retainAll(open.keySet());
            if (cursor.isEmpty()) {
                cursor.addAll(open.keySet());
            }
            for (int i = 0; i < SWEEP_LOOKUPS_PER_POLL && !cursor.isEmpty(); i++) {
                Long id = cursor.remove(0);
                if (!lookups.contains(id)) {
                    lookups.add(id);
                }
            }
            for (Long id : lookups) {
                Session session = http.session(open.get(id), id).get(1, TimeUnit.MINUTES);
                if (session.isFinal()) {
                    open.remove(id);
                }
            }
            if (stuck(open.values())) {
                System.out.printf("%s giving up on %d sessions: their devices reported their outcomes more than %d s"
                        + " ago, the server has not concluded%n", Instant.now(), open.size(), stuckAfter.toSeconds());
                return;
            }
            if (Instant.now().isAfter(nextProgress)) {
                nextProgress = nextProgress.plus(PROGRESS_EVERY);
                System.out.printf("%s %d/%d sessions final, %d devices downloading, %d reported an outcome%n",
                        Instant.now(), total - open.size(), total, clock.downloadingNow(), clock.outcomes());
            }
        }
    }

    private boolean stuck(Iterable<String> endpoints) {
        Instant limit = Instant.now().minus(stuckAfter);
        boolean any = false;
        for (String endpoint : endpoints) {
            Instant reported = clock.outcomeAt(endpoint);
            if (reported == null || reported.isAfter(limit)) {
                return false;
            }
            any = true;
        }
        return any;
    }

    private static boolean isFinal(String state) {
        return state.equals("succeeded") || state.equals("failed") || state.equals("cancelled");
    }
}
