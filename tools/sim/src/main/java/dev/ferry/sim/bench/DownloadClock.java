package dev.ferry.sim.bench;

import dev.ferry.sim.device.DeviceEvent;
import dev.ferry.sim.device.FirmwareState;
import dev.ferry.sim.device.SimDevice;
import dev.ferry.sim.device.UpdateResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The devices' side of the benchmark, from their events: how long each download took (from its start to the
 * verified package, interruptions and retries included), how many ran at once at most, and when and how each
 * device reported the outcome of its update.
 */
final class DownloadClock implements SimDevice.Listener {
    private final Map<String, Instant> started = new ConcurrentHashMap<>();
    private final Map<String, Duration> downloads = new ConcurrentHashMap<>();
    private final Map<String, Instant> outcomes = new ConcurrentHashMap<>();
    private final Map<String, UpdateResult> results = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger mostAtOnce = new AtomicInteger();

    @Override
    public void onEvent(DeviceEvent event) {
        String endpoint = event.endpoint();
        switch (event.type()) {
        case DOWNLOAD_STARTED -> {
            started.putIfAbsent(endpoint, event.time());
            if (running.add(endpoint)) {
                mostAtOnce.accumulateAndGet(running.size(), Math::max);
            }
        }
        case DOWNLOAD_FINISHED -> {
            running.remove(endpoint);
            Instant start = started.get(endpoint);
            if (start != null && event.state() == FirmwareState.DOWNLOADED) {
                downloads.putIfAbsent(endpoint, Duration.between(start, event.time()));
            }
        }
        default -> {
            if (event.isUpdateOutcome()) {
                running.remove(endpoint);
                results.putIfAbsent(endpoint, event.result());
                outcomes.putIfAbsent(endpoint, event.time());
            }
        }
        }
    }

    /** When the device started its first download, or null before. */
    Instant downloadStarted(String endpoint) {
        return started.get(endpoint);
    }

    /** The device's download time, or null while it has not finished one. */
    Duration download(String endpoint) {
        return downloads.get(endpoint);
    }

    /** Download times of these devices (those that finished one), shortest first. */
    List<Duration> downloads(Collection<String> endpoints) {
        List<Duration> times = new ArrayList<>();
        for (String endpoint : endpoints) {
            Duration time = downloads.get(endpoint);
            if (time != null) {
                times.add(time);
            }
        }
        times.sort(null);
        return times;
    }

    /** When the device reported the outcome of its update (object 5 back to Idle with a result), or null. */
    Instant outcomeAt(String endpoint) {
        return outcomes.get(endpoint);
    }

    /** The Update Result the device reported first, or null. */
    UpdateResult result(String endpoint) {
        return results.get(endpoint);
    }

    /** Downloads that ran at the same time, at most. */
    int mostAtOnce() {
        return mostAtOnce.get();
    }

    /** Devices downloading now. */
    int downloadingNow() {
        return running.size();
    }

    /** Devices that reported an outcome. */
    int outcomes() {
        return outcomes.size();
    }

    /** The p-th percentile (0..100) of sorted durations, in seconds; NaN for none. */
    static double percentile(List<Duration> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return seconds(sorted.get(Percentiles.nearestRankIndex(sorted.size(), p)));
    }

    static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
