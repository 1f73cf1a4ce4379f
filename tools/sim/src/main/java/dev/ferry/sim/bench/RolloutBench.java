package dev.ferry.sim.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.image.McubootImage;
import dev.ferry.image.keys.KeyPem;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.sim.device.SimDevice;
import dev.ferry.sim.fleet.ApiProvisioner;
import dev.ferry.sim.fleet.SimFleet;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fleet rollout benchmark: N simulated devices registered with Ferry over plain CoAP get one rollout over explicit
 * waves (1 %, 10 %, 50 %, the rest by default), pull-coap. Reports the wall time, for each wave the time between its
 * gate passing and the next wave's first package URI, the server's CPU per updated device and its peak heap; then,
 * with {@code --registry-devices}, the time to create a rollout over that many devices in the registry.
 * {@code tools/bench/rollout-bench} prepares the server, the images and the key, and runs this.
 */
@Command(name = "rollout-bench", mixinStandardHelpOptions = true,
        description = "Runs one rollout over N simulated devices and measures the server.")
public final class RolloutBench implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--api", defaultValue = "http://127.0.0.1:18080", description = "Ferry's HTTP API")
    URI api;
    @picocli.CommandLine.Mixin
    dev.ferry.sim.http.ApiToken token = new dev.ferry.sim.http.ApiToken();
    @Option(names = "--server", defaultValue = "coap://127.0.0.1:15683", description = "Ferry's LwM2M endpoint")
    String server;
    @Option(names = "--devices", defaultValue = "5000", description = "Simulated devices the rollout updates"
            + " (0: only the creation benchmark)")
    int devices;
    @Option(names = "--waves", defaultValue = "1,10,50", split = ",", description = "Wave sizes in percent of the"
            + " target; a last wave takes the rest")
    List<Double> waves;
    @Option(names = "--max-concurrent", defaultValue = "100", description = "The rollout's concurrency limit")
    int maxConcurrent;
    @Option(names = "--firmware-id", required = true, description = "Id of the published image to install")
    long firmwareId;
    @Option(names = "--image", required = true, description = "Signed MCUboot image the devices run at first")
    Path image;
    @Option(names = "--trusted-key", required = true, description = "Public key (PEM) the devices trust")
    Path trustedKey;
    @Option(names = "--model", defaultValue = "bench", description = "The devices' model (3/0/1)")
    String model;
    @Option(names = "--block-size", defaultValue = "512", description = "Block2 size the devices ask for")
    int blockSize;
    @Option(names = "--prefix", defaultValue = "rbench-", description = "Endpoint prefix of the fleet; the"
            + " rollout targets it")
    String prefix;
    @Option(names = "--session-cpu-ms", description = "Server CPU per update session alone, from update-bench"
            + " (serverCpuMsPerDevice), to report what the rollout adds")
    Double sessionCpuMs;
    @Option(names = "--registry-devices", defaultValue = "0", description = "Devices to bulk-provision for the"
            + " creation benchmark (e.g. 100000); 0 skips it")
    int registryDevices;
    @Option(names = "--registry-prefix", defaultValue = "rreg-", description = "Endpoint prefix of those devices")
    String registryPrefix;
    @Option(names = "--create-runs", defaultValue = "3", description = "Rollouts created (and deleted) over them")
    int createRuns;
    @Option(names = "--server-pid", description = "The server's process id, for its CPU time and heap")
    Long serverPid;
    @Option(names = "--gc-log", description = "The server's -Xlog:gc file, for its peak heap")
    Path gcLog;
    @Option(names = "--poll-ms", defaultValue = "500", description = "How often the rollout is read")
    long pollMillis;
    @Option(names = "--timeout-minutes", defaultValue = "60", description = "Longest wait for the rollout")
    long timeoutMinutes;
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures to this JSON file")
    Path json;

    private FerryApi http;
    private final DownloadClock clock = new DownloadClock();

    public static void main(String[] args) {
        System.exit(new CommandLine(new RolloutBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (devices < 0 || maxConcurrent < 1 || registryDevices < 0 || waves.stream().anyMatch(p -> p <= 0)
                || waves.stream().mapToDouble(Double::doubleValue).sum() >= 100) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--devices and --registry-devices must"
                    + " be >= 0, --max-concurrent >= 1, --waves positive percentages that leave a rest");
        }
        http = new FerryApi(api, token.value());
        ServerProcess process = serverPid == null ? null : new ServerProcess(serverPid, gcLog);
        RolloutReport report = new RolloutReport(devices, waves, maxConcurrent, sessionCpuMs);
        if (devices > 0) {
            byte[] v1 = Files.readAllBytes(image);
            System.out.printf("devices run %s; %d devices; waves %s%% then the rest; at most %d sessions at once;"
                    + " pull-coap, %d-byte blocks%n", McubootImage.parse(v1).version(), devices, waves, maxConcurrent,
                    blockSize);
            try (SimFleet fleet = fleet(v1)) {
                fleet.start().get();
                awaitOnlineAndRead(fleet);
                rollOut(process, report);
            }
        }
        if (registryDevices > 0) {
            new RolloutCreation(http, registryDevices, registryPrefix, firmwareId, createRuns).run(report);
        }
        return report.print(json);
    }

    private SimFleet fleet(byte[] firstImage) throws Exception {
        TrustedKeys trusted = TrustedKeys.of(KeyPem.readPublicKey(trustedKey));
        return SimFleet.builder().devices(devices).endpointPrefix(prefix).server(server)
                .provisioner(new ApiProvisioner(api, ApiProvisioner.KeySource.DERIVED, false, token.value()))
                .primaryImage(firstImage).trustedKeys(trusted)
                .eachDevice(d -> d.lifetime(3600).model(model).coapBlockSize(blockSize).listener(clock))
                .build();
    }

    /** Waits until the server lists every device online with objects 3 and 5 read, so no read runs into the run. */
    private void awaitOnlineAndRead(SimFleet fleet) throws Exception {
        Set<String> waiting = new HashSet<>();
        for (SimDevice device : fleet.devices()) {
            if (!device.isRegistered()) {
                throw new IllegalStateException(device.endpoint() + " did not register: " + device);
            }
            waiting.add(device.endpoint());
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!waiting.isEmpty()) {
            for (JsonNode device : http.devices(prefix)) {
                if (device.path("online").asBoolean() && device.hasNonNull("firmwareVersion")
                        && device.hasNonNull("firmwareUpdate")) {
                    waiting.remove(device.path("endpoint").asText());
                }
            }
            if (!waiting.isEmpty() && System.nanoTime() > deadline) {
                throw new IllegalStateException(waiting.size() + " devices registered but the server did not read"
                        + " their objects 3 and 5 within 5 minutes, e.g. " + waiting.iterator().next());
            }
            if (!waiting.isEmpty()) {
                Thread.sleep(pollMillis);
            }
        }
        System.out.printf("all %d devices registered; the server read their objects 3 and 5%n", devices);
    }

    /** The measured part: creates and starts the rollout, waits until it is final, then reads what it did. */
    private void rollOut(ServerProcess server, RolloutReport report) throws Exception {
        double heapAtStart = server == null ? -1 : server.heapUsedMiB();
        long gcPosition = server == null ? 0 : server.gcLogPosition();
        double cpuBefore = server == null ? Double.NaN : server.cpuSeconds();
        Instant start = Instant.now();
        long id = http.post("api/v1/rollouts", plan().toString()).expect(201, "creating the rollout").json()
                .path("id").asLong();
        http.post("api/v1/rollouts/" + id + "/start", "{}").expect(200, "starting rollout " + id);
        System.out.printf("%s rollout %d started%n", start, id);

        JsonNode rollout = awaitFinal(id, start.plus(Duration.ofMinutes(timeoutMinutes)));
        Instant observedEnd = Instant.now();
        double cpuAfter = server == null ? Double.NaN : server.cpuSeconds();
        double heapAtEnd = server == null ? -1 : server.heapUsedMiB();
        ServerProcess.Collections gc = server == null ? new ServerProcess.Collections(0, -1, -1, -1)
                : server.collectionsSince(gcPosition);
        report.run(rollout, start, observedEnd, cpuAfter - cpuBefore, Math.max(gc.maxBefore(),
                Math.max(heapAtStart, heapAtEnd)));
        new WaveGaps(http, clock).measure(id, report);
    }

    /** The rollout: explicit waves over the fleet's endpoint prefix, the next wave as soon as a gate passes. */
    private ObjectNode plan() {
        ObjectNode plan = JSON.createObjectNode().put("name", "rollout-bench " + devices + " devices")
                .put("firmwareId", firmwareId).put("delivery", "pull-coap").put("maxConcurrent", maxConcurrent);
        plan.putObject("target").putObject("filter").put("endpointPrefix", prefix);
        ObjectNode strategy = plan.putObject("strategy").put("type", "waves");
        ArrayNode sizes = strategy.putArray("waves");
        waves.forEach(percent -> sizes.addObject().put("percent", percent));
        sizes.addObject().put("rest", true);
        plan.putObject("gate").put("successPercent", 95).put("onSuccess", "next-wave").put("errorPercent", 5)
                .put("minFinished", 1).put("onError", "pause");
        return plan;
    }

    private JsonNode awaitFinal(long id, Instant deadline) throws Exception {
        Instant nextProgress = Instant.now().plusSeconds(10);
        while (true) {
            JsonNode rollout = http.get("api/v1/rollouts/" + id);
            String status = rollout.path("status").asText();
            if (Set.of("completed", "cancelled", "rolled-back", "paused").contains(status)) {
                return rollout;
            }
            if (Instant.now().isAfter(deadline)) {
                System.out.printf("%s giving up: rollout %d is still %s%n", Instant.now(), id, status);
                return rollout;
            }
            if (Instant.now().isAfter(nextProgress)) {
                nextProgress = nextProgress.plusSeconds(10);
                System.out.printf("%s %s, wave %s, counts %s%n", Instant.now(), status,
                        rollout.path("currentWave").asText(), rollout.path("counts"));
            }
            Thread.sleep(pollMillis);
        }
    }

    static double seconds(Instant from, Instant to) {
        return from == null || to == null ? Double.NaN : Duration.between(from, to).toNanos() / 1e9;
    }

    static String format(double value, String unit) {
        return Double.isNaN(value) || value < 0 ? "unknown" : String.format(Locale.ROOT, "%.3f %s", value, unit);
    }

    static List<JsonNode> items(JsonNode page) {
        List<JsonNode> list = new ArrayList<>();
        page.path("items").forEach(list::add);
        return list;
    }
}
