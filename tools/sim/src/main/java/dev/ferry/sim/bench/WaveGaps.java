package dev.ferry.sim.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * After a rollout: for each wave but the last, the time from its end (its gate passed) to the next wave's first
 * package URI, as the server recorded it (the first of that wave's sessions to enter {@code downloading}, the
 * step that writes 5/0/1) and as the devices saw it (the first of them to start its download).
 */
final class WaveGaps {
    private static final int PAGE = 500;
    private static final int READS_IN_FLIGHT = 8;

    private final FerryApi http;
    private final DownloadClock clock;

    WaveGaps(FerryApi http, DownloadClock clock) {
        this.http = http;
        this.clock = clock;
    }

    /** One wave's hand-over to the next; times null when unknown. */
    record Gap(int wave, Instant gatePassed, Instant firstUriWritten, Instant firstDownloadStarted) {
        double serverSeconds() {
            return RolloutBench.seconds(gatePassed, firstUriWritten);
        }

        double deviceSeconds() {
            return RolloutBench.seconds(gatePassed, firstDownloadStarted);
        }
    }

    void measure(long rolloutId, RolloutReport report) throws Exception {
        List<JsonNode> waves = RolloutBench.items(http.get("api/v1/rollouts/" + rolloutId + "/waves"));
        for (int i = 0; i + 1 < waves.size(); i++) {
            Instant gatePassed = time(waves.get(i), "endedAt");
            List<JsonNode> next = devices(rolloutId, i + 1);
            Instant firstUri = null;
            Instant firstDownload = null;
            List<Supplier<CompletableFuture<FerryApi.Session>>> reads = new ArrayList<>();
            for (JsonNode device : next) {
                String endpoint = device.path("endpoint").asText();
                firstDownload = earliest(firstDownload, clock.downloadStarted(endpoint));
                if (device.hasNonNull("sessionId")) {
                    long session = device.path("sessionId").asLong();
                    reads.add(() -> http.session(endpoint, session));
                }
            }
            for (FerryApi.Session session : UpdateBench.all(reads, READS_IN_FLIGHT)) {
                firstUri = earliest(firstUri, session.entered("downloading"));
            }
            report.gap(new Gap(i, gatePassed, firstUri, firstDownload));
        }
        report.waves(waves);
    }

    /** Every device of one wave, page after page. */
    private List<JsonNode> devices(long rolloutId, int wave) throws Exception {
        List<JsonNode> all = new ArrayList<>();
        String after = null;
        while (true) {
            List<JsonNode> page = RolloutBench.items(http.get("api/v1/rollouts/" + rolloutId + "/devices?wave=" + wave
                    + "&limit=" + PAGE + (after == null ? "" : "&after=" + URLEncoder.encode(after,
                            StandardCharsets.UTF_8))));
            all.addAll(page);
            if (page.size() < PAGE) {
                return all;
            }
            after = page.get(page.size() - 1).path("endpoint").asText();
        }
    }

    static Instant time(JsonNode json, String field) {
        return json.hasNonNull(field) ? OffsetDateTime.parse(json.path(field).asText()).toInstant() : null;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }
}
