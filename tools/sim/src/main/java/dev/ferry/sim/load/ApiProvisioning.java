package dev.ferry.sim.load;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.ferry.sim.BenchKeys;
import dev.ferry.sim.http.WholeExchange;

/** Provisions endpoints through Ferry's HTTP API ({@code POST /api/v1/devices}) as {@code ferry-sim bench} does. */
final class ApiProvisioning {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final int IN_FLIGHT = 32;

    private ApiProvisioning() {
    }

    /** Provisions {@code endpoints}, PSK-secured if {@code secure}; returns how many were there. */
    static int provision(String api, String token, List<String> endpoints, boolean secure) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>(endpoints.size());
        for (String endpoint : endpoints) {
            HttpRequest request = BenchKeys.provisioningRequest(api, endpoint, secure, REQUEST_TIMEOUT, token);
            if (!inFlight.tryAcquire(REQUEST_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS)) {
                throw new IllegalStateException("provisioning through " + api + " stalled: no answer for "
                        + REQUEST_TIMEOUT.toSeconds() * 2 + " s");
            }
            replies.add(WholeExchange.sendAsync(http, request, HttpResponse.BodyHandlers.ofString(), REQUEST_TIMEOUT)
                    .whenComplete((r, e) -> inFlight.release()));
        }
        int conflicts = 0;
        for (CompletableFuture<HttpResponse<String>> reply : replies) {
            HttpResponse<String> response = reply.get(REQUEST_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
            if (response.statusCode() == 409) {
                conflicts++;
            } else if (response.statusCode() != 201) {
                throw new IllegalStateException("provisioning through " + api + " failed: " + response.statusCode()
                        + " " + response.body());
            }
        }
        return conflicts;
    }
}
