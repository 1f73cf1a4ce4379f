package dev.ferry.sim.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The creation benchmark: bulk-provisions many devices (10,000 per request, plain CoAP, never started: the registry
 * holds them, as it holds a fleet), then times {@code POST /api/v1/rollouts} of a draft targeting all of them, a
 * few times, deleting each draft after it.
 */
final class RolloutCreation {
    private static final int BULK_ROWS = 10_000;

    private final FerryApi http;
    private final int devices;
    private final String prefix;
    private final long firmwareId;
    private final int runs;

    RolloutCreation(FerryApi http, int devices, String prefix, long firmwareId, int runs) {
        this.http = http;
        this.devices = devices;
        this.prefix = prefix;
        this.firmwareId = firmwareId;
        this.runs = runs;
    }

    void run(RolloutReport report) throws Exception {
        long provisionStart = System.nanoTime();
        for (int first = 0; first < devices; first += BULK_ROWS) {
            ObjectNode body = RolloutBench.JSON.createObjectNode();
            ArrayNode rows = body.putArray("devices");
            for (int i = first; i < Math.min(devices, first + BULK_ROWS); i++) {
                rows.addObject().put("endpoint", prefix + i).putObject("security").put("mode", "none");
            }
            http.post("api/v1/devices:bulk", body.toString()).expect(201, "provisioning devices " + first + "..");
        }
        System.out.printf(Locale.ROOT, "%d devices provisioned in %.1f s%n", devices,
                (System.nanoTime() - provisionStart) / 1e9);
        List<Double> times = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            ObjectNode plan = RolloutBench.JSON.createObjectNode().put("name", "creation " + run)
                    .put("firmwareId", firmwareId);
            plan.putObject("target").putObject("filter").put("endpointPrefix", prefix);
            plan.putObject("strategy").put("type", "canary").put("stepPercent", 15).putObject("first")
                    .put("percent", 5);
            long start = System.nanoTime();
            FerryApi.Answer created = http.post("api/v1/rollouts", plan.toString());
            double seconds = (System.nanoTime() - start) / 1e9;
            created.expect(201, "creating a rollout over " + devices + " devices");
            times.add(seconds);
            System.out.printf(Locale.ROOT, "rollout over %d devices created in %.3f s%n", devices, seconds);
            http.delete("api/v1/rollouts/" + created.json().path("id").asLong());
        }
        report.creation(devices, times);
    }
}
