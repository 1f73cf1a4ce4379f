package dev.ferry.sim.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.sim.bench.FerryApi.Session;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Prints what a {@link FleetRun} measured, and a Markdown table row for BENCHMARKS.md. */
final class UpdateReport {
    private final int devices;
    private final int concurrency;
    private final int blockSize;
    private final Duration perDevice;
    private final DownloadClock clock;
    private final FleetRun.Measured run;

    UpdateReport(int devices, int concurrency, int blockSize, Duration perDevice, DownloadClock clock,
            FleetRun.Measured run) {
        this.devices = devices;
        this.concurrency = concurrency;
        this.blockSize = blockSize;
        this.perDevice = perDevice;
        this.clock = clock;
        this.run = run;
    }

    /** Prints the report, and writes its figures to {@code json} unless null; 0 when every update succeeded, else 1. */
    int print(Path json) throws IOException {
        int succeeded = 0;
        Map<String, Integer> failures = new TreeMap<>();
        Instant lastFinish = null;
        for (Session s : run.sessions()) {
            if ("succeeded".equals(s.state())) {
                succeeded++;
            } else {
                String why = s.isFinal()
                        ? s.state() + (s.failureReason() == null ? "" : " (" + s.failureReason() + ")")
                        : "unfinished, " + s.state() + (clock.result(s.endpoint()) == null ? ""
                                : ", the device reported " + clock.result(s.endpoint()));
                failures.merge(why, 1, Integer::sum);
            }
            if (s.finishedAt() != null && (lastFinish == null || s.finishedAt().isAfter(lastFinish))) {
                lastFinish = s.finishedAt();
            }
        }
        run.notStarted().values().forEach(why -> failures.merge("not started: " + why, 1, Integer::sum));
        Instant end = lastFinish == null ? run.observedEnd() : lastFinish;
        double wall = UpdateBench.seconds(run.start(), end);
        double perDeviceSeconds = DownloadClock.seconds(perDevice);
        double ideal = perDeviceSeconds * devices / Math.max(1, Math.min(concurrency, devices));
        double peakHeap = Math.max(run.gc().maxBefore(), Math.max(run.heapAtStart(), run.heapAtEnd()));

        List<Duration> downloads = clock.downloads(run.sessions().stream().map(Session::endpoint).toList());
        List<Duration> waits = durations(s -> between(s.createdAt(), s.entered("starting")));
        List<Duration> slots = durations(s -> between(s.entered("starting"), s.entered("downloaded")));
        List<Duration> updates = durations(s -> "succeeded".equals(s.state())
                ? between(s.createdAt(), s.finishedAt()) : null);

        System.out.println();
        System.out.printf(Locale.ROOT, "devices                 %d (concurrency limit %d, %d-byte blocks)%n", devices,
                concurrency, blockSize);
        System.out.printf("succeeded               %d%n", succeeded);
        System.out.printf("failed                  %d%s%n", devices - succeeded,
                failures.isEmpty() ? "" : " " + failures);
        System.out.printf(Locale.ROOT, "wall time               %.2f s (first update request to last session final;"
                + " all %d requests sent in %.2f s)%s%n", wall, run.sessions().size(),
                UpdateBench.seconds(run.start(), run.allPosted()), run.unfinished() == 0 ? ""
                        : "; " + run.unfinished() + " sessions were still open when the bench stopped waiting");
        System.out.printf(Locale.ROOT, "server CPU              %.2f s (%.1f ms per device, %.0f%% of one core)%n",
                run.cpuSeconds(), run.cpuSeconds() * 1000 / devices, 100 * run.cpuSeconds()
                        / UpdateBench.seconds(run.start(), run.observedEnd()));
        System.out.printf(Locale.ROOT, "server heap             peak %s (in use %s at start, %s at end; %d collections,"
                + " largest after a collection %s, committed up to %s)%n", mib(peakHeap), mib(run.heapAtStart()),
                mib(run.heapAtEnd()), run.gc().count(), mib(run.gc().maxAfter()), mib(run.gc().maxCapacity()));
        System.out.printf(Locale.ROOT, "per-device download     %.3f s (one device alone, median of the probes)%n",
                perDeviceSeconds);
        System.out.printf(Locale.ROOT, "ideal                   %.2f s = %.3f s x %d / %d; wall / ideal = %.2f%n",
                ideal, perDeviceSeconds, devices, Math.max(1, Math.min(concurrency, devices)), wall / ideal);
        double fleetMedian = DownloadClock.percentile(downloads, 50);
        double paced = fleetMedian * devices / Math.max(1, Math.min(concurrency, devices));
        System.out.printf(Locale.ROOT, "paced by the fleet      %.2f s = median download in the fleet %.3f s x %d / %d;"
                + " wall / that = %.2f%n", paced, fleetMedian, devices, Math.max(1, Math.min(concurrency, devices)),
                wall / paced);
        System.out.printf("most downloads at once  %d (seen by the devices)%n", clock.mostAtOnce());
        System.out.printf("device download time    %s%n", spread(downloads));
        System.out.printf("server: wait for a slot %s%n", spread(waits));
        System.out.printf("server: download slot   %s (starting to downloaded)%n", spread(slots));
        System.out.printf("server: whole update    %s (request to succeeded)%n", spread(updates));
        System.out.println();
        System.out.println("| Devices | Concurrency | Succeeded | Wall time | Server CPU | Peak heap"
                + " | Per-device download | Ideal | Wall / ideal | Download p50 / p99 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| %d | %d | %d | %.1f s | %.1f s | %s | %.3f s | %.2f s | %.2f"
                + " | %.2f s / %.2f s |%n", devices, concurrency, succeeded, wall, run.cpuSeconds(), mib(peakHeap),
                perDeviceSeconds, ideal, wall / ideal, DownloadClock.percentile(downloads, 50),
                DownloadClock.percentile(downloads, 99));
        if (json != null) {
            ObjectNode figures = new ObjectMapper().createObjectNode().put("devices", devices)
                    .put("concurrency", concurrency).put("blockSize", blockSize).put("succeeded", succeeded)
                    .put("wallSeconds", wall).put("serverCpuSeconds", run.cpuSeconds())
                    .put("serverCpuMsPerDevice", run.cpuSeconds() * 1000 / devices).put("peakHeapMiB", peakHeap)
                    .put("perDeviceDownloadSeconds", perDeviceSeconds).put("idealSeconds", ideal)
                    .put("wallOverIdeal", wall / ideal).put("downloadP50Seconds", fleetMedian)
                    .put("downloadP99Seconds", DownloadClock.percentile(downloads, 99));
            figures.set("failures", new ObjectMapper().valueToTree(failures));
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), figures);
        }
        return succeeded == devices ? 0 : 1;
    }

    private List<Duration> durations(Function<Session, Duration> of) {
        List<Duration> list = new ArrayList<>();
        for (Session s : run.sessions()) {
            Duration d = of.apply(s);
            if (d != null) {
                list.add(d);
            }
        }
        list.sort(null);
        return list;
    }

    private static Duration between(Instant from, Instant to) {
        return from == null || to == null ? null : Duration.between(from, to);
    }

    private static String spread(List<Duration> sorted) {
        if (sorted.isEmpty()) {
            return "-";
        }
        return String.format(Locale.ROOT, "p50 %.3f s, p99 %.3f s, max %.3f s (%d devices)",
                DownloadClock.percentile(sorted, 50), DownloadClock.percentile(sorted, 99),
                DownloadClock.percentile(sorted, 100), sorted.size());
    }

    private static String mib(double value) {
        return value < 0 ? "?" : String.format(Locale.ROOT, "%.0f MiB", value);
    }
}
