package dev.ferry.sim.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The rollout benchmark's figures: printed one per line, as a Markdown row, and as JSON. */
final class RolloutReport {
    private final int devices;
    private final List<Double> wavePercents;
    private final int maxConcurrent;
    private final Double sessionCpuMs;
    private final ObjectNode figures = RolloutBench.JSON.createObjectNode();
    private final List<WaveGaps.Gap> gaps = new ArrayList<>();
    private String status;
    private int succeeded = -1;
    private int creationDevices;
    private List<Double> creationSeconds = List.of();

    RolloutReport(int devices, List<Double> wavePercents, int maxConcurrent, Double sessionCpuMs) {
        this.devices = devices;
        this.wavePercents = List.copyOf(wavePercents);
        this.maxConcurrent = maxConcurrent;
        this.sessionCpuMs = sessionCpuMs;
    }

    /** What the rollout did and cost, from its start request to the moment it was seen final. */
    void run(JsonNode rollout, Instant start, Instant observedEnd, double cpuSeconds, double peakHeapMiB) {
        status = rollout.path("status").asText();
        succeeded = rollout.path("counts").path("succeeded").asInt(0);
        Instant started = WaveGaps.time(rollout, "startedAt");
        Instant finished = WaveGaps.time(rollout, "finishedAt");
        double wall = RolloutBench.seconds(start, observedEnd);
        double cpuMsPerUpdated = succeeded > 0 ? cpuSeconds * 1000 / succeeded : Double.NaN;
        figures.put("devices", devices).put("maxConcurrent", maxConcurrent).put("status", status)
                .put("succeeded", succeeded).put("wallSeconds", wall)
                .put("serverWallSeconds", RolloutBench.seconds(started, finished)).put("serverCpuSeconds", cpuSeconds)
                .put("serverCpuMsPerUpdatedDevice", cpuMsPerUpdated).put("peakHeapMiB", peakHeapMiB);
        figures.set("counts", rollout.path("counts"));
        ArrayNode percents = figures.putArray("wavePercents");
        wavePercents.forEach(percents::add);
        System.out.printf(Locale.ROOT, "rollout                 %s: %d of %d devices succeeded, counts %s%n", status,
                succeeded, devices, rollout.path("counts"));
        System.out.printf(Locale.ROOT, "wall time               %.1f s (start request to seen final; the server's"
                + " startedAt to finishedAt: %s)%n", wall, RolloutBench.format(RolloutBench.seconds(started, finished),
                        "s"));
        System.out.printf(Locale.ROOT, "server CPU              %.1f s, %.1f ms per updated device%s%n", cpuSeconds,
                cpuMsPerUpdated, sessionCpuMs == null ? "" : String.format(Locale.ROOT,
                        "; %.1f ms on top of update-bench's %.1f ms per session", cpuMsPerUpdated - sessionCpuMs,
                        sessionCpuMs));
        if (sessionCpuMs != null) {
            figures.put("sessionCpuMs", sessionCpuMs).put("rolloutCpuMsPerDevice", cpuMsPerUpdated - sessionCpuMs);
        }
        System.out.printf(Locale.ROOT, "server heap             peak %s%n", peakHeapMiB < 0 ? "unknown"
                : String.format(Locale.ROOT, "%.0f MiB", peakHeapMiB));
    }

    void gap(WaveGaps.Gap gap) {
        gaps.add(gap);
        System.out.printf(Locale.ROOT, "wave %d -> %d             gate passed to the first package URI: %s (server),"
                + " %s (first device download)%n", gap.wave(), gap.wave() + 1,
                RolloutBench.format(gap.serverSeconds(), "s"), RolloutBench.format(gap.deviceSeconds(), "s"));
    }

    void waves(List<JsonNode> waves) {
        ArrayNode list = figures.putArray("waves");
        for (JsonNode wave : waves) {
            ObjectNode w = list.addObject().put("index", wave.path("index").asInt())
                    .put("planned", wave.path("planned").asInt()).put("status", wave.path("status").asText())
                    .put("seconds", RolloutBench.seconds(WaveGaps.time(wave, "startedAt"), WaveGaps.time(wave,
                            "endedAt")));
            gaps.stream().filter(g -> g.wave() == wave.path("index").asInt()).findFirst().ifPresent(g -> w
                    .put("gateToNextUriSeconds", g.serverSeconds()).put("gateToNextDownloadSeconds",
                            g.deviceSeconds()));
        }
    }

    void creation(int registryDevices, List<Double> seconds) {
        creationDevices = registryDevices;
        creationSeconds = List.copyOf(seconds);
        ArrayNode runs = figures.put("creationDevices", registryDevices).putArray("creationSeconds");
        seconds.forEach(runs::add);
        double[] sorted = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        figures.put("creationMedianSeconds", sorted.length == 0 ? Double.NaN : Percentiles.median(sorted));
    }

    /** Prints the summary and the Markdown row, writes the JSON; 0 when every device was updated. */
    int print(Path json) throws IOException {
        if (!creationSeconds.isEmpty()) {
            System.out.printf(Locale.ROOT, "creation                %d devices in the registry: %s s (median %.3f s)%n",
                    creationDevices, creationSeconds.stream().map(s -> String.format(Locale.ROOT, "%.3f", s)).toList(),
                    figures.path("creationMedianSeconds").asDouble());
        }
        if (succeeded >= 0) {
            StringBuilder gapCells = new StringBuilder();
            for (WaveGaps.Gap gap : gaps) {
                gapCells.append(gapCells.length() == 0 ? "" : ", ").append(RolloutBench.format(gap.serverSeconds(),
                        "s"));
            }
            System.out.println();
            System.out.println("| Devices | Waves | Concurrency | Succeeded | Wall time | Gate to next URI | Server CPU"
                    + " per updated device | Peak heap | Create over " + creationDevices + " |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            StringBuilder waveCells = new StringBuilder();
            for (double percent : wavePercents) {
                waveCells.append(percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent))
                        .append(" %, ");
            }
            System.out.printf(Locale.ROOT, "| %d | %srest | %d | %d | %.1f s | %s | %.1f ms | %.0f MiB | %s |%n",
                    devices, waveCells, maxConcurrent, succeeded, figures.path("wallSeconds").asDouble(), gapCells,
                    figures.path("serverCpuMsPerUpdatedDevice").asDouble(), figures.path("peakHeapMiB").asDouble(),
                    creationSeconds.isEmpty() ? "-" : String.format(Locale.ROOT, "%.3f s",
                            figures.path("creationMedianSeconds").asDouble()));
        }
        figures.put("complete", devices == 0 || "completed".equals(status) && succeeded == devices);
        if (json != null) {
            RolloutBench.JSON.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), figures);
        }
        return figures.path("complete").asBoolean() ? 0 : 1;
    }
}
