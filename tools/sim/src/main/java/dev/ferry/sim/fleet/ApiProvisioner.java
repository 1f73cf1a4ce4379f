package dev.ferry.sim.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.sim.http.WholeExchange;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;

/**
 * Provisions devices through Ferry's HTTP API, {@code POST /api/v1/devices}. Either the server generates
 * each PSK and returns it once ({@link KeySource#SERVER_GENERATED}), or the simulator sends PSKs derived
 * from the endpoint names ({@link KeySource#DERIVED}), which a later run can derive again.
 */
public final class ApiProvisioner implements Provisioner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int IN_FLIGHT = 32;
    /** For the response headers, and again for the whole exchange. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Where the PSKs come from. */
    public enum KeySource {
        /** The server generates every key and shows it in its 201 answer only. */
        SERVER_GENERATED,
        /** Keys derived from the endpoint names; a device that exists already (409) keeps working. */
        DERIVED
    }

    private final URI api;
    private final KeySource keys;
    private final boolean replaceExisting;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * @param api the server's base URI, e.g. {@code http://127.0.0.1:8080}
     * @param replaceExisting delete and create again a device that exists (needed to learn a server-generated
     *     key a second time)
     * @param token a bearer token for the API, or null
     */
    public ApiProvisioner(URI api, KeySource keys, boolean replaceExisting, String token) {
        this.api = URI.create(api.toString().replaceAll("/+$", "") + "/");
        this.keys = keys;
        this.replaceExisting = replaceExisting;
        this.token = token;
    }

    @Override
    public Map<String, DeviceCredentials> provision(List<String> endpoints, boolean secure)
            throws ProvisioningException {
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<DeviceCredentials>> answers = new ArrayList<>();
        try {
            for (String endpoint : endpoints) {
                inFlight.acquire();
                answers.add(provisionOne(endpoint, secure, true).whenComplete((c, e) -> inFlight.release()));
            }
            Map<String, DeviceCredentials> credentials = new LinkedHashMap<>();
            for (int i = 0; i < endpoints.size(); i++) {
                credentials.put(endpoints.get(i), answers.get(i).get());
            }
            return credentials;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProvisioningException("interrupted while provisioning", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ProvisioningException p) {
                throw p;
            }
            throw new ProvisioningException("cannot reach " + api + ": " + cause, cause);
        }
    }

    private CompletableFuture<DeviceCredentials> provisionOne(String endpoint, boolean secure, boolean firstTry) {
        DeviceCredentials derived = DeviceCredentials.derivedPsk(endpoint);
        ObjectNode body = JSON.createObjectNode().put("endpoint", endpoint);
        ObjectNode security = body.putObject("security");
        if (!secure) {
            security.put("mode", "none");
        } else {
            security.put("mode", "psk");
            if (keys == KeySource.DERIVED) {
                security.put("identity", derived.identity()).put("key", HexFormat.of().formatHex(derived.key()));
            }
        }
        HttpRequest request = request("api/v1/devices").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return exchange(request).thenCompose(reply -> {
            int status = reply.statusCode();
            if (status == 201) {
                return CompletableFuture.completedFuture(
                        !secure ? DeviceCredentials.NONE : keys == KeySource.DERIVED ? derived : generated(reply));
            }
            if (status == 409 && (!secure || keys == KeySource.DERIVED)) {
                return CompletableFuture.completedFuture(secure ? derived : DeviceCredentials.NONE);
            }
            if (status == 409 && replaceExisting && firstTry) {
                return delete(endpoint).thenCompose(done -> provisionOne(endpoint, secure, false));
            }
            if (status == 409) {
                return CompletableFuture.failedFuture(new ProvisioningException(endpoint + " is provisioned already"
                        + " and its generated key was shown only when it was created; replace existing devices"
                        + " (ferry sim --reprovision) or use another endpoint prefix"));
            }
            return CompletableFuture.failedFuture(new ProvisioningException("provisioning " + endpoint
                    + " failed: HTTP " + status + " " + reply.body()));
        });
    }

    private DeviceCredentials generated(HttpResponse<String> reply) {
        try {
            JsonNode security = JSON.readTree(reply.body()).path("security");
            String identity = security.path("identity").asText(null);
            String key = security.path("key").asText(null);
            if (identity == null || key == null) {
                throw new IllegalStateException("the answer carries no security.identity and security.key: "
                        + reply.body());
            }
            return new DeviceCredentials(identity, HexFormat.of().parseHex(key));
        } catch (IOException e) {
            throw new IllegalStateException("the provisioning answer is not JSON: " + reply.body(), e);
        }
    }

    private CompletableFuture<Void> delete(String endpoint) {
        HttpRequest request = request("api/v1/devices/" + URLEncoder.encode(endpoint, StandardCharsets.UTF_8))
                .DELETE().build();
        return exchange(request).thenCompose(reply ->
                reply.statusCode() == 204 || reply.statusCode() == 404 ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.failedFuture(new ProvisioningException("deleting " + endpoint
                                + " failed: HTTP " + reply.statusCode() + " " + reply.body())));
    }

    private CompletableFuture<HttpResponse<String>> exchange(HttpRequest request) {
        return WholeExchange.sendAsync(http, request, HttpResponse.BodyHandlers.ofString(), TIMEOUT);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(api.resolve(path)).timeout(TIMEOUT);
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }
}
