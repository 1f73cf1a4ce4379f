package dev.ferry.sim;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ferry.sim.RegistrationRound.Outcome;
import dev.ferry.sim.bench.Percentiles;
import dev.ferry.sim.bench.ServerGauge;
import dev.ferry.sim.http.WholeExchange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Registration benchmark: N real Leshan clients in this JVM, each with its own socket and connector threads,
 * register with a server (Ferry, or the plain Leshan baseline) after a warm-up round of other clients that
 * register and deregister. Reports registrations/s, latency percentiles, the cipher suites the DTLS handshakes
 * negotiated, and when given the server's pid its CPU time per registration (during the phase and including the
 * seconds after it, when a server's deferred work lands) and heap per registered device.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = { "Register N simulated devices and measure the server.",
                "A warm-up round of <prefix>-warm-<i> devices registers and deregisters first and is not counted.",
                "For steady-state heap use --settle-seconds 540: CoAP exchanges stay in memory until they expire,"
                        + " up to ~494 s in Ferry (Californium's crop-rotation deduplicator keeps them one to two"
                        + " exchange lifetimes of 247 s) and about 247 s in plain Leshan (mark-and-sweep)." })
final class BenchCommand implements Callable<Integer> {
    private static final Duration PROVISIONING_TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--server", required = true, description = "coap://127.0.0.1:5683 or coaps://127.0.0.1:5684")
    String server;

    @Option(names = "--api", description = "Ferry's HTTP API (e.g. http://127.0.0.1:8080) to provision the devices,"
            + " warm-up devices included")
    String api;

    @picocli.CommandLine.Mixin
    dev.ferry.sim.http.ApiToken token = new dev.ferry.sim.http.ApiToken();

    @Option(names = "--devices", defaultValue = "1000", description = "Devices measured (default ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--warmup", defaultValue = "1000", description = "Devices that register and deregister before"
            + " the measured ones, not counted (default ${DEFAULT-VALUE}; 0 for none)")
    int warmup;

    @Option(names = "--prefix", defaultValue = "bench", description = "Endpoints are <prefix>-<i>, warm-up ones"
            + " <prefix>-warm-<i> (default ${DEFAULT-VALUE})")
    String prefix;

    @Option(names = "--concurrency", defaultValue = "50", description = "Registrations in flight at once"
            + " (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--cipher-suites", split = ",", defaultValue = "TLS_PSK_WITH_AES_128_CCM_8",
            description = "Suites the DTLS clients offer, in order (default ${DEFAULT-VALUE}, LwM2M's mandatory"
                    + " one); the report counts the suite each handshake negotiated")
    List<CipherSuite> cipherSuites;

    @Option(names = "--registration-timeout", defaultValue = "120", description = "Seconds a device may take to"
            + " register before it counts as failed (default ${DEFAULT-VALUE})")
    int registrationTimeoutSeconds;

    @Option(names = "--server-pid", description = "Server process id, to read its CPU time (/proc) and heap (jcmd)")
    Long serverPid;

    @Option(names = "--after-seconds", defaultValue = "5", description = "Server CPU is reported for the phase and"
            + " again including this many seconds after it, when deferred work (Ferry's registry writes) lands;"
            + " also the pause after the warm-up (default ${DEFAULT-VALUE})")
    int afterSeconds;

    @Option(names = "--settle-seconds", defaultValue = "0", description = "Wait this long after that before"
            + " measuring heap (default ${DEFAULT-VALUE}: right after the phase, exchanges still held;"
            + " 540 for steady state, see above)")
    int settleSeconds;

    @Option(names = "--label", defaultValue = "server", description = "Name printed on every line"
            + " (default ${DEFAULT-VALUE})")
    String label;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every figure to this JSON file")
    Path json;

    @Override
    public Integer call() throws Exception {
        boolean secure = server.startsWith("coaps://");
        ServerGauge gauge = serverPid == null ? null : new ServerGauge(serverPid);
        // A thread for each registration in flight (Leshan's client waits on it for the answer) and a few to spare.
        ClientScheduler scheduler = new ClientScheduler(concurrency + 2, "bench-clients");
        ScheduledThreadPoolExecutor coap = new ScheduledThreadPoolExecutor(4,
                ClientScheduler.daemonThreads("bench-coap"));
        coap.prestartAllCoreThreads();
        RegistrationRound round = new RegistrationRound(new RegistrationRound.Clients(server, cipherSuites,
                concurrency, Duration.ofSeconds(registrationTimeoutSeconds), scheduler, coap), 0);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode figures = mapper.createObjectNode().put("label", label).put("server", server)
                .put("transport", secure ? "DTLS-PSK" : "CoAP").put("concurrency", concurrency);
        List<SimulatedDevice> measured = List.of();
        try {
            if (api != null) {
                provision(secure, warmupPrefix(), warmup);
                provision(secure, prefix, devices);
            }
            if (warmup > 0) {
                figures.set("warmup", warmUp(round, mapper));
            }
            long heapBefore = gauge == null ? -1 : gauge.heapUsedKiB(true);
            long cpuBefore = gauge == null ? -1 : gauge.cpuMillis();
            Outcome outcome = round.run(prefix, devices);
            measured = outcome.devices();
            long cpuPhase = gauge == null ? -1 : gauge.cpuMillis() - cpuBefore;
            report(outcome, secure, figures.put("threadsPerClient", round.threadsPerClient()), mapper);
            if (gauge != null && outcome.registered() > 0) {
                Thread.sleep(TimeUnit.SECONDS.toMillis(afterSeconds));
                long cpuWithAfter = gauge.cpuMillis() - cpuBefore;
                reportCpu(outcome.registered(), cpuPhase, cpuWithAfter, figures);
                Thread.sleep(TimeUnit.SECONDS.toMillis(settleSeconds));
                reportHeap(outcome.registered(), heapBefore, gauge.heapUsedKiB(true), figures);
            }
            if (json != null) {
                mapper.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), figures);
            }
            return outcome.failures().isEmpty() ? 0 : 1;
        } catch (RegistrationRound.ClientLimitException e) {
            System.err.printf("%s: %s%n", label, e.getMessage());
            return 2;
        } finally {
            RegistrationRound.stopAll(measured, false, concurrency);
            scheduler.shutdownNow();
            coap.shutdownNow();
        }
    }

    private String warmupPrefix() {
        return prefix + "-warm";
    }

    private ObjectNode warmUp(RegistrationRound round, ObjectMapper mapper) throws Exception {
        Outcome outcome = round.run(warmupPrefix(), warmup);
        long begin = System.nanoTime();
        RegistrationRound.stopAll(outcome.devices(), true, concurrency);
        double deregistering = (System.nanoTime() - begin) / 1e9;
        System.out.printf(Locale.ROOT, "%s: warm-up: %d/%d %s-<i> registered in %.1f s, deregistered in %.1f s%s%n",
                label, outcome.registered(), warmup, warmupPrefix(), outcome.seconds(), deregistering,
                failures(outcome.failures()));
        Thread.sleep(TimeUnit.SECONDS.toMillis(afterSeconds)); // the warm-up's deferred work, out of the phase
        ObjectNode node = mapper.createObjectNode().put("devices", warmup).put("registered", outcome.registered())
                .put("seconds", outcome.seconds()).put("deregisterSeconds", deregistering);
        node.set("failures", mapper.valueToTree(outcome.failures()));
        return node;
    }

    private void report(Outcome outcome, boolean secure, ObjectNode figures, ObjectMapper mapper) {
        int ok = outcome.registered();
        double rate = ok / outcome.seconds();
        String transport = !secure ? "CoAP" : "DTLS-PSK (" + (outcome.cipherSuites().isEmpty() ? "no session left"
                : outcome.cipherSuites().entrySet().stream().map(e -> e.getKey() + " x" + e.getValue())
                        .collect(Collectors.joining(", "))) + ")";
        ObjectNode latency = mapper.createObjectNode();
        if (ok > 0) {
            for (double p : new double[] { 50, 90, 99, 100 }) {
                latency.put(p == 100 ? "max" : "p" + (int) p, Percentiles.of(outcome.latencies(), ok, p) / 1e6);
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d/%d registered over %s in %.1f s: %.0f registrations/s, p50 %.1f ms,"
                + " p99 %.1f ms%s%n", label, ok, devices, transport, outcome.seconds(), rate,
                latency.path("p50").asDouble(Double.NaN), latency.path("p99").asDouble(Double.NaN),
                failures(outcome.failures()));
        figures.put("devices", devices).put("warmupDevices", warmup).put("registered", ok)
                .put("seconds", outcome.seconds()).put("registrationsPerSecond", rate);
        figures.set("latencyMs", latency);
        figures.set("failures", mapper.valueToTree(outcome.failures()));
        figures.set("offeredCipherSuites", mapper.valueToTree(secure ? cipherSuites.stream().map(Enum::name).toList()
                : List.of()));
        figures.set("negotiatedCipherSuites", mapper.valueToTree(outcome.cipherSuites()));
    }

    private void reportCpu(int registered, long phaseMillis, long withAfterMillis, ObjectNode figures) {
        double perPhase = phaseMillis / (double) registered;
        double perWithAfter = withAfterMillis / (double) registered;
        System.out.printf(Locale.ROOT, "%s: server CPU per registration during phase %.2f ms, including %d s after"
                + " %.2f ms (%d ms and %d ms in total)%n", label, perPhase, afterSeconds, perWithAfter, phaseMillis,
                withAfterMillis);
        figures.putObject("serverCpu").put("phaseMs", phaseMillis).put("perRegistrationMs", perPhase)
                .put("afterSeconds", afterSeconds).put("withAfterMs", withAfterMillis)
                .put("perRegistrationWithAfterMs", perWithAfter);
    }

    private void reportHeap(int registered, long before, long after, ObjectNode figures) {
        double perDevice = (after - before) / (double) registered;
        System.out.printf(Locale.ROOT, "%s: server heap %d KiB before, %d KiB with %d devices registered: %.2f KiB"
                + " per device (after %d s settle)%n", label, before, after, registered, perDevice, settleSeconds);
        figures.putObject("serverHeap").put("beforeKiB", before).put("afterKiB", after)
                .put("perDeviceKiB", perDevice).put("secondsAfterPhase", afterSeconds + settleSeconds);
    }

    private static String failures(Map<String, Integer> failures) {
        return failures.isEmpty() ? "" : "; failed: " + failures.entrySet().stream()
                .map(e -> e.getValue() + "x " + e.getKey()).collect(Collectors.joining(", "));
    }

    private void provision(boolean secure, String endpointPrefix, int count) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String endpoint = BenchKeys.endpoint(endpointPrefix, i);
            HttpRequest request = BenchKeys.provisioningRequest(api, endpoint, secure, PROVISIONING_TIMEOUT,
                    token.value());
            inFlight.acquire();
            replies.add(WholeExchange.sendAsync(http, request, HttpResponse.BodyHandlers.ofString(),
                    PROVISIONING_TIMEOUT)
                    .whenComplete((r, e) -> inFlight.release()));
        }
        int conflicts = 0;
        for (CompletableFuture<HttpResponse<String>> reply : replies) {
            int status = reply.get().statusCode();
            if (status == 409) {
                conflicts++;
            } else if (status != 201) {
                throw new IllegalStateException("provisioning failed: " + status + " " + reply.get().body());
            }
        }
        if (count > 0) {
            System.out.printf("provisioned %d devices %s-<i> through %s (%d already there)%n", count, endpointPrefix,
                    api, conflicts);
        }
    }
}
