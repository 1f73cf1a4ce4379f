package dev.ferry.sim;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ferry.sim.RegistrationRound.Outcome;
import dev.ferry.sim.bench.Percentiles;
import dev.ferry.sim.bench.ServerGauge;
import dev.ferry.sim.http.WholeExchange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Factory provisioning benchmark: creates a production batch through Ferry's API, then N real Leshan clients that
 * hold only the batch's bootstrap PSK bootstrap at Ferry's bootstrap server (DTLS handshake with the batch PSK,
 * Discover, Deletes, writes of objects 0 and 1, Finish) and register at its LwM2M endpoint with the PSK they were
 * given (a second handshake). Reports devices/s, latency from bootstrap start to registration, and the server's
 * CPU time per device.
 */
@Command(name = "bootstrap-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = { "Bootstrap and register N devices from one production batch and measure the server.",
                "A warm-up batch of <prefix>-warm-<i> devices bootstraps, registers and deregisters first." })
final class BootstrapBenchCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--api", required = true, description = "Ferry's HTTP API, e.g. http://127.0.0.1:8080")
    String api;

    @picocli.CommandLine.Mixin
    dev.ferry.sim.http.ApiToken token = new dev.ferry.sim.http.ApiToken();

    @Option(names = "--devices", defaultValue = "2000", description = "Devices measured (default ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--warmup", defaultValue = "500", description = "Devices of a warm-up batch, not counted"
            + " (default ${DEFAULT-VALUE}; 0 for none)")
    int warmup;

    @Option(names = "--prefix", defaultValue = "factory", description = "Endpoints are <prefix>-<i>"
            + " (default ${DEFAULT-VALUE})")
    String prefix;

    @Option(names = "--concurrency", defaultValue = "50", description = "Devices bootstrapping at once"
            + " (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--cipher-suites", split = ",", defaultValue = "TLS_PSK_WITH_AES_128_CCM_8",
            description = "Suites the DTLS clients offer (default ${DEFAULT-VALUE})")
    List<CipherSuite> cipherSuites;

    @Option(names = "--timeout", defaultValue = "120", description = "Seconds a device may take from bootstrap to"
            + " registration before it counts as failed (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--server-pid", description = "Server process id, to read its CPU time (/proc)")
    Long serverPid;

    @Option(names = "--after-seconds", defaultValue = "5", description = "CPU is also reported including this many"
            + " seconds after the phase, when deferred registry writes land (default ${DEFAULT-VALUE})")
    int afterSeconds;

    @Option(names = "--label", defaultValue = "ferry", description = "Name printed on every line")
    String label;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every figure to this JSON file")
    Path json;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();

    /** A batch as its creation reply showed it. */
    private record Batch(long id, String uri, String identity, byte[] key) {
    }

    @Override
    public Integer call() throws Exception {
        ServerGauge gauge = serverPid == null ? null : new ServerGauge(serverPid);
        ClientScheduler scheduler = new ClientScheduler(concurrency + 2, "bench-clients");
        ScheduledThreadPoolExecutor coap = new ScheduledThreadPoolExecutor(4,
                ClientScheduler.daemonThreads("bench-coap"));
        coap.prestartAllCoreThreads();
        RegistrationRound.Clients clients = new RegistrationRound.Clients("coaps://unused", cipherSuites, concurrency,
                Duration.ofSeconds(timeoutSeconds), scheduler, coap);
        ObjectNode figures = mapper.createObjectNode().put("label", label).put("concurrency", concurrency);
        List<SimulatedDevice> measured = List.of();
        try {
            if (warmup > 0) {
                Outcome warm = round(clients, createBatch(prefix + "-warm", warmup), 0).run(prefix + "-warm", warmup);
                RegistrationRound.stopAll(warm.devices(), true, concurrency);
                System.out.printf(Locale.ROOT, "%s: warm-up: %d/%d bootstrapped and registered in %.1f s%s%n", label,
                        warm.registered(), warmup, warm.seconds(), failures(warm.failures()));
                Thread.sleep(TimeUnit.SECONDS.toMillis(afterSeconds));
            }
            Batch batch = createBatch(prefix, devices);
            long cpuBefore = gauge == null ? -1 : gauge.cpuMillis();
            Outcome outcome = round(clients, batch, 0).run(prefix, devices);
            measured = outcome.devices();
            long cpuPhase = gauge == null ? -1 : gauge.cpuMillis() - cpuBefore;
            report(outcome, figures);
            if (gauge != null && outcome.registered() > 0) {
                Thread.sleep(TimeUnit.SECONDS.toMillis(afterSeconds));
                long cpuWithAfter = gauge.cpuMillis() - cpuBefore;
                double perPhase = cpuPhase / (double) outcome.registered();
                double perWithAfter = cpuWithAfter / (double) outcome.registered();
                System.out.printf(Locale.ROOT, "%s: server CPU per device (bootstrap + registration) during phase"
                        + " %.2f ms, including %d s after %.2f ms (%d ms and %d ms in total)%n", label, perPhase,
                        afterSeconds, perWithAfter, cpuPhase, cpuWithAfter);
                figures.putObject("serverCpu").put("phaseMs", cpuPhase).put("perDeviceMs", perPhase)
                        .put("afterSeconds", afterSeconds).put("withAfterMs", cpuWithAfter)
                        .put("perDeviceWithAfterMs", perWithAfter);
            }
            int produced = get("/api/v1/provisioning/batches/" + batch.id()).path("produced").asInt(-1);
            System.out.printf("%s: the batch reports %d device(s) produced%n", label, produced);
            figures.put("batchProduced", produced);
            if (json != null) {
                mapper.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), figures);
            }
            return outcome.failures().isEmpty() && produced == devices ? 0 : 1;
        } finally {
            RegistrationRound.stopAll(measured, false, concurrency);
            scheduler.shutdownNow();
            coap.shutdownNow();
        }
    }

    private RegistrationRound round(RegistrationRound.Clients clients, Batch batch, double threadsPerClient) {
        return new RegistrationRound(clients, threadsPerClient, (endpoint, c) -> SimulatedDevice.bootstrapping(
                endpoint, batch.uri(), batch.identity(), batch.key(), c.cipherSuites(), c.scheduler(),
                c.coapExecutor()));
    }

    private Batch createBatch(String name, int size) throws Exception {
        String body = "{\"name\":\"" + name + " " + System.currentTimeMillis() + "\",\"maxDevices\":" + size
                + ",\"expiresInSeconds\":3600,\"tags\":[\"bench\"],\"model\":\"sim-1\"}";
        HttpResponse<String> reply = WholeExchange.send(http, dev.ferry.sim.http.ApiToken.authorize(HttpRequest
                .newBuilder(URI.create(api + "/api/v1/provisioning/batches")), token.value()).timeout(TIMEOUT)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString(), TIMEOUT);
        if (reply.statusCode() != 201) {
            throw new IllegalStateException("creating the batch failed: " + reply.statusCode() + " " + reply.body());
        }
        JsonNode bootstrap = mapper.readTree(reply.body()).path("bootstrap");
        if (bootstrap.path("uri").isNull()) {
            throw new IllegalStateException("the server's bootstrap server is off (bootstrap.enabled=false)");
        }
        return new Batch(mapper.readTree(reply.body()).path("id").asLong(), bootstrap.path("uri").asText(),
                bootstrap.path("pskIdentity").asText(), HexFormat.of().parseHex(bootstrap.path("key").asText()));
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> reply = WholeExchange.send(http, dev.ferry.sim.http.ApiToken.authorize(HttpRequest
                .newBuilder(URI.create(api + path)), token.value()).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString(), TIMEOUT);
        if (reply.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + reply.statusCode() + " " + reply.body());
        }
        return mapper.readTree(reply.body());
    }

    private void report(Outcome outcome, ObjectNode figures) {
        int ok = outcome.registered();
        double rate = ok / outcome.seconds();
        ObjectNode latency = mapper.createObjectNode();
        if (ok > 0) {
            for (double p : new double[] { 50, 90, 99, 100 }) {
                latency.put(p == 100 ? "max" : "p" + (int) p, Percentiles.of(outcome.latencies(), ok, p) / 1e6);
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d/%d bootstrapped and registered in %.1f s: %.0f devices/s, bootstrap"
                + " start to registration p50 %.1f ms, p99 %.1f ms%s%n", label, ok, devices, outcome.seconds(), rate,
                latency.path("p50").asDouble(Double.NaN), latency.path("p99").asDouble(Double.NaN),
                failures(outcome.failures()));
        figures.put("devices", devices).put("warmupDevices", warmup).put("registered", ok)
                .put("seconds", outcome.seconds()).put("devicesPerSecond", rate);
        figures.set("latencyMs", latency);
        figures.set("failures", mapper.valueToTree(outcome.failures()));
    }

    private static String failures(Map<String, Integer> failures) {
        return failures.isEmpty() ? "" : "; failed: " + failures.entrySet().stream()
                .map(e -> e.getValue() + "x " + e.getKey()).collect(Collectors.joining(", "));
    }
}
